package io.parvirt.vios.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.vhost.VhostUser;
import io.parvirt.vhost.Virtqueue;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The storage server's vhost-user-blk device (issue 17) against a front end that does what QEMU and
 * a Linux guest's driver do ({@link BlkFrontEnd}): real Unix socket, memfd guest memory, split ring.
 * Requests reach the same file, layers and counters as NBD's; a hostile guest's chains fail only
 * their own request.
 */
@Tag("unit")
class VhostUserBlkTest {
    static final long SIZE = 16L << 20;
    static final long DATA = BlkFrontEnd.GPA + BlkFrontEnd.DATA_AT;

    @RegisterExtension
    final NbdRig rig = NbdRig.serving("lv01", SIZE);

    static byte[] pattern(int len, int seed) {
        byte[] b = new byte[len];
        new Random(seed).nextBytes(b);
        return b;
    }

    byte[] file(long at, int len) throws Exception {
        byte[] all = Files.readAllBytes(rig.disk().export().file());
        return Arrays.copyOfRange(all, (int) at, (int) at + len);
    }

    @Test
    void theConfigurationSpaceSaysTheDisksSizeAndLimits() throws Exception {
        assertThat(rig.disk().vhostSocket()).as("a read-write disk has its vhost-user-blk socket").isNotNull()
                .hasFileName("lv01.vhost");
        try (BlkFrontEnd g = new BlkFrontEnd(rig.disk().vhostSocket())) {
            MemorySegment c = g.config(60);
            assertThat(c.get(VhostUser.U64, 0)).as("capacity in sectors").isEqualTo(SIZE / 512);
            assertThat(c.get(VhostUser.U32, 12)).as("seg_max").isEqualTo(VirtioBlk.SEG_MAX);
            assertThat(c.get(VhostUser.U32, 20)).as("blk_size: 512-byte sectors, as scsi-hd over NBD").isEqualTo(512);
            assertThat(c.get(ValueLayout.JAVA_BYTE, 24)).as("physical_block_exp: 4 KiB").isEqualTo((byte) 3);
            assertThat(c.get(VirtioBlk.U16, 34)).as("num_queues").isEqualTo((short) 1);
            assertThat(VhostUser.has(g.features, VirtioBlk.F_FLUSH)).isTrue();
            assertThat(VhostUser.has(g.features, VirtioBlk.F_RO)).isFalse();
        }
    }

    @Test
    void writesAndReadsGoBetweenGuestMemoryAndTheFileByteForByte() throws Exception {
        try (BlkFrontEnd g = new BlkFrontEnd(rig.disk().vhostSocket())) {
            byte[] p = pattern(1 << 20, 1);
            g.put(DATA, p);
            assertThat(g.io(VirtioBlk.T_OUT, 2049, DATA, p.length, 7)).as("status of a 1 MiB write in 7 pieces")
                    .isEqualTo(VirtioBlk.S_OK);
            assertThat(g.io(VirtioBlk.T_FLUSH, 0, 0, 0, 0)).isEqualTo(VirtioBlk.S_OK);
            assertThat(file(2049L * 512, p.length)).as("the file holds the guest's bytes").isEqualTo(p);
            assertThat(file(2049L * 512 - 512, 512)).as("nothing before").containsOnly(0);

            g.put(DATA + (1 << 20), new byte[1 << 20]);
            assertThat(g.io(VirtioBlk.T_IN, 2049, DATA + (1 << 20), p.length, 3)).isEqualTo(VirtioBlk.S_OK);
            assertThat(g.get(DATA + (1 << 20), p.length)).as("read back into guest memory").isEqualTo(p);
            assertThat((int) (g.usedEntry(g.used() - 1) >>> 32)).as("used length: the data and the status")
                    .isEqualTo(p.length + 1);

            ExportCounters n = rig.disk().counters();
            assertThat(n.writes()).isEqualTo(1);
            assertThat(n.reads()).isEqualTo(1);
            assertThat(n.bytesWritten()).isEqualTo(p.length);
            assertThat(n.bytesRead()).isEqualTo(p.length);
            assertThat(n.flushes()).isEqualTo(1);
            assertThat(n.syncs()).isEqualTo(1);
            assertThat(n.openConnections()).isEqualTo(1);
        }
    }

