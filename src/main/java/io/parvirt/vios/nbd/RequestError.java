package io.parvirt.vios.nbd;

/** Why a request was answered with an error; the connection goes on serving after each. */
public enum RequestError {
    /** A command flag the command does not take (NBD_EINVAL). */
    BAD_FLAGS,
    /** The range runs past the end of the export: EINVAL for READ and TRIM, ENOSPC for writes. */
    OUT_OF_RANGE,
    /** A READ longer than the 32 MiB maximum payload (NBD_EINVAL). */
    TOO_LARGE,
    /** A write, TRIM or WRITE_ZEROES on a read-only export (NBD_EPERM). */
    READ_ONLY,
    /** A command this server does not know or did not advertise (NBD_EINVAL). */
    UNKNOWN_COMMAND,
    /** The file system is full or over quota (NBD_ENOSPC). */
    NO_SPACE,
    /** The backing file failed a read, write or sync (NBD_EIO). */
    IO_ERROR,
    /** A fast WRITE_ZEROES that could only be done by writing zeros (NBD_ENOTSUP, as the protocol asks). */
    NOT_FAST,
    /**
     * vhost-user-blk: a request whose descriptor chain breaks virtio's rules (outside guest memory,
     * a loop, readable after writable, no header or status byte): IOERR where its status can be
     * written, else given back empty.
     */
    MALFORMED_CHAIN
}
