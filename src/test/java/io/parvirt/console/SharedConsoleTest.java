package io.parvirt.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 16: one console, one keyboard, many read-only viewers; the keyboard can be taken over. */
@Tag("unit")
class SharedConsoleTest {
    @TempDir
    Path dir;

    Path view(ConsoleRig rig) {
        return VirtualConsole.viewSocket(rig.vterm());
    }

    @Test
    void viewersSeeTheSameOutputLiveAndWhatTheyTypeNeverReachesTheGuest() throws Exception {
        try (ConsoleRig rig = new ConsoleRig(dir, 1 << 20); SessionClient keyboard = new SessionClient(rig.vterm());
                SessionClient a = new SessionClient(view(rig)); SessionClient b = new SessionClient(view(rig))) {
            assertThat(Files.getPosixFilePermissions(view(rig))).isEqualTo(PosixFilePermissions.fromString("rw-------"));
            Await.until("two viewers", Duration.ofSeconds(5), rig.console::viewerCount, n -> n == 2);
            a.send("rm -rf /\r");
            keyboard.send("uname\r");
            rig.qemu.awaitInput("uname\r");
            rig.qemu.write("Linux\r\n");
            keyboard.awaitReceived("Linux\r\n");
            a.awaitReceived("Linux\r\n");
            b.awaitReceived("Linux\r\n");
            assertThat(rig.console.counters().inputBytes()).as("only the keyboard's bytes").isEqualTo(6);
            assertThat(rig.console.counters().viewers()).isEqualTo(2);
        }
    }

    @Test
    void takingTheKeyboardTellsTheHolderEndsItKeepsViewersAndLetsTheNextClientType() throws Exception {
        try (ConsoleRig rig = new ConsoleRig(dir, 1 << 20); SessionClient holder = new SessionClient(rig.vterm());
                SessionClient viewer = new SessionClient(view(rig))) {
            Await.until("attached", Duration.ofSeconds(5), () -> rig.console.sessionOpen() && rig.console.viewerCount() == 1);
            rig.qemu.write("prompt# ");
            holder.awaitReceived("prompt# ");
            assertThat(rig.console.takeOver("[taken by victor]")).isTrue();
            holder.awaitEnd();
            assertThat(holder.received()).as("what was queued, then why it ends").isEqualTo("prompt# [taken by victor]");
            assertThat(rig.console.sessionOpen()).isFalse();
            try (SessionClient taker = new SessionClient(rig.vterm())) {
                Await.until("the taker attached", Duration.ofSeconds(5), rig.console::sessionOpen);
                taker.send("ls\r");
                rig.qemu.awaitInput("ls\r");
                rig.qemu.write("bin\r\n");
                viewer.awaitReceived("prompt# bin\r\n");
                assertThat(viewer.ended()).isFalse();
            }
            Await.until("the taker left", Duration.ofSeconds(5), () -> !rig.console.sessionOpen());
            assertThat(rig.console.takeOver("nobody holds it")).isFalse();
        }
    }

    @Test
    void rmvtermEndsTheKeyboardAndEveryViewer() throws Exception {
        try (ConsoleRig rig = new ConsoleRig(dir, 1 << 20); SessionClient holder = new SessionClient(rig.vterm());
                SessionClient viewer = new SessionClient(view(rig))) {
            Await.until("attached", Duration.ofSeconds(5), () -> rig.console.sessionOpen() && rig.console.viewerCount() == 1);
            assertThat(rig.console.closeSession()).isTrue();
            holder.awaitEnd();
            viewer.awaitEnd();
            Await.until("no viewers left", Duration.ofSeconds(5), rig.console::viewerCount, n -> n == 0);
            rig.console.close();
            assertThat(view(rig)).doesNotExist();
        }
    }
}
