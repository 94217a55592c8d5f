package io.parvirt.vios.nbd;

import java.nio.file.Path;

/**
 * Why an export could not be served: its kind, the export, the path involved and the cause. Only
 * setting an export up can fail this way; a failing request is answered with an NBD error value
 * and counted ({@link ExportCounters}), never thrown.
 */
public final class NbdException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Stable kinds; callers map them to VIOS messages. */
    public enum Kind {
        /** The backing file is missing, not a regular file, or cannot be opened. */
        BACKING_UNAVAILABLE,
        /** The export's socket cannot be made (directory missing, path too long, permissions). */
        SOCKET_UNAVAILABLE,
        /** Another server is listening on the export's socket path. */
        SOCKET_IN_USE,
        /** An export of that name is already served by this server. */
        DUPLICATE_EXPORT
    }

    private final Kind kind;
    private final String export;
    private final Path path;

    NbdException(Kind kind, String export, Path path, String detail, Throwable cause) {
        super("NBD export " + export + ": " + kind + " at " + path + ": " + detail, cause);
        this.kind = kind;
        this.export = export;
        this.path = path;
    }

    public Kind kind() {
        return kind;
    }

    public String export() {
        return export;
    }

    public Path path() {
        return path;
    }
}
