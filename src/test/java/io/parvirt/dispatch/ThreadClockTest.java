package io.parvirt.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
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

    @Test
    void theStateLetterIsReadAfterTheLastParenthesis() {
        byte[] b = "7 (a) b (c) d) R 1 7".getBytes(StandardCharsets.US_ASCII);
        assertThat(ThreadClock.state(b, b.length)).isEqualTo('R');
        byte[] cut = "7 (trunc".getBytes(StandardCharsets.US_ASCII);
        assertThat(ThreadClock.state(cut, cut.length)).isEqualTo((char) 0);
    }

    /** A spinning thread of this JVM is runnable, a sleeping one is not, and one that is gone is not. */
    @Test
    void aSpinningThreadIsRunnableAndASleepingOneIsNot() throws Exception {
        long pid = ProcessHandle.current().pid();
        CountDownLatch stop = new CountDownLatch(1);
        Thread spin = spinning("pv-spin", stop);
        Thread nap = Thread.ofPlatform().name("pv-nap").start(() -> {
            try {
                stop.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            long spinning = tid(pid, "pv-spin");
            long sleeping = tid(pid, "pv-nap");
            ThreadClock clock = new ThreadClock();
            assertThat(clock.runnable(pid, List.of(spinning))).isTrue();
            assertThat(clock.runnable(pid, List.of(sleeping))).isFalse();
            assertThat(clock.runnable(pid, List.of(sleeping, spinning))).isTrue();
            assertThat(clock.runnable(pid, List.of(Long.MAX_VALUE))).as("no such thread").isFalse();
        } finally {
            stop.countDown();
            spin.join();
            nap.join();
        }
    }

    /**
     * The schedstat files stay open between readings and still show the time now; a thread that
     * ended is read as not read, and its file is closed once SWEEP readings went by without it.
     */
    @Test
    void keptOpenSchedstatShowsTheTimeNowAndIsClosedAfterItsThreadEnds() throws Exception {
        long pid = ProcessHandle.current().pid();
        CountDownLatch stop = new CountDownLatch(1);
        Thread spin = spinning("pv-spin2", stop);
        long spinning = tid(pid, "pv-spin2");
        ThreadClock clock = new ThreadClock();
        ThreadClock.Reading first = clock.read(pid, List.of(spinning), false);
        Thread.sleep(100);
        ThreadClock.Reading second = clock.read(pid, List.of(spinning), false);
        assertThat(second.threadsRead()).isEqualTo(1);
        assertThat(second.runNs() - first.runNs()).as("ran in 100 ms of spinning").isGreaterThan(20_000_000L);
        assertThat(openSchedstats(pid, spinning)).isEqualTo(1);
        stop.countDown();
        spin.join();
        // join() returns before the native thread has quite gone: it reads as ended within moments.
        int read = 1;
        for (int i = 0; i < 200 && read > 0; i++) {
            read = clock.read(pid, List.of(spinning), false).threadsRead();
            Thread.sleep(read > 0 ? 10 : 0);
        }
        assertThat(read).as("ended").isZero();
        clock.read(pid, List.of(spinning), false);
        for (int i = 0; i < ThreadClock.SWEEP; i++) {
            clock.read(pid, List.of(pid), false);
        }
        assertThat(openSchedstats(pid, spinning)).as("closed by the sweep").isZero();
    }

    /** This process's descriptors open on the schedstat of thread {@code tid}. */
    private static long openSchedstats(long pid, long tid) throws IOException {
        String name = "/task/" + tid + "/schedstat";
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().endsWith(name);
                } catch (IOException e) {
                    return false;
                }
            }).count();
        }
    }

    /** A thread of this JVM named {@code name} that spins until {@code stop} counts down. */
    private static Thread spinning(String name, CountDownLatch stop) {
        return Thread.ofPlatform().name(name).start(() -> {
            while (stop.getCount() > 0) {
                Thread.onSpinWait();
            }
        });
    }

    /** The thread id of this process's thread named {@code name} (the JVM names its native threads). */
    private static long tid(long pid, String name) throws IOException, InterruptedException {
        for (int i = 0; i < 100; i++) {
            try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
                for (Path t : tasks.toList()) {
                    try {
                        if (Files.readString(t.resolve("comm")).strip().equals(name)) {
                            return Long.parseLong(t.getFileName().toString());
                        }
                    } catch (IOException e) {
                        // the thread ended
                    }
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no thread named " + name);
    }
}
