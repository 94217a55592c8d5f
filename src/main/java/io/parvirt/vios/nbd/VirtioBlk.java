package io.parvirt.vios.nbd;

import io.parvirt.vhost.VhostUser;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * virtio-blk as the storage server's vhost-user-blk device speaks it (virtio 1.x, 5.2): the
 * feature bits it offers, the request header and status, and the configuration space QEMU reads
 * with GET_CONFIG. All fields little-endian.
 *
 * <pre>
 *  request: header (device-readable)  u32 type, u32 reserved, u64 sector (512 bytes each)
 *           data                      readable for OUT, writable for IN and GET_ID;
 *                                     DISCARD and WRITE_ZEROES: segments of u64 sector, u32 sectors, u32 flags (1: unmap)
 *           status (device-writable)  u8, the chain's last byte
 *
 *  configuration space (the part offered)
 *   0 capacity u64 (sectors)    20 blk_size u32            36 max_discard_sectors u32
 *   8 size_max u32              24 physical_block_exp u8   40 max_discard_seg u32
 *                               (log2 of sectors per physical block)
 *  12 seg_max u32               26 min_io_size u16 (sectors) 44 discard_sector_alignment u32
 *  16 geometry u32 (unused)     28 opt_io_size u32         48 max_write_zeroes_sectors u32
 *                               32 wce u8                  52 max_write_zeroes_seg u32
 *                               34 num_queues u16          56 write_zeroes_may_unmap u8
 * </pre>
 */
final class VirtioBlk {
    static final int F_SIZE_MAX = 1;
    static final int F_SEG_MAX = 2;
    static final int F_RO = 5;
    static final int F_BLK_SIZE = 6;
    static final int F_FLUSH = 9;
    static final int F_TOPOLOGY = 10;
    static final int F_MQ = 12;
    static final int F_DISCARD = 13;
    static final int F_WRITE_ZEROES = 14;

    static final int T_IN = 0;
    static final int T_OUT = 1;
    static final int T_FLUSH = 4;
    static final int T_GET_ID = 8;
    static final int T_DISCARD = 11;
    static final int T_WRITE_ZEROES = 13;
    static final int S_OK = 0;
    static final int S_IOERR = 1;
    static final int S_UNSUPP = 2;

    static final int SECTOR = 512;
    static final int HEADER = 16;
    static final int SEGMENT = 16;
    static final int ID_BYTES = 20;
    static final int UNMAP = 1;
    /** Descriptors of data a request may have (the guest's scatter list); the header and status come on top. */
    static final int SEG_MAX = 126;
    /** The most bytes of one descriptor. */
    static final int SIZE_MAX = 1 << 20;
    /** DISCARD and WRITE_ZEROES: one segment of up to 1 GiB per request, 4 KiB aligned. */
    static final int MAX_RANGE_SECTORS = 1 << 21;
    static final int RANGE_ALIGNMENT_SECTORS = 8;
    static final int CONFIG_BYTES = 60;

    /** What the device offers: the blk bits, plus EVENT_IDX, logging for migration, protocol features, virtio 1. */
    static final long FEATURES = VhostUser.bits(F_SIZE_MAX, F_SEG_MAX, F_BLK_SIZE, F_FLUSH, F_TOPOLOGY, F_MQ,
            F_DISCARD, F_WRITE_ZEROES, VhostUser.RING_F_EVENT_IDX, VhostUser.F_LOG_ALL, VhostUser.F_PROTOCOL_FEATURES,
            VhostUser.F_VERSION_1);
    /** Read-only media would add F_RO; only read-write disks are served this way. */
    static final long PROTOCOL_FEATURES = VhostUser.bits(VhostUser.PROTOCOL_F_MQ, VhostUser.PROTOCOL_F_LOG_SHMFD,
            VhostUser.PROTOCOL_F_REPLY_ACK, VhostUser.PROTOCOL_F_CONFIG, VhostUser.PROTOCOL_F_CONFIGURE_MEM_SLOTS);

    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private VirtioBlk() {
    }

    /** The configuration space of a disk of {@code bytes} (rounded down to whole sectors), one queue. */
    static MemorySegment config(long bytes) {
        MemorySegment c = MemorySegment.ofArray(new byte[CONFIG_BYTES]);
        c.set(VhostUser.U64, 0, bytes / SECTOR);
        c.set(VhostUser.U32, 8, SIZE_MAX);
        c.set(VhostUser.U32, 12, SEG_MAX);
        // 512-byte logical sectors, as scsi-hd over NBD shows the same disk (a partition table or
        // file system made through one transport reads the same through the other), 4 KiB physical
        // (the page cache's and the pools' block: a guest that writes whole ones never makes it read)
        c.set(VhostUser.U32, 20, SECTOR);
        c.set(ValueLayout.JAVA_BYTE, 24, (byte) 3);
        c.set(U16, 26, (short) 8);
        c.set(VhostUser.U32, 28, 0);
        c.set(U16, 34, (short) 1);
        c.set(VhostUser.U32, 36, MAX_RANGE_SECTORS);
        c.set(VhostUser.U32, 40, 1);
        c.set(VhostUser.U32, 44, RANGE_ALIGNMENT_SECTORS);
        c.set(VhostUser.U32, 48, MAX_RANGE_SECTORS);
        c.set(VhostUser.U32, 52, 1);
        c.set(ValueLayout.JAVA_BYTE, 56, (byte) 1);
        return c;
    }
}
