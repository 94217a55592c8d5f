package io.parvirt.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.testing.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Complete output lines reach the listeners, the way the hypervisor watches for its ready line and panics. */
@Tag("unit")
class ConsoleLinesTest {
    @TempDir
    Path dir;

    @Test
    void everyCompleteLineReachesEveryListenerEvenWhenSplitAcrossReads() throws Exception {
        try (ConsoleRig rig = new ConsoleRig(dir, 1 << 20)) {
            List<String> a = new CopyOnWriteArrayList<>();
            List<String> b = new CopyOnWriteArrayList<>();
            rig.console.addListener(a::add);
            rig.console.addListener(b::add);
            rig.qemu.write("[    1.234] Run /init as init process\r\nparvirt: rea");
            rig.awaitOutput(47); // the console has read the half line before the rest is written
            rig.qemu.write("dy lpar1\r\n[   9.9] Kernel panic - not syncing: Attempted to kill init!\r\nno newline yet");
            Await.until("three lines", Duration.ofSeconds(5), b::size, n -> n == 3);
            assertThat(a).containsExactly("[    1.234] Run /init as init process", "parvirt: ready lpar1",
                    "[   9.9] Kernel panic - not syncing: Attempted to kill init!");
            assertThat(b).isEqualTo(a);
        }
    }

    @Test
    void aListenerThatBlocksStallsNeitherTheLogNorTheOtherOutput() throws Exception {
        try (ConsoleRig rig = new ConsoleRig(dir, 1 << 20)) {
            CountDownLatch release = new CountDownLatch(1);
            rig.console.addListener(line -> {
                try {
                    release.await(); // a hypervisor stopping QEMU on a panic line can take seconds
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            String line = "x".repeat(99) + "\n";
            byte[] out = line.repeat(5000).getBytes();
            rig.qemu.write(out);
            rig.awaitOutput(out.length);
            assertThat(rig.console.counters().droppedLines()).isGreaterThan(0);
            assertThat(rig.console.tail(100)).isEqualTo(line.getBytes());
            release.countDown();
        }
    }
}
