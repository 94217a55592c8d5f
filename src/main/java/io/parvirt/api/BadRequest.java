package io.parvirt.api;

/** A request that cannot be turned into an HMC command: answered 400 with the reason. */
final class BadRequest extends RuntimeException {
    BadRequest(String message) {
        super(message);
    }
}
