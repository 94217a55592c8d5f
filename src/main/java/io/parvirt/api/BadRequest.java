package io.parvirt.api;

/** A request that cannot be turned into an HMC command: answered 400 with the reason. */
final class BadRequest extends RuntimeException {
    private final String code;

    BadRequest(String message) {
        this("HSCL130E", message);
    }

    BadRequest(String code, String message) {
        super(message);
        this.code = code;
    }

    String code() {
        return code;
    }
}
