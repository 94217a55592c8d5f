package io.parvirt.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parvirt.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What start and close promise, and how a console that cannot start says why. */
@Tag("unit")
class ConsoleStartTest {
    @TempDir
    Path dir;

    @Test
    void aSessionSocketPathTooLongForUnixSocketsIsAConsoleException() {
        Path tooLong = dir.resolve("d".repeat(120)).resolve("vterm.sock");
        VirtualConsole c = new VirtualConsole("lpar1", dir.resolve("serial.sock"), dir, tooLong, 4096);
        assertThatThrownBy(c::start).isInstanceOfSatisfying(ConsoleException.class, e -> {
            assertThat(e.kind()).isEqualTo(ConsoleException.Kind.SESSION_SOCKET_UNAVAILABLE);
            assertThat(e.partition()).isEqualTo("lpar1");
            assertThat(e.path()).isEqualTo(tooLong);
        });
        c.close();
    }

    @Test
    void anUnwritableLogDirectoryIsAConsoleException() throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-dir"), "");
        VirtualConsole c = new VirtualConsole("lpar1", dir.resolve("serial.sock"), file, dir.resolve("vt.sock"), 4096);
        assertThatThrownBy(c::start).isInstanceOfSatisfying(ConsoleException.class,
                e -> assertThat(e.kind()).isEqualTo(ConsoleException.Kind.LOG_UNAVAILABLE));
        assertThat(dir.resolve("vt.sock")).doesNotExist();
    }

    @Test
    void aStaleSessionSocketLeftByAKilledDaemonIsReplaced() throws Exception {
        Path vt = Files.writeString(dir.resolve("vt.sock"), "stale");
        try (VirtualConsole c = new VirtualConsole("lpar1", dir.resolve("serial.sock"), dir, vt, 4096)) {
            c.start();
            c.start(); // a second start changes nothing
            try (SessionClient s = new SessionClient(vt)) {
                Await.until("session attached", java.time.Duration.ofSeconds(5), c::sessionOpen);
                assertThat(s.ended()).isFalse();
            }
        }
        assertThat(vt).doesNotExist();
    }

    @Test
    void namesThatCannotNameALogFileAreRefused() {
        assertThatThrownBy(() -> new VirtualConsole("a/b", dir, dir, dir, 1)).isInstanceOf(
                IllegalArgumentException.class);
        assertThatThrownBy(() -> new VirtualConsole("a", dir, dir, dir, 0)).isInstanceOf(
                IllegalArgumentException.class);
    }
}
