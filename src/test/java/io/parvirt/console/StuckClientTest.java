package io.parvirt.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.testing.Await;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A vterm client that stops reading costs itself output, never the log. */
@Tag("unit")
class StuckClientTest {
    private static final int MB = 1 << 20;

    @TempDir
    Path dir;

    @Test
    void aClientThatNeverReadsDoesNotStallLoggingAndItsDropsAreCounted() throws Exception {
        try (ConsoleRig rig = new ConsoleRig(dir, 8L * MB);
                SocketChannel stuck = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            stuck.connect(UnixDomainSocketAddress.of(rig.vterm()));
            Await.until("session attached", Duration.ofSeconds(5), rig.console::sessionOpen);
            byte[] block = ("x".repeat(1022) + "\r\n").getBytes(); // 1 KiB lines
            byte[] chunk = new byte[MB];
            for (int i = 0; i < MB; i += block.length) {
                System.arraycopy(block, 0, chunk, i, block.length);
            }
            long t0 = System.nanoTime();
            for (int i = 0; i < 50; i++) {
                rig.qemu.write(chunk); // blocks if the console stops reading: the test would time out
            }
            rig.awaitOutput(50L * MB);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            Counters c = rig.console.counters();
            assertThat(c.outputBytes()).isEqualTo(50L * MB);
            assertThat(c.droppedOutputBytes()).isGreaterThan(40L * MB);
            assertThat(c.logErrors()).isZero();
            assertThat(ms).as("50 MB logged in %d ms", ms).isLessThan(10_000);
            long logged = 0;
            for (String s : new String[] {"", ".1", ".2", ".3"}) {
                assertThat(Files.size(rig.log(s))).isLessThanOrEqualTo(8L * MB);
                logged += Files.size(rig.log(s));
            }
            assertThat(logged).isEqualTo(26L * MB); // 50 MB = 6 full files and 2 MB; 3 old files + the live one kept
            assertThat(rig.console.sessionOpen()).isTrue();
            assertThat(rig.console.closeSession()).isTrue(); // rmvterm still frees a stuck session
        }
    }
}
