package io.parvirt.hmc;

/**
 * How a command failed, as a value: the HSCL code (null for a command-syntax error, which a real
 * HMC prints without one, and for a VIOS command's own refusal), the sentence without the code,
 * and the HTTP status the API answers with. Built only by {@link HsclCode}.
 */
public record HmcError(String code, String message, int httpStatus) {
    public HmcError {
        if (message == null || httpStatus < 400 || httpStatus > 599) {
            throw new IllegalArgumentException("an error has a sentence and an error status");
        }
    }

    /** The line the HMC prints on standard output: {@code HSCLnnnn sentence}, or the sentence alone. */
    public String line() {
        return code == null ? message : code + " " + message;
    }
}
