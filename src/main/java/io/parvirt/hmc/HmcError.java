package io.parvirt.hmc;

/**
 * How a command failed, as a value: the HSCL code (null for a command-syntax error, which a real
 * HMC prints without one, and for a VIOS command's own refusal), the sentence without the code,
 * and the HTTP status the API answers with. Built only by {@link HsclCode}.
 */
public record HmcError(String code, String message, int httpStatus) {
    /** No legitimate sentence comes near this; only echoed input could pass it. */
    static final int MAX_MESSAGE = 1024;

    public HmcError {
        if (message == null || httpStatus < 400 || httpStatus > 599) {
            throw new IllegalArgumentException("an error has a sentence and an error status");
        }
        message = oneLine(message);
    }

    /**
     * An error is one line of bounded length whatever input it echoes (issue 12): control and
     * line-separator characters become {@code ?}, and a sentence grown long by an echoed value is cut.
     */
    static String oneLine(String s) {
        return io.parvirt.model.Values.oneLine(s.strip(), MAX_MESSAGE, MAX_MESSAGE);
    }

    /**
     * The code the API answers with: a syntax error (or a VIOS command's own answer) has none on the
     * HMC's command line, but the API's {@code {code, message}} always carries one (issue 12: {@code
     * "code": null} broke the documented shape), the syntax code {@code HSCL130E}.
     */
    public String apiCode() {
        return code != null ? code : "HSCL130E";
    }

    /** The line the HMC prints on standard output: {@code HSCLnnnn sentence}, or the sentence alone. */
    public String line() {
        return code == null ? message : code + " " + message;
    }
}
