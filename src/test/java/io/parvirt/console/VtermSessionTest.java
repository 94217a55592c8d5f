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

/** One vterm session at a time on the session socket, as on the HMC. */
@Tag("unit")
class VtermSessionTest {
    @TempDir
    Path dir;

    @Test
    void aSessionGetsTheOutputFromThenOnAndItsInputReachesTheGuest() throws Exception {
        try (ConsoleRig rig = new ConsoleRig(dir, 1 << 20)) {
            rig.qemu.write("before the session\n");
            rig.awaitOutput(19);
            try (SessionClient s = new SessionClient(rig.vterm())) {
                Await.until("session attached", Duration.ofSeconds(5), rig.console::sessionOpen);
                rig.qemu.write("login: ");
                s.awaitReceived("login: ");
                s.send("root\r");
                rig.qemu.awaitInput("root\r");
                Await.until("input counted", Duration.ofSeconds(5), () -> rig.console.counters().inputBytes(), n -> n == 5);
                assertThat(rig.console.counters().sessions()).isEqualTo(1);
            }
            assertThat(new String(rig.console.tail(100))).isEqualTo("before the session\nlogin: ");
        }
    }

    @Test
    void theSessionSocketIsOwnerOnlyAndGoesAwayWithTheConsole() throws Exception {
        try (ConsoleRig rig = new ConsoleRig(dir, 1 << 20)) {
            assertThat(Files.getPosixFilePermissions(rig.vterm())).isEqualTo(PosixFilePermissions.fromString(
                    "rw-------"));
            rig.console.close();
            assertThat(rig.vterm()).doesNotExist();
        }
    }

    @Test
    void aSecondSessionGetsTheAlreadyOpenLineAndIsClosedWhileTheFirstKeepsWorking() throws Exception {
        try (ConsoleRig rig = new ConsoleRig(dir, 1 << 20); SessionClient first = new SessionClient(rig.vterm())) {
            Await.until("session attached", Duration.ofSeconds(5), rig.console::sessionOpen);
            try (SessionClient second = new SessionClient(rig.vterm())) {
                second.awaitEnd();
                assertThat(second.received()).isEqualTo("HSCL8003 The virtual terminal session for partition lpar1"
                        + " is already open. Use rmvterm to close it, then retry.\n");
            }
            rig.qemu.write("still here\n");
            first.awaitReceived("still here\n");
            first.send("ok\n");
            rig.qemu.awaitInput("ok\n");
            assertThat(rig.console.counters().refusedSessions()).isEqualTo(1);
            assertThat(first.ended()).isFalse();
        }
    }

    @Test
    void closeSessionDetachesTheClientAndFreesTheConsoleForTheNext() throws Exception {
        try (ConsoleRig rig = new ConsoleRig(dir, 1 << 20); SessionClient first = new SessionClient(rig.vterm())) {
            Await.until("session attached", Duration.ofSeconds(5), rig.console::sessionOpen);
            assertThat(rig.console.closeSession()).isTrue();
            first.awaitEnd();
            assertThat(rig.console.sessionOpen()).isFalse();
            assertThat(rig.console.closeSession()).isFalse();
            rig.qemu.write("for the log only\n");
            rig.awaitOutput(17);
            try (SessionClient next = new SessionClient(rig.vterm())) {
                Await.until("second session attached", Duration.ofSeconds(5), rig.console::sessionOpen);
                rig.qemu.write("next\n");
                next.awaitReceived("next\n");
            }
            assertThat(first.received()).isEmpty();
        }
    }

    @Test
    void aClientThatLeavesEndsItsSession() throws Exception {
        try (ConsoleRig rig = new ConsoleRig(dir, 1 << 20)) {
            try (SessionClient s = new SessionClient(rig.vterm())) {
                Await.until("session attached", Duration.ofSeconds(5), rig.console::sessionOpen);
                assertThat(s.ended()).isFalse();
            }
            Await.until("session ended", Duration.ofSeconds(5), () -> !rig.console.sessionOpen());
        }
    }
}
