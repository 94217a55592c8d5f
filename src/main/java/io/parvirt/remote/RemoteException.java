package io.parvirt.remote;

/**
 * Why a call to a peer daemon failed, as a small, stable kind with one sentence naming the peer;
 * the HMC maps each kind to its connection state and error line.
 */
public final class RemoteException extends Exception {
    /** What went wrong. */
    public enum Kind {
        /** Nothing answered: refused, no route, or the connect timeout passed. */
        UNREACHABLE,
        /** The peer accepted the connection but did not answer within the request timeout. */
        TIMEOUT,
        /** The peer refused the stored credential (HTTP 401). */
        AUTHENTICATION,
        /** The peer's certificate is not the one pinned at {@code mksysconn}, or it speaks no TLS where it must. */
        CERTIFICATE,
        /** The peer answered the request with an error status (its code and message are kept). */
        REFUSED,
        /** The peer answered with something that is not its API. */
        PROTOCOL
    }

    private final Kind kind;
    private final int status;
    private final String code;

    public RemoteException(Kind kind, String message, Throwable cause) {
        this(kind, message, 0, null, cause);
    }

    public RemoteException(Kind kind, String message, int status, String code, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.status = status;
        this.code = code;
    }

    public Kind kind() {
        return kind;
    }

    /** The HTTP status the peer answered with (REFUSED, AUTHENTICATION), else 0. */
    public int status() {
        return status;
    }

    /** The peer's HSCL code for a REFUSED request, or null. */
    public String code() {
        return code;
    }

    /** Whether the peer could not be reached at all (its connection state is then {@code No Connection}). */
    public boolean noConnection() {
        return kind == Kind.UNREACHABLE || kind == Kind.TIMEOUT || kind == Kind.PROTOCOL;
    }
}
