package io.parvirt.vios.nbd;

/** Why a connection ended. Only the first three are a client's ordinary goodbyes. */
public enum CloseReason {
    /** NBD_CMD_DISC: the client's clean end of transmission. */
    DISCONNECT,
    /** NBD_OPT_ABORT: the client gave up during negotiation (qemu-img info, nbdinfo --list do). */
    ABORT,
    /** The client closed its end between two messages. */
    CLIENT_GONE,
    /** The client closed its end in the middle of a request, option or handshake. */
    TRUNCATED,
    /** A request or option without its magic: the stream is out of step and cannot be read further. */
    BAD_MAGIC,
    /** Client flags this server did not offer (the protocol requires ending the session). */
    BAD_CLIENT_FLAGS,
    /** An option longer than any this server takes. */
    OPTION_TOO_LARGE,
    /** NBD_OPT_EXPORT_NAME for another export: that option has no way to answer with an error. */
    UNKNOWN_EXPORT,
    /** A WRITE longer than the 32 MiB maximum payload: answered EINVAL, then closed, since skipping its payload could take 4 GiB. */
    OVERSIZED_WRITE,
    /** A read failed after its reply header had promised the data: the protocol requires a hard disconnect. */
    IO_ERROR,
    /** The socket failed (reset by the peer, or another error). */
    SOCKET_ERROR,
    /** The export or the server stopped. */
    SERVER_STOP,
    /** Turned away at once: the export already had its maximum of connections. */
    REFUSED
}