    @Test
    void aWriteThroughVhostUserIsInTheSnapshotLayersNbdReads() throws Exception {
        byte[] before = pattern(4096, 2);
        byte[] after = pattern(4096, 3);
        try (BlkFrontEnd g = new BlkFrontEnd(rig.disk().vhostSocket());
                RawClient nbd = RawClient.open(rig.disk().socket(), "lv01")) {
            g.put(DATA, before);
            assertThat(g.io(VirtioBlk.T_OUT, 8, DATA, 4096, 1)).isEqualTo(VirtioBlk.S_OK);
            rig.server.snapshot("lv01", "s1", 1);
            g.put(DATA, after);
            assertThat(g.io(VirtioBlk.T_OUT, 8, DATA, 4096, 2)).isEqualTo(VirtioBlk.S_OK);
            assertThat(nbd.read(4096, 4096)).as("NBD reads the vhost-user write from the top layer").isEqualTo(after);
            assertThat(file(4096, 4096)).as("the base file stays as at the snapshot").isEqualTo(before);
            rig.server.revert("lv01", "s1");
            g.put(DATA, new byte[4096]);
            assertThat(g.io(VirtioBlk.T_IN, 8, DATA, 4096, 1)).isEqualTo(VirtioBlk.S_OK);
            assertThat(g.get(DATA, 4096)).as("after the revert, vhost-user reads the snapshot's state").isEqualTo(before);
        }
    }

    @Test
    void badRangesLengthsAndTypesFailOnlyTheirRequest() throws Exception {
        try (BlkFrontEnd g = new BlkFrontEnd(rig.disk().vhostSocket())) {
            assertThat(g.io(VirtioBlk.T_OUT, SIZE / 512, DATA, 512, 1)).as("past the end").isEqualTo(VirtioBlk.S_IOERR);
            assertThat(g.io(VirtioBlk.T_IN, SIZE / 512 - 1, DATA, 1024, 1)).as("across the end")
                    .isEqualTo(VirtioBlk.S_IOERR);
            assertThat(g.io(VirtioBlk.T_IN, -1L, DATA, 512, 1)).as("a sector that overflows").isEqualTo(VirtioBlk.S_IOERR);
            assertThat(g.io(VirtioBlk.T_OUT, 0, DATA, 100, 1)).as("not whole sectors").isEqualTo(VirtioBlk.S_IOERR);
            assertThat(g.io(99, 0, DATA, 512, 1)).as("an unknown type").isEqualTo(VirtioBlk.S_UNSUPP);
            assertThat(g.io(VirtioBlk.T_GET_ID, 0, DATA, 20, 1)).isEqualTo(VirtioBlk.S_OK);
            assertThat(new String(g.get(DATA, 20), java.nio.charset.StandardCharsets.US_ASCII)).startsWith("lv01");
            assertThat(g.io(VirtioBlk.T_IN, 0, DATA, 512, 1)).as("a good request after them").isEqualTo(VirtioBlk.S_OK);
            ExportCounters n = rig.disk().counters();
            assertThat(n.errors(RequestError.OUT_OF_RANGE)).isEqualTo(4);
            assertThat(n.errors(RequestError.UNKNOWN_COMMAND)).isEqualTo(1);
        }
    }

