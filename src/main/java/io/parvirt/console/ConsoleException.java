package io.parvirt.console;

import java.nio.file.Path;

/** Why a console could not start: its kind, the partition, the path involved and the cause. */
public final class ConsoleException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Stable kinds; callers map them to reference codes or HSCL messages. */
    public enum Kind {
        /** The log directory or log file cannot be created or opened. */
        LOG_UNAVAILABLE,
        /** The vterm session socket cannot be bound (path too long, directory missing, permissions). */
        SESSION_SOCKET_UNAVAILABLE
    }

    private final Kind kind;
    private final String partition;
    private final Path path;

    ConsoleException(Kind kind, String partition, Path path, Throwable cause) {
        super("console of partition " + partition + ": " + kind + " at " + path + ": " + cause.getMessage(), cause);
        this.kind = kind;
        this.partition = partition;
        this.path = path;
    }

    public Kind kind() {
        return kind;
    }

    public String partition() {
        return partition;
    }

    public Path path() {
        return path;
    }
}
