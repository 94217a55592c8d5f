package io.parvirt.vswitch;

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
final class VhostUser {
    static final int GET_FEATURES = 1;
    static final int SET_FEATURES = 2;
    static final int SET_OWNER = 3;
    static final int RESET_OWNER = 4;
    static final int SET_MEM_TABLE = 5;
    static final int SET_LOG_BASE = 6;
    static final int SET_LOG_FD = 7;
    static final int SET_VRING_NUM = 8;
    static final int SET_VRING_ADDR = 9;
    static final int SET_VRING_BASE = 10;
    static final int GET_VRING_BASE = 11;
    static final int SET_VRING_KICK = 12;
    static final int SET_VRING_CALL = 13;
    static final int SET_VRING_ERR = 14;
    static final int GET_PROTOCOL_FEATURES = 15;
    static final int SET_PROTOCOL_FEATURES = 16;
    static final int GET_QUEUE_NUM = 17;
    static final int SET_VRING_ENABLE = 18;
    static final int SEND_RARP = 19;
    static final int GET_MAX_MEM_SLOTS = 36;
    static final int ADD_MEM_REG = 37;
    static final int REM_MEM_REG = 38;

    static final int VERSION = 0x1;
    static final int FLAG_REPLY = 0x4;
    static final int FLAG_NEED_REPLY = 0x8;
    static final int HEADER = 12;
    /** SET_MEM_TABLE's limit; more regions come one by one (ADD_MEM_REG, up to {@link GuestMemory#MAX_REGIONS}). */
    static final int TABLE_REGIONS = 8;
    /** The largest payload read: a memory table of eight regions. */
    static final int MAX_PAYLOAD = 8 + 32 * TABLE_REGIONS;
    static final long VRING_NOFD = 0x100;
    /** SET_VRING_ADDR's flag: log the used ring's writes at the address's {@code log} field. */
    static final int VRING_F_LOG = 0;

    // virtio-net and virtio feature bits the port offers (virtio 1.x 5.1.3, 6).
    static final int NET_F_CSUM = 0;
    static final int NET_F_GUEST_CSUM = 1;
    static final int NET_F_GUEST_TSO4 = 7;
    static final int NET_F_GUEST_TSO6 = 8;
    static final int NET_F_GUEST_ECN = 9;
    static final int NET_F_HOST_TSO4 = 11;
    static final int NET_F_HOST_TSO6 = 12;
    static final int NET_F_HOST_ECN = 13;
    static final int NET_F_MRG_RXBUF = 15;
    /**
     * The guest announcing itself (gratuitous ARP and neighbour advertisements from each of its
     * addresses and VLAN interfaces) when QEMU asks it to after a migration; QEMU serves it (its
     * control queue) but offers it to the guest only if the back end does, and then skips SEND_RARP.
     * Not offered: with it, a TCP stream between two TCG guests stalled (VhostUserEthernetTest, 2 runs
     * of 2; without it 1 of 1 passed), a cause not found yet. SEND_RARP announces the adapter's MAC in
     * its PVID, which is what the switch needs to learn a migrated guest at once; a guest's VLAN
     * interfaces are learned from their first frame.
     */
    static final int NET_F_GUEST_ANNOUNCE = 21;
    /**
     * Notification suppression by index (virtio 1.x 2.7.7.2, 2.7.10.1): {@code used_event} and
     * {@code avail_event} after the rings (see {@link Virtqueue}). QEMU passes it through to the
     * back end (hw/net/vhost_net.c's feature bits).
     */
    static final int RING_F_EVENT_IDX = 29;
    /** The back end marks every guest page it writes in the front end's dirty log (migration). */
    static final int F_LOG_ALL = 26;
    static final int F_PROTOCOL_FEATURES = 30;
    static final int F_VERSION_1 = 32;
    static final long FEATURES = bits(NET_F_CSUM, NET_F_GUEST_CSUM, NET_F_GUEST_TSO4, NET_F_GUEST_TSO6,
            NET_F_GUEST_ECN, NET_F_HOST_TSO4, NET_F_HOST_TSO6, NET_F_HOST_ECN, NET_F_MRG_RXBUF,
            RING_F_EVENT_IDX, F_LOG_ALL, F_PROTOCOL_FEATURES, F_VERSION_1);
    /** Guest offloads that let the switch hand it a frame with work left (all or none, for simplicity). */
    static final long GUEST_OFFLOADS = bits(NET_F_GUEST_CSUM, NET_F_GUEST_TSO4, NET_F_GUEST_TSO6);
    static final int PROTOCOL_F_LOG_SHMFD = 1;
    static final int PROTOCOL_F_RARP = 2;
    static final int PROTOCOL_F_REPLY_ACK = 3;
    static final int PROTOCOL_F_CONFIGURE_MEM_SLOTS = 15;
    static final long PROTOCOL_FEATURES = bits(PROTOCOL_F_LOG_SHMFD, PROTOCOL_F_RARP, PROTOCOL_F_REPLY_ACK,
            PROTOCOL_F_CONFIGURE_MEM_SLOTS);
    /** The receive queue (device writes, guest reads) and the transmit queue of the one queue pair. */
    static final int RX = 0;
    static final int TX = 1;

    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private VhostUser() {
    }

    static long bits(int... bits) {
        long b = 0;
        for (int i : bits) {
            b |= 1L << i;
        }
        return b;
    }

    static boolean has(long features, int bit) {
        return (features & (1L << bit)) != 0;
    }

    static void header(MemorySegment m, int request, int flags, int size) {
        m.set(U32, 0, request);
        m.set(U32, 4, flags);
        m.set(U32, 8, size);
    }

    static String name(int request) {
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
            case GET_MAX_MEM_SLOTS -> "GET_MAX_MEM_SLOTS";
            case ADD_MEM_REG -> "ADD_MEM_REG";
            case REM_MEM_REG -> "REM_MEM_REG";
            default -> "request " + request;
        };
    }
}
