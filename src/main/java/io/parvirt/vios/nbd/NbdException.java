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
        DUPLICATE_EXPORT,
        /** No export of that name is served by this server. */
        NOT_SERVED,
        /** The export is read-only media, which has no snapshots. */
        NO_SNAPSHOTS
    }

    private final Kind kind;
    private final String export;
    private final Path path;
    private final String reason;

    NbdException(Kind kind, String export, Path path, String detail, Throwable cause) {
        String reason = kind + " at " + path + ": " + detail;
        super("NBD export " + export + ": " + reason, cause);
        this.kind = kind;
        this.export = export;
        this.path = path;
        this.reason = reason;
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

    /** The message without the export's name: kind, path and detail. */
    public String reason() {
        return reason;
    }
}
