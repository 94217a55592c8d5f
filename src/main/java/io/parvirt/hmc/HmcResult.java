package io.parvirt.hmc;

import java.util.List;

/**
 * What an HMC command prints on standard output and its exit code; for a listing also the rows
 * (so the API can answer in JSON), for a failure the {@link HmcError} (so the API answers with its
 * code and status without reading standard output), for {@code mkvterm} the session socket.
 */
public record HmcResult(String stdout, int exitCode, List<Row> rows, HmcError error, String vterm) {
    public static final HmcResult OK = new HmcResult("", 0, null, null, null);

    public HmcResult {
        if ((exitCode == 0) != (error == null)) {
            throw new IllegalArgumentException("a command fails with an error exactly when its exit code is not 0");
        }
    }

    static HmcResult listing(String stdout, List<Row> rows) {
        return new HmcResult(stdout, 0, rows, null, null);
    }

    /** Text that is not a listing (parvirt's own extensions, such as {@code chsysstate --test}). */
    static HmcResult text(String stdout) {
        return new HmcResult(stdout, 0, null, null, null);
    }

    /** mkvterm: the console session socket the client attaches to. */
    static HmcResult vterm(String socket) {
        return new HmcResult("", 0, null, null, socket);
    }

    /** A failure: its line on standard output, exit 1. */
    static HmcResult failed(HmcError error) {
        return new HmcResult(error.line() + "\n", 1, null, error, null);
    }

    /** The HSCL code of a failure, or null (success, or a syntax error). */
    public String code() {
        return error == null ? null : error.code();
    }

    /** The HTTP status the API answers with. */
    public int httpStatus() {
        return error == null ? 200 : error.httpStatus();
    }
}
