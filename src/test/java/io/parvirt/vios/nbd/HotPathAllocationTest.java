package io.parvirt.vios.nbd;

import static io.parvirt.vios.nbd.RawClient.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data path allocates nothing per request (STYLE.md §7): the connection's thread, counted by
 * the JVM's per-thread allocation counter, allocates next to nothing over tens of thousands of
 * pipelined reads, writes and flushes once it is warm.
 */
@Tag("unit")
class HotPathAllocationTest {
    static final int BATCH = 16;
    static final int ROUNDS = 8;

    @TempDir
    Path tmp;

    @Test
    void aWarmConnectionAllocatesNothingPerRequest() throws Exception {
        try (NbdRig rig = new NbdRig(tmp)) {
            Endpoint disk = rig.serve("alloc", 8L << 20);
            try (RawClient c = RawClient.open(disk.socket(), "alloc")) {
                long thread = connectionThread();
                var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
                // Warm means compiled: on a loaded host the JIT's threads get the CPU late, and code
                // still interpreted allocates what C2's escape analysis removes; a branch first taken
                // late (a poll that ran out, a payload that came in two pieces) deoptimizes the
                // method, and the frames it leaves materialize their scalar-replaced objects (about
                // 1.4 KB each time, seen here; a CI run saw 11 KB in each of eight rounds). So rounds
                // run until one allocates next to nothing, for up to 30 s. An allocation in the code
                // itself shows in every round (one 16-byte object per request is 520 KB a round,
                // the bound is 64 KB) and the test fails after the last. The bound is 2 bytes a
                // request, not less: in CI, with the other test fork loading the host, the thread
                // allocated up to 16 bytes per batch (32,000 bytes in 2,000 batches, every round for
                // 30 s; source not found, nothing per request), where on a quiet host it is 0.
                batches(c, 2_000);
                long allocated = 0;
                int requests = 0;
                StringBuilder rounds = new StringBuilder();
                long deadline = System.nanoTime() + 30_000_000_000L;
                for (int round = 0; round < ROUNDS || System.nanoTime() < deadline; round++) {
                    long before = mx.getThreadAllocatedBytes(thread);
                    requests = batches(c, 2_000);
                    allocated = mx.getThreadAllocatedBytes(thread) - before;
                    rounds.append(' ').append(allocated);
                    if (allocated < 2L * requests) {
                        break;
                    }
                }
                System.out.println("bytes allocated in each round of " + requests + " requests:" + rounds);
                assertThat(allocated).as("bytes allocated by the connection thread over %d requests (rounds:%s)", requests, rounds)
                        .isLessThan(2L * requests);
            }
        }
    }

    /** {@code n} batches of 16 requests in flight: 4 KiB writes, 4 KiB reads, and a FLUSH every 4 batches. */
    private static int batches(RawClient c, int n) throws IOException {
        byte[] data = new byte[4096];
        Arrays.fill(data, (byte) 0x3c);
        ByteBuffer batch = ByteBuffer.allocate(BATCH * (28 + 4096) + 28);
        byte[] sink = new byte[4096];
        int requests = 0;
        for (int i = 0; i < n; i++) {
            batch.clear();
            for (int j = 0; j < BATCH; j++) {
                long offset = ((long) (i * BATCH + j) % 2048) * 4096;
                if (j % 2 == 0) {
                    batch.put(RawClient.header(CMD_WRITE, 0, j, offset, 4096).flip()).put(data);
                } else {
                    batch.put(RawClient.header(CMD_READ, 0, j, offset, 4096).flip());
                }
            }
            boolean flush = i % 4 == 0;
            if (flush) {
                batch.put(RawClient.header(CMD_FLUSH, 0, 99, 0, 0).flip());
            }
            c.write(batch.flip());
            for (int j = 0; j < BATCH; j++) {
                assertThat(c.reply().error()).isZero();
                if (j % 2 == 1) {
                    c.readExactly(4096).get(sink);
                }
            }
            if (flush) {
                assertThat(c.reply().error()).isZero();
            }
            requests += BATCH + (flush ? 1 : 0);
        }
        return requests;
    }

    private static long connectionThread() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("nbd-alloc-"))
                .findFirst().orElseThrow().threadId();
    }
}
