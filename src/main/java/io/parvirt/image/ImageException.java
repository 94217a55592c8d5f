package io.parvirt.image;

/**
 * An image cannot be built or used. The message says what is missing and, where the host can be
 * put right, the exact command that does it, because the reader is an operator at a terminal.
 */
public final class ImageException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String fix;

    public ImageException(String problem, String fix) {
        super(fix == null ? problem : problem + "; to fix it run: " + fix);
        this.fix = fix;
    }

    public ImageException(String problem, String fix, Throwable cause) {
        this(problem, fix);
        initCause(cause);
    }

    /** The command that fixes the problem, or null when none is known. */
    public String fix() {
        return fix;
    }
}