    @Test
    void discardPunchesAHoleAndWriteZeroesZeroes() throws Exception {
        try (BlkFrontEnd g = new BlkFrontEnd(rig.disk().vhostSocket())) {
            byte[] p = pattern(64 << 10, 4);
            g.put(DATA, p);
            assertThat(g.io(VirtioBlk.T_OUT, 0, DATA, p.length, 1)).isEqualTo(VirtioBlk.S_OK);
            long seg = DATA + (1 << 20);
            g.put(seg, ByteBuffer.allocate(16).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(8).putInt(16).putInt(0)
                    .array());
            assertThat(g.io(VirtioBlk.T_DISCARD, 0, seg, 16, 1)).isEqualTo(VirtioBlk.S_OK);
            g.put(seg, ByteBuffer.allocate(16).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(40).putInt(8).putInt(0)
                    .array());
            assertThat(g.io(VirtioBlk.T_WRITE_ZEROES, 0, seg, 16, 1)).isEqualTo(VirtioBlk.S_OK);
            byte[] want = p.clone();
            Arrays.fill(want, 8 * 512, 24 * 512, (byte) 0);
            Arrays.fill(want, 40 * 512, 48 * 512, (byte) 0);
            assertThat(file(0, p.length)).isEqualTo(want);
            g.put(seg, ByteBuffer.allocate(16).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(0).putInt(8).putInt(1)
                    .array());
            assertThat(g.io(VirtioBlk.T_DISCARD, 0, seg, 16, 1)).as("DISCARD with UNMAP").isEqualTo(VirtioBlk.S_UNSUPP);
            assertThat(rig.disk().counters().trims()).isEqualTo(2);
            assertThat(rig.disk().counters().writeZeroes()).isEqualTo(1);
        }
    }

    @Test
    void pagesTheDeviceWritesAreMarkedInTheDirtyLogWhileQemuLogs() throws Exception {
        try (BlkFrontEnd g = new BlkFrontEnd(rig.disk().vhostSocket())) {
            g.startLogging();
            long buf = DATA + (2 << 20);
            assertThat(g.io(VirtioBlk.T_OUT, 0, DATA, 8192, 1)).isEqualTo(VirtioBlk.S_OK);
            assertThat(g.dirty(DATA)).as("a write only reads guest memory").isFalse();
            assertThat(g.io(VirtioBlk.T_IN, 0, buf, 12288, 2)).isEqualTo(VirtioBlk.S_OK);
            for (long page = buf; page < buf + 12288; page += 4096) {
                assertThat(g.dirty(page)).as("read data page %x", page).isTrue();
            }
            assertThat(g.dirty(buf + 12288)).as("the page after").isFalse();
            assertThat(g.dirty(BlkFrontEnd.header(0))).as("the status bytes' page").isTrue();
            assertThat(g.dirty(BlkFrontEnd.GPA + BlkFrontEnd.USED)).as("the used ring").isTrue();
        }
    }

    /** An address a hostile guest might write: inside, at the edges, below, past, or absurd. */
    static long address(Random r) {
        long g = BlkFrontEnd.GPA;
        long end = g + BlkFrontEnd.SIZE;
        return switch (r.nextInt(8)) {
            case 0 -> g + r.nextLong(BlkFrontEnd.SIZE);
            case 1 -> end - r.nextInt(4096);
            case 2 -> g - 1 - r.nextInt(4096);
            case 3 -> end + r.nextInt(4096);
            case 4 -> -1L - r.nextInt(100);
            case 5 -> r.nextLong();
            case 6 -> 0;
            default -> BlkFrontEnd.header(r.nextInt(4));
        };
    }

    static int length(Random r) {
        return switch (r.nextInt(6)) {
            case 0 -> 0;
            case 1 -> -1; // 4 GiB - 1 as the u32 the device reads
            case 2 -> r.nextInt(100);
            case 3 -> (int) BlkFrontEnd.SIZE;
            case 4 -> 16 + 512 * r.nextInt(8);
            default -> 512 * (1 + r.nextInt(256));
        };
    }

