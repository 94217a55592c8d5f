package io.parvirt.hmc;

import io.parvirt.model.ModelException;
import java.util.List;

/**
 * What an HMC command prints on standard output and its exit code; for a listing also the rows
 * (so the API can answer in JSON), for a failure the HSCL code (null for a syntax error) and the
 * HTTP status the API answers with.
 */
public record HmcResult(String stdout, int exitCode, List<Row> rows, String code, int httpStatus, String vterm) {
    public static final HmcResult OK = new HmcResult("", 0, null, null, 200, null);

    static HmcResult listing(String stdout, List<Row> rows) {
        return new HmcResult(stdout, 0, rows, null, 200, null);
    }

    /** Text that is not a listing (parvirt's own extensions, such as {@code chsysstate --test}). */
    static HmcResult text(String stdout) {
        return new HmcResult(stdout, 0, null, null, 200, null);
    }

    /** mkvterm: the console session socket the client attaches to. */
    static HmcResult vterm(String socket) {
        return new HmcResult("", 0, null, null, 200, socket);
    }

    public static HmcResult error(String line) {
        return new HmcResult(line + "\n", 1, null, null, 400, null);
    }

    static HmcResult error(ModelException e) {
        return new HmcResult(HsclCode.line(e) + "\n", 1, null, HsclCode.code(e.kind()), HsclCode.httpStatus(e.kind()),
                null);
    }

    /** The error sentence without its code and newline. */
    public String message() {
        String s = stdout.strip();
        return code != null && s.startsWith(code + " ") ? s.substring(code.length() + 1) : s;
    }
}
