package io.parvirt.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Output is logged and rotated, and tail reads it back from the ring or the log. */
@Tag("unit")
class ConsoleLogTest {
    @TempDir
    Path dir;

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void theLogRotatesAtTheSizeAndKeepsThreeOldFiles() throws Exception {
        try (ConsoleRig rig = new ConsoleRig(dir, 1000)) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (int i = 0; i < 11; i++) { // 11 x 700 bytes: files fill across chunk boundaries
                byte[] b = random(700, i);
                all.write(b);
                rig.qemu.write(b);
            }
            rig.awaitOutput(7700);
            assertThat(rig.console.counters().rotations()).isEqualTo(7);
            for (String s : new String[] {"", ".1", ".2", ".3"}) {
                assertThat(Files.size(rig.log(s))).as(s).isLessThanOrEqualTo(1000);
            }
            assertThat(rig.log(".4")).doesNotExist();
            assertThat(Files.getPosixFilePermissions(rig.log(""))).isEqualTo(PosixFilePermissions.fromString(
                    "rw-------"));
            ByteArrayOutputStream kept = new ByteArrayOutputStream();
            for (String s : new String[] {".3", ".2", ".1", ""}) {
                kept.write(Files.readAllBytes(rig.log(s)));
            }
            byte[] expected = all.toByteArray();
            assertThat(kept.toByteArray()).isEqualTo(java.util.Arrays.copyOfRange(expected, expected.length - 3700,
                    expected.length));
        }
    }

    @Test
    void tailReturnsTheLastBytesFromMemoryOrFromTheLog() throws Exception {
        try (ConsoleRig rig = new ConsoleRig(dir, 1 << 20)) {
            byte[] out = random(200_000, 7); // more than the 64 KiB ring
            rig.qemu.write(out);
            rig.awaitOutput(out.length);
            assertThat(rig.console.tail(1000)).isEqualTo(java.util.Arrays.copyOfRange(out, out.length - 1000,
                    out.length));
            assertThat(rig.console.tail(150_000)).isEqualTo(java.util.Arrays.copyOfRange(out, 50_000, out.length));
            assertThat(rig.console.tail(10_000_000)).isEqualTo(out);
            assertThat(rig.console.tail(0)).isEmpty();
        }
    }

    @Test
    void tailReachesIntoRotatedFiles() throws Exception {
        try (ConsoleRig rig = new ConsoleRig(dir, 30_000)) {
            byte[] out = random(100_000, 3);
            rig.qemu.write(out);
            rig.awaitOutput(out.length);
            // the live file holds 10,000 bytes, .1 to .3 hold 30,000 each: 70,000 bytes span all four
            assertThat(rig.console.tail(70_000)).isEqualTo(java.util.Arrays.copyOfRange(out, 30_000, out.length));
            assertThat(rig.console.tail(200_000)).hasSize(100_000);
        }
    }

    @Test
    void aRestartedConsoleAppendsToTheLogItFinds() throws Exception {
        try (ConsoleRig rig = new ConsoleRig(dir, 1 << 20)) {
            rig.qemu.write("first daemon\n");
            rig.awaitOutput(13);
        }
        try (ConsoleRig rig = new ConsoleRig(dir, 1 << 20)) {
            rig.qemu.write("second daemon\n");
            rig.awaitOutput(14);
            assertThat(Files.readString(rig.log(""))).isEqualTo("first daemon\nsecond daemon\n");
            assertThat(new String(rig.console.tail(100))).isEqualTo("first daemon\nsecond daemon\n");
        }
    }

    @Test
    void aConsoleThatWasNeverStartedReadsTailFromTheLogFiles() throws Exception {
        try (ConsoleRig rig = new ConsoleRig(dir, 1000)) {
            rig.qemu.write("x".repeat(1500) + "end\n");
            rig.awaitOutput(1504);
        }
        try (VirtualConsole idle = new VirtualConsole("lpar1", dir.resolve("serial.sock"), dir.resolve("logs"),
                dir.resolve("unused.sock"), 1000)) {
            assertThat(idle.tail(4000)).hasSize(1504); // lpar1.log.1 and lpar1.log
            assertThat(new String(idle.tail(6))).isEqualTo("xxend\n");
        }
        assertThat(dir.resolve("unused.sock")).doesNotExist();
    }
}
