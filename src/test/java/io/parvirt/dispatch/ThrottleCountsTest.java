package io.parvirt.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.parvirt.testing.Await;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("unit")
class ThrottleCountsTest {
    private static long parse(String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        return ThrottleCounts.parse(b, b.length);
    }

    @Test
    void theFieldIsFoundOnItsOwnLineOfEitherCgroupVersion() {
        assertThat(parse("nr_periods 40\nnr_throttled 7\nthrottled_time 123\n")).isEqualTo(7);
        assertThat(parse("usage_usec 5\nuser_usec 3\nsystem_usec 2\nnr_periods 9\nnr_throttled 12345678901\n"))
                .isEqualTo(12345678901L);
        assertThat(parse("nr_throttled 3")).isEqualTo(3);
        assertThat(parse("xnr_throttled 3\n")).isEqualTo(-1);
        assertThat(parse("nr_periods 1\n")).isEqualTo(-1);
        assertThat(parse("nr_throttled \n")).isEqualTo(-1);
    }

    @Test
    void theThrottledTimeIsReadWithTheCountInNanosecondsOfEitherCgroupVersion(@TempDir Path dir) throws Exception {
        Path v1 = dir.resolve("v1.stat");
        Path v2 = dir.resolve("v2.stat");
        Files.writeString(v1, "nr_periods 40\nnr_throttled 7\nthrottled_time 123456789\nnr_bursts 0\n");
        Files.writeString(v2, "usage_usec 5\nnr_periods 9\nnr_throttled 3\nthrottled_usec 18000\n");
        try (ThrottleCounts counts = new ThrottleCounts()) {
            assertThat(counts.timeNs(1)).isEqualTo(-1);
            assertThat(counts.read(1, id -> v1)).isEqualTo(7);
            assertThat(counts.timeNs(1)).isEqualTo(123456789L);
            assertThat(counts.read(2, id -> v2)).isEqualTo(3);
            assertThat(counts.timeNs(2)).isEqualTo(18_000_000L);
            counts.forget(1);
            assertThat(counts.timeNs(1)).isEqualTo(-1);
        }
    }

    @Test
    void aFileKeptOpenIsReadAfreshAndAMissingOneIsMinusOneUntilItExists(@TempDir Path dir) throws Exception {
        Path stat = dir.resolve("cpu.stat");
        try (ThrottleCounts counts = new ThrottleCounts()) {
            assertThat(counts.read(1, id -> stat)).isEqualTo(-1);
            Files.writeString(stat, "nr_periods 10\nnr_throttled 4\nthrottled_time 99\n");
            assertThat(counts.read(1, id -> stat)).isEqualTo(4);
            Files.writeString(stat, "nr_periods 11\nnr_throttled 5\n");
            assertThat(counts.read(1, id -> stat)).isEqualTo(5);
        }
    }

    /** The real cgroupfs renders cpu.stat afresh for every read at offset 0 of the open file. */
    @Test
    void aRealGroupsCountRisesThroughTheOpenFile() throws Exception {
        Path cpu = Path.of("/sys/fs/cgroup/cpu");
        assumeTrue(Files.isWritable(cpu.resolve("tasks")), "cgroup v1 cpu controller writable (root)");
        Path group = Files.createDirectories(cpu.resolve("parvirt-throttle-test-" + ProcessHandle.current().pid()));
        Process busy = new ProcessBuilder("sh", "-c", "while :; do :; done").start();
        try (ThrottleCounts counts = new ThrottleCounts()) {
            Files.writeString(group.resolve("cpu.cfs_period_us"), "10000");
            Files.writeString(group.resolve("cpu.cfs_quota_us"), "1000");
            Files.writeString(group.resolve("tasks"), Long.toString(busy.pid()));
            long first = counts.read(7, id -> group.resolve("cpu.stat"));
            assertThat(first).isGreaterThanOrEqualTo(0);
            Await.until("the busy group throttled in 3 more periods, read through the open file", Duration.ofSeconds(10),
                    () -> counts.read(7, id -> group.resolve("cpu.stat")) >= first + 3);
        } finally {
            busy.destroyForcibly().waitFor();
            Files.deleteIfExists(group);
        }
    }
}
