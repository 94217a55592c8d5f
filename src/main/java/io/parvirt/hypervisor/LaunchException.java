package io.parvirt.hypervisor;

/** A partition could not be launched; carries the reference code to show and the reason. */
public final class LaunchException extends Exception {
    private final RefCode refCode;

    public LaunchException(RefCode refCode, String message) {
        super(message);
        this.refCode = refCode;
    }

    public RefCode refCode() {
        return refCode;
    }
}
