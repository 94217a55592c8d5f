package io.parvirt.vios.nbd;

import static io.parvirt.vios.nbd.RawClient.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.parvirt.vios.nbd.RawClient.Reply;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * WRITE_ZEROES on a file system that punches holes but cannot zero a range in place: tmpfs
 * ({@code /dev/shm}) refuses FALLOC_FL_ZERO_RANGE. NO_HOLE then falls back to writing zeros, and
 * FAST_ZERO with NO_HOLE is refused with ENOTSUP, leaving the data as it was.
 */
@Tag("unit")
class ZeroingFallbackTest {
    Path dir;
    NbdRig rig;
    Endpoint disk;

    @BeforeEach
    void start() throws IOException {
        Path shm = Path.of("/dev/shm");
        assumeTrue(Files.isDirectory(shm) && "tmpfs".equals(Files.getFileStore(shm).type()), "/dev/shm is tmpfs");
        dir = Files.createTempDirectory(shm, "parvirt-nbd-test-");
        rig = new NbdRig(dir);
        disk = rig.serve("shm", 4 << 20);
    }

    @AfterEach
    void stop() throws IOException {
        if (rig != null) {
            rig.close();
            try (var files = Files.walk(dir)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    @Test
    void noHoleWritesZerosAndFastZeroIsRefusedWhereZeroRangeIsMissing() throws IOException {
        byte[] ones = new byte[1 << 20];
        Arrays.fill(ones, (byte) 1);
        try (RawClient c = RawClient.open(disk.socket(), "shm")) {
            c.write(0, ones, 0);
            assertThat(c.command(CMD_WRITE_ZEROES, FLAG_NO_HOLE | FLAG_FAST_ZERO, 0, 64 << 10)).isEqualTo(new Reply(95, 9));
            assertThat(c.read(0, 64 << 10)).as("left as it was").isEqualTo(Arrays.copyOf(ones, 64 << 10));
            assertThat(c.command(CMD_WRITE_ZEROES, FLAG_NO_HOLE, 0, (64 << 10) + 7)).isEqualTo(new Reply(0, 9));
            byte[] expected = new byte[(64 << 10) + 8];
            expected[expected.length - 1] = 1; // the byte after the zeroed range is untouched
            assertThat(c.read(0, expected.length)).isEqualTo(expected);
            // without NO_HOLE a hole is punched, which tmpfs can do, so FAST_ZERO succeeds
            assertThat(c.command(CMD_WRITE_ZEROES, FLAG_FAST_ZERO, 512 << 10, 128 << 10)).isEqualTo(new Reply(0, 9));
            assertThat(c.read(512 << 10, 128 << 10)).isEqualTo(new byte[128 << 10]);
        }
        assertThat(disk.counters().errors(RequestError.NOT_FAST)).isEqualTo(1);
    }
}
