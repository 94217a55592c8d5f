package io.parvirt.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console follows QEMU's chardev: it waits for it to appear and comes back when it drops. */
@Tag("unit")
class ChardevReconnectTest {
    @TempDir
    Path dir;

    @Test
    void theConsoleReconnectsWhenQemuDropsItAndListensAgain() throws Exception {
        try (ConsoleRig rig = new ConsoleRig(dir, 1 << 20); SessionClient s = new SessionClient(rig.vterm())) {
            List<String> lines = new CopyOnWriteArrayList<>();
            rig.console.addListener(lines::add);
            Await.until("session attached", Duration.ofSeconds(5), rig.console::sessionOpen);
            rig.qemu.write("one\n");
            rig.awaitOutput(4);
            rig.qemu.drop();
            Thread.sleep(100); // deliberate: time for a few failed attempts while the socket is gone (nothing to await)
            rig.qemu.listen();
            rig.qemu.awaitConnections(2);
            rig.qemu.write("two\n");
            rig.awaitOutput(8);
            assertThat(Files.readString(rig.log(""))).isEqualTo("one\ntwo\n");
            Await.until("two lines", Duration.ofSeconds(5), lines::size, n -> n == 2);
            assertThat(lines).containsExactly("one", "two");
            s.awaitReceived("one\ntwo\n"); // the session outlives the chardev connection
            rig.console.write("in\n".getBytes());
            rig.qemu.awaitInput("in\n");
            assertThat(rig.console.counters().connects()).isEqualTo(2);
        }
    }

    @Test
    void aConsoleStartedBeforeQemuConnectsOnceQemuListens() throws Exception {
        Path serial = dir.resolve("serial.sock");
        try (VirtualConsole console = new VirtualConsole("lpar2", serial, dir, dir.resolve("vt.sock"), 4096)) {
            console.start();
            console.write("lost\n".getBytes());
            assertThat(console.counters().droppedInputBytes()).isEqualTo(5);
            Thread.sleep(200); // deliberate: the console keeps trying while nothing listens (nothing to await)
            try (FakeQemu qemu = new FakeQemu(serial)) {
                qemu.awaitConnections(1);
                qemu.write("booted\n");
                Await.until("output", Duration.ofSeconds(5), () -> console.counters().outputBytes(), n -> n == 7);
                assertThat(new String(console.tail(64))).isEqualTo("booted\n");
            }
        }
    }
}
