package io.parvirt.vhost;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The vhost-user protocol's messages (QEMU docs/interop/vhost-user.rst), as the back end sees them.
 * The front end (QEMU) sends each request on a Unix stream socket; some carry file descriptors
 * ({@code SCM_RIGHTS}, with the message's first bytes); a few are answered with the same request
 * number and the REPLY flag. Native byte order (little-endian here).
 *
 * <pre>
 *  header (12 bytes)                      payloads used here
 *  0 request u32                          u64           features, vring index for KICK/CALL/ERR
 *  4 flags   u32  0x1 version 1                          (bits 0-7 index, bit 8: no fd given)
 *                 0x4 reply               vring state   u32 index, u32 num
 *                 0x8 need reply (REPLY_ACK)
 *  8 size    u32  payload bytes           vring address u32 index, u32 flags, u64 desc, used, avail, log
 *                                         memory table  u32 count, u32 padding,
 *                                                       count x {u64 guest address, size, user address, mmap offset}
 *                                         one region    u64 padding, {u64 guest address, size, user address, offset}
 *                                                       (ADD_MEM_REG with its fd, REM_MEM_REG without)
 *                                         log           u64 size, u64 offset (SET_LOG_BASE, with the log's fd)
 *                                         RARP          the guest's MAC in the first 6 bytes
 * </pre>
 *
 * Migration (QEMU's vhost_dev logging): SET_LOG_BASE hands over the dirty log (a memfd; answered
 * with an empty reply), SET_FEATURES with F_LOG_ALL starts logging, SET_VRING_ADDR with
 * {@link #VRING_F_LOG} says where each used ring is for the log; after the switch-over the target's
 * QEMU sends SEND_RARP (announce-self) and the switch broadcasts the guest's RARP from its port.
 *
 * Order on a start: GET_FEATURES, SET_OWNER, GET/SET_PROTOCOL_FEATURES, SET_FEATURES,
 * SET_MEM_TABLE (the memory must be mapped before any ring address can be translated), then per
 * queue SET_VRING_NUM, BASE, ADDR, KICK, CALL, and SET_VRING_ENABLE (with protocol features the
 * rings start disabled). GET_VRING_BASE stops a queue and answers where the guest resumes.
 */
public final class VhostUser {
    public static final int GET_FEATURES = 1;
    public static final int SET_FEATURES = 2;
    public static final int SET_OWNER = 3;
    public static final int RESET_OWNER = 4;
    public static final int SET_MEM_TABLE = 5;
    public static final int SET_LOG_BASE = 6;
    public static final int SET_LOG_FD = 7;
    public static final int SET_VRING_NUM = 8;
    public static final int SET_VRING_ADDR = 9;
    public static final int SET_VRING_BASE = 10;
    public static final int GET_VRING_BASE = 11;
    public static final int SET_VRING_KICK = 12;
    public static final int SET_VRING_CALL = 13;
    public static final int SET_VRING_ERR = 14;
    public static final int GET_PROTOCOL_FEATURES = 15;
    public static final int SET_PROTOCOL_FEATURES = 16;
    public static final int GET_QUEUE_NUM = 17;
    public static final int SET_VRING_ENABLE = 18;
    public static final int SEND_RARP = 19;
    /** The device's configuration space (virtio-blk's capacity, block size, limits), read by the front end. */
    public static final int GET_CONFIG = 24;
    public static final int SET_CONFIG = 25;
    public static final int GET_MAX_MEM_SLOTS = 36;
    public static final int ADD_MEM_REG = 37;
    public static final int REM_MEM_REG = 38;

    public static final int VERSION = 0x1;
    public static final int FLAG_REPLY = 0x4;
    public static final int FLAG_NEED_REPLY = 0x8;
    public static final int HEADER = 12;
    /** SET_MEM_TABLE's limit; more regions come one by one (ADD_MEM_REG, up to {@link GuestMemory#MAX_REGIONS}). */
    public static final int TABLE_REGIONS = 8;
    /** The largest payload read: a memory table of eight regions. */
    public static final int MAX_PAYLOAD = 8 + 32 * TABLE_REGIONS;
    public static final long VRING_NOFD = 0x100;
    /** SET_VRING_ADDR's flag: log the used ring's writes at the address's {@code log} field. */
    public static final int VRING_F_LOG = 0;

    /**
     * Notification suppression by index (virtio 1.x 2.7.7.2, 2.7.10.1): {@code used_event} and
     * {@code avail_event} after the rings (see {@link Virtqueue}). QEMU passes it through to the
     * back end (hw/net/vhost_net.c's feature bits).
     */
    public static final int RING_F_EVENT_IDX = 29;
    /** The back end marks every guest page it writes in the front end's dirty log (migration). */
    public static final int F_LOG_ALL = 26;
    public static final int F_PROTOCOL_FEATURES = 30;
    public static final int F_VERSION_1 = 32;
    /** The back end answers GET_QUEUE_NUM (how many queues it serves). */
    public static final int PROTOCOL_F_MQ = 0;
    public static final int PROTOCOL_F_LOG_SHMFD = 1;
    public static final int PROTOCOL_F_RARP = 2;
    public static final int PROTOCOL_F_REPLY_ACK = 3;
    /** The front end asks the back end for its configuration space (GET_CONFIG): vhost-user-blk requires it. */
    public static final int PROTOCOL_F_CONFIG = 9;
    public static final int PROTOCOL_F_CONFIGURE_MEM_SLOTS = 15;
    /** GET_CONFIG's payload before the space itself: u32 offset, u32 size, u32 flags. */
    public static final int CONFIG_HEADER = 12;

    public static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private VhostUser() {
    }

    public static long bits(int... bits) {
        long b = 0;
        for (int i : bits) {
            b |= 1L << i;
        }
        return b;
    }

    public static boolean has(long features, int bit) {
        return (features & (1L << bit)) != 0;
    }

    public static void header(MemorySegment m, int request, int flags, int size) {
        m.set(U32, 0, request);
        m.set(U32, 4, flags);
        m.set(U32, 8, size);
    }

    public static String name(int request) {
        return switch (request) {
            case GET_FEATURES -> "GET_FEATURES";
            case SET_FEATURES -> "SET_FEATURES";
            case SET_OWNER -> "SET_OWNER";
            case RESET_OWNER -> "RESET_OWNER";
            case SET_MEM_TABLE -> "SET_MEM_TABLE";
            case SET_LOG_BASE -> "SET_LOG_BASE";
            case SET_LOG_FD -> "SET_LOG_FD";
            case SET_VRING_NUM -> "SET_VRING_NUM";
            case SET_VRING_ADDR -> "SET_VRING_ADDR";
            case SET_VRING_BASE -> "SET_VRING_BASE";
            case GET_VRING_BASE -> "GET_VRING_BASE";
            case SET_VRING_KICK -> "SET_VRING_KICK";
            case SET_VRING_CALL -> "SET_VRING_CALL";
            case SET_VRING_ERR -> "SET_VRING_ERR";
            case GET_PROTOCOL_FEATURES -> "GET_PROTOCOL_FEATURES";
            case SET_PROTOCOL_FEATURES -> "SET_PROTOCOL_FEATURES";
            case GET_QUEUE_NUM -> "GET_QUEUE_NUM";
            case SET_VRING_ENABLE -> "SET_VRING_ENABLE";
            case SEND_RARP -> "SEND_RARP";
            case GET_CONFIG -> "GET_CONFIG";
            case SET_CONFIG -> "SET_CONFIG";
            case GET_MAX_MEM_SLOTS -> "GET_MAX_MEM_SLOTS";
            case ADD_MEM_REG -> "ADD_MEM_REG";
            case REM_MEM_REG -> "REM_MEM_REG";
            default -> "request " + request;
        };
    }
}