    /**
     * A hostile guest's chains: addresses around and past its memory, lengths up to 4 GiB, every
     * flag combination (wrong directions, INDIRECT), looping and out-of-range {@code next}s and
     * heads, headers with random types and sectors. Each fails alone (the JVM surviving is part of
     * the check: an access outside the mapping would kill it), every chain comes back, the file is
     * written only inside the disk, and a good request works after each round.
     */
    @Test
    void malformedChainsFailAloneAndCountedAndGoodRequestsStillWork() throws Exception {
        Random r = new Random(17);
        byte[] good = pattern(8192, 5);
        try (BlkFrontEnd g = new BlkFrontEnd(rig.disk().vhostSocket())) {
            for (int round = 0; round < 40; round++) {
                for (int d = 0; d < BlkFrontEnd.QUEUE; d++) {
                    int next = r.nextBoolean() ? r.nextInt(BlkFrontEnd.QUEUE) : r.nextInt(65536);
                    g.descriptor(d, address(r), length(r), r.nextInt(8), r.nextBoolean() ? d : next);
                }
                for (int s = 0; s < 4; s++) {
                    long h = BlkFrontEnd.header(s) - BlkFrontEnd.GPA;
                    g.mem.set(VhostUser.U32, h, r.nextInt(16));
                    g.mem.set(VhostUser.U64, h + 8, r.nextInt(3) == 0 ? r.nextLong() : r.nextInt((int) (SIZE / 512)));
                }
                int before = g.used();
                int returned = 0;
                for (int i = 0; i < 30; i++) {
                    int head = r.nextInt(10) == 0 ? BlkFrontEnd.QUEUE + r.nextInt(60000) : r.nextInt(BlkFrontEnd.QUEUE);
                    g.post(head);
                    returned += head < BlkFrontEnd.QUEUE ? 1 : 0; // an out-of-range head names no chain to give back
                }
                g.awaitUsed(before + returned);
                g.put(DATA, good);
                assertThat(g.io(VirtioBlk.T_OUT, 64, DATA, good.length, 2)).as("round %d's good write", round)
                        .isEqualTo(VirtioBlk.S_OK);
                g.put(DATA, new byte[good.length]);
                assertThat(g.io(VirtioBlk.T_IN, 64, DATA, good.length, 3)).isEqualTo(VirtioBlk.S_OK);
                assertThat(g.get(DATA, good.length)).as("round %d's good read", round).isEqualTo(good);
            }
            assertThat(rig.disk().counters().errors(RequestError.MALFORMED_CHAIN)).as("malformed chains counted")
                    .isGreaterThan(100);
            assertThat(Files.size(rig.disk().export().file())).as("nothing written past the disk").isEqualTo(SIZE);
        }
    }

    @Test
    void aChainWithoutAStatusByteIsGivenBackEmptyAndOneWithoutAHeaderGetsIoerr() throws Exception {
        try (BlkFrontEnd g = new BlkFrontEnd(rig.disk().vhostSocket())) {
            long h = BlkFrontEnd.header(0);
            g.descriptor(0, h, 16, 0, 0); // header only: nowhere to write a status
            int n = g.used();
            g.post(0);
            g.awaitUsed(n + 1);
            assertThat(g.usedEntry(n)).as("id 0, nothing written").isEqualTo(0L);
            g.mem.set(ValueLayout.JAVA_BYTE, h - BlkFrontEnd.GPA + 16, (byte) 0x7f);
            g.descriptor(0, h, 8, Virtqueue.DESC_NEXT, 1); // a header of 8 bytes
            g.descriptor(1, h + 16, 1, Virtqueue.DESC_WRITE, 0);
            g.post(0);
            g.awaitUsed(n + 2);
            assertThat(g.get(h + 16, 1)[0]).isEqualTo((byte) VirtioBlk.S_IOERR);
            g.descriptor(0, DATA, 512, Virtqueue.DESC_WRITE | Virtqueue.DESC_NEXT, 1); // writable, then readable
            g.descriptor(1, h, 16, 0, 0);
            byte[] readOnly = new byte[16];
            Arrays.fill(readOnly, (byte) 0x55);
            g.put(h, readOnly);
            g.post(0);
            g.awaitUsed(n + 3);
            assertThat(g.get(h, 16)).as("nothing written into the guest's device-readable buffer").isEqualTo(readOnly);
            assertThat(g.usedEntry(n + 2)).as("given back with nothing written").isEqualTo(0L);
            assertThat(rig.disk().counters().errors(RequestError.MALFORMED_CHAIN)).isEqualTo(3);
        }
    }
}
