package io.parvirt.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class ThreadClockTest {
    private static long parse(String line) {
        byte[] b = line.getBytes(StandardCharsets.US_ASCII);
        return ThreadClock.parseStat(b, b.length);
    }

    @Test
    void utimeAndStimeAreCountedFromTheLastParenthesisInTenMillisecondTicks() {
        // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
        assertThat(parse("4242 (qemu-system-x86) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 30 0 0 20 0 9 0\n"))
                .isEqualTo(280 * 10_000_000L);
        // A command name with spaces and parentheses (QEMU's -name sets it) does not shift the fields.
        assertThat(parse("7 (a) b (c) d) R 1 7 7 0 -1 0 0 0 0 0 12 3 0 0 20 0 1 0\n")).isEqualTo(15 * 10_000_000L);
        assertThat(parse("7 (truncated) S 1 7")).isEqualTo(-1);
        assertThat(parse("no parenthesis")).isEqualTo(-1);
    }

    @Test
    void aRealProcessesTimeIsReadWithItsThreads() {
        long pid = ProcessHandle.current().pid();
        ThreadClock clock = new ThreadClock();
        long spent = ProcessHandle.current().info().totalCpuDuration().orElseThrow().toNanos();
        ThreadClock.Reading r = clock.read(pid, List.of(pid), true);
        assertThat(r.threadsRead()).isEqualTo(1);
        // This JVM has used well over a tick by now; /proc counts in 10 ms ticks, the JDK in ns.
        assertThat(r.processNs()).isPositive().isBetween(spent - 200_000_000L, spent + 200_000_000L);
    }
}
