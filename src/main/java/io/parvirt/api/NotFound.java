package io.parvirt.api;

/** A path names a partition that cannot exist: answered 404 with HSCL8012, as the HMC would. */
final class NotFound extends RuntimeException {
    NotFound(String message) {
        super(message);
    }
}
