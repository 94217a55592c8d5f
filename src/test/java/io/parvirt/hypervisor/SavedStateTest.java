package io.parvirt.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14's suspend, the parts that need no QEMU: the saved state file is written whole or not at
 * all (real Unix sockets play QEMU's end of the stream), a resume sends it back byte for byte, and
 * a daemon restarted with a suspended record stops the QEMU it finds for that partition (a daemon
 * killed between the record and the QEMU's end, or during a resume) and keeps it Suspended.
 */
@Tag("unit")
class SavedStateTest {
    @TempDir
    Path dir;
    ProcessHandle orphan;

    @AfterEach
    void stop() {
        if (orphan != null) {
            orphan.destroyForcibly();
        }
    }

    private static byte[] stream(int n) {
        byte[] b = new byte[n];
        new Random(14).nextBytes(b);
        return b;
    }

    @Test
    void aCompletedStreamIsPutInPlaceWholeAndSentBackByteForByte() throws Exception {
        Path socket = dir.resolve("suspend.sock");
        Path file = dir.resolve("pool").resolve("lp.state");
        byte[] data = stream(3 << 20);
        try (StateFile.Recording rec = StateFile.record(socket, file, null)) {
            try (SocketChannel qemu = SocketChannel.open(UnixDomainSocketAddress.of(socket));
                    OutputStream out = Channels.newOutputStream(qemu)) {
                out.write(data);
            }
            assertThat(rec.complete(Duration.ofSeconds(30))).isEqualTo(data.length);
        }
        assertThat(Files.readAllBytes(file)).isEqualTo(data);
        assertThat(StateFile.partial(file)).doesNotExist();
        assertThat(socket).doesNotExist();

        Path incoming = dir.resolve("resume.sock");
        try (ServerSocketChannel qemu = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            qemu.bind(UnixDomainSocketAddress.of(incoming));
            Thread sender = Thread.ofVirtual().start(() -> {
                try {
                    StateFile.replay(incoming, file);
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            try (SocketChannel in = qemu.accept()) {
                ByteBuffer got = ByteBuffer.allocate(data.length + 1);
                while (in.read(got) >= 0) {
                    assertThat(got.position()).isLessThanOrEqualTo(data.length);
                }
                assertThat(java.util.Arrays.copyOf(got.array(), got.position())).isEqualTo(data);
            }
            sender.join();
        }
    }

    @Test
    void aStreamThatDidNotCompleteLeavesNoFile() throws Exception {
        Path socket = dir.resolve("suspend.sock");
        Path file = dir.resolve("lp.state");
        try (StateFile.Recording rec = StateFile.record(socket, file, null)) {
            try (SocketChannel qemu = SocketChannel.open(UnixDomainSocketAddress.of(socket));
                    OutputStream out = Channels.newOutputStream(qemu)) {
                out.write(stream(1 << 20)); // then QEMU's migration fails: it closes, never says completed
            }
        }
        assertThat(file).doesNotExist();
        assertThat(StateFile.partial(file)).doesNotExist();
    }

    @Test
    void aSuspendedRecordWinsOverTheQemuFoundForItsPartition() throws Exception {
        Hypervisor.Config c = new Hypervisor.Config("/usr/bin/qemu-system-x86_64", "tcg",
                dir.resolve("home").resolve("run"), dir.resolve("logs"), dir.resolve("vterm"), "test",
                Duration.ofSeconds(30), "0E5056");
        Hypervisor hv = new Hypervisor(c, (id, from, to, ref, detail) -> { });
        LaunchSpec spec = SupervisorHarness.spec(dir.resolve("home"), 3, UUID.randomUUID().toString());
        assertThat(spec.runDir()).isEqualTo(c.runRoot().resolve("3"));
        Files.createDirectories(spec.runDir());
        Hypervisor.writeRunRecord(new Hypervisor.RunRecord(spec, "default", null));
        orphan = FakeProcess.start(spec.runDir(), spec.uuid(), spec.pidFile());
        Files.createDirectories(hv.suspendDir());
        Path file = Files.write(hv.suspendDir().resolve(spec.uuid() + ".state"), stream(1024));
        new SavedStates(hv.suspendDir(), Hypervisor.JSON).save(new Hypervisor.SavedState(spec, "default", null,
                file));

        assertThat(hv.recover()).isEmpty();
        Eventually.until("the QEMU left running stopped", () -> !orphan.isAlive());
        assertThat(spec.runDir()).doesNotExist();
        assertThat(hv.saved(3)).hasValueSatisfying(s -> {
            assertThat(s.spec()).isEqualTo(spec);
            assertThat(s.file()).isEqualTo(file);
        });

        hv.discard(3);
        assertThat(hv.saved(3)).isEmpty();
        assertThat(file).doesNotExist();
    }
}
