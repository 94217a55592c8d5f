package io.parvirt.vios.nbd;

/**
 * The NBD wire format (the protocol's doc/proto.md), fixed newstyle with simple replies only. All
 * integers are big-endian (network order), which is also {@code ByteBuffer}'s default order.
 *
 * <pre>
 * Handshake, server first (18 bytes):
 *   0        8          16      18
 *   +--------+----------+-------+
 *   |NBDMAGIC| IHAVEOPT | hflags|   hflags: FIXED_NEWSTYLE | NO_ZEROES
 *   +--------+----------+-------+
 * then the client's flags (4 bytes: C_FIXED_NEWSTYLE | C_NO_ZEROES, any other bit ends the session).
 *
 * Option, client to server (16 bytes + data):      Option reply, server to client (20 bytes + data):
 *   0        8        12       16                    0             8        12       16       20
 *   +--------+--------+--------+---------           +-------------+--------+--------+--------+------
 *   |IHAVEOPT| option | length | data...            | OPT_REPLY   | option | type   | length | data
 *   +--------+--------+--------+---------           +-------------+--------+--------+--------+------
 *
 * OPT_INFO / OPT_GO data:  u32 name length | name | u16 n | n x u16 information request
 * REP_INFO data:           u16 INFO_EXPORT | u64 size | u16 transmission flags        (12 bytes)
 *                          u16 INFO_NAME | name
 *                          u16 INFO_BLOCK_SIZE | u32 minimum | u32 preferred | u32 maximum payload
 * OPT_EXPORT_NAME (old clients): data is the name; the answer is u64 size | u16 flags | 124 zero
 *                          bytes (none when both sides set NO_ZEROES), and no error can be sent.
 *
 * Request, client to server (28 bytes, then the payload of a WRITE):
 *   0       4       6       8               16              24      28
 *   +-------+-------+-------+---------------+---------------+-------+----------
 *   | magic | flags | type  |    cookie     |    offset     |length | data (WRITE only)
 *   +-------+-------+-------+---------------+---------------+-------+----------
 *
 * Simple reply, server to client (16 bytes, then the data of a successful READ):
 *   0       4       8               16
 *   +-------+-------+---------------+----------
 *   | magic | error |    cookie     | data (READ without error only)
 *   +-------+-------+---------------+----------
 * </pre>
 *
 * A simple reply carries no length, so the client knows a READ's payload only from its own
 * request: the server must send exactly the requested bytes after a zero error, or nothing after a
 * non-zero one. Structured replies (which would allow holes and partial errors) are declined with
 * REP_ERR_UNSUP, which every client must accept.
 */
final class Protocol {
    private Protocol() {
    }

    static final long NBDMAGIC = 0x4e42444d41474943L;
    static final long IHAVEOPT = 0x49484156454F5054L;
    static final long OPT_REPLY_MAGIC = 0x3e889045565a9L;
    static final int REQUEST_MAGIC = 0x25609513;
    static final int SIMPLE_REPLY_MAGIC = 0x67446698;

    static final int REQUEST_BYTES = 28;
    static final int REPLY_BYTES = 16;
    static final int OPTION_HEADER_BYTES = 16;
    static final int OPTION_REPLY_HEADER_BYTES = 20;

    // handshake flags (server) and client flags
    static final int FLAG_FIXED_NEWSTYLE = 1;
    static final int FLAG_NO_ZEROES = 2;
    static final int FLAG_C_FIXED_NEWSTYLE = 1;
    static final int FLAG_C_NO_ZEROES = 2;

    // options
    static final int OPT_EXPORT_NAME = 1;
    static final int OPT_ABORT = 2;
    static final int OPT_LIST = 3;
    static final int OPT_INFO = 6;
    static final int OPT_GO = 7;

    // option reply types; errors have bit 31 set
    static final int REP_ACK = 1;
    static final int REP_SERVER = 2;
    static final int REP_INFO = 3;
    static final int REP_ERR_UNSUP = 0x80000001;
    static final int REP_ERR_INVALID = 0x80000003;
    static final int REP_ERR_UNKNOWN = 0x80000006;

    // information types in REP_INFO
    static final int INFO_EXPORT = 0;
    static final int INFO_NAME = 1;
    static final int INFO_BLOCK_SIZE = 3;

    // transmission flags (16 bits)
    static final int FLAG_HAS_FLAGS = 1;
    static final int FLAG_READ_ONLY = 1 << 1;
    static final int FLAG_SEND_FLUSH = 1 << 2;
    static final int FLAG_SEND_FUA = 1 << 3;
    static final int FLAG_SEND_TRIM = 1 << 5;
    static final int FLAG_SEND_WRITE_ZEROES = 1 << 6;
    static final int FLAG_CAN_MULTI_CONN = 1 << 8;
    static final int FLAG_SEND_FAST_ZERO = 1 << 11;

    // commands
    static final int CMD_READ = 0;
    static final int CMD_WRITE = 1;
    static final int CMD_DISC = 2;
    static final int CMD_FLUSH = 3;
    static final int CMD_TRIM = 4;
    static final int CMD_WRITE_ZEROES = 6;

    // command flags
    static final int CMD_FLAG_FUA = 1;
    static final int CMD_FLAG_NO_HOLE = 1 << 1;
    static final int CMD_FLAG_FAST_ZERO = 1 << 4;

    // error values of a simple reply (errno-like, fixed by the protocol)
    static final int EPERM = 1;
    static final int EIO = 5;
    static final int EINVAL = 22;
    static final int ENOSPC = 28;
    static final int ENOTSUP = 95;

    /** The largest payload a client may send or ask for without negotiating (2^25). */
    static final int MAX_PAYLOAD = 1 << 25;
    /** Block sizes advertised in INFO_BLOCK_SIZE: any alignment works on a file. */
    static final int MIN_BLOCK = 1;
    static final int PREFERRED_BLOCK = 4096;
    /** Names and descriptions are at most 4096 bytes; an option longer than this is not one of ours. */
    static final int MAX_OPTION_BYTES = 8192;
}
