package io.parvirt.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parvirt.home.ParvirtHome;
import io.parvirt.hypervisor.QemuVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17: vhost-user ports under TCG need a QEMU newer than bookworm's 7.2, whose TCG guests crash
 * as their driver starts the device. The daemon asks the real binaries their version at start and
 * refuses the combination with one sentence naming the settings, instead of activating partitions
 * that die when their guest brings the interface up.
 */
@Tag("daemon")
class VhostUserQemuVersionTest {
    @TempDir
    Path dir;

    DaemonConfig config(String settings) throws Exception {
        ParvirtHome home = new ParvirtHome(dir);
        home.create();
        Files.writeString(home.config(), settings);
        return DaemonConfig.load(home, "127.0.0.1:0");
    }

    @Test
    void versionsAreReadFromWhatQemuPrints() {
        assertThat(QemuVersion.parse("QEMU emulator version 7.2.19 (Debian 1:7.2+dfsg-7+deb12u18)\nCopyright"))
                .contains(new QemuVersion(7, 2, 19));
        assertThat(QemuVersion.parse("QEMU emulator version 10.0 (x)")).contains(new QemuVersion(10, 0, 0));
        assertThat(QemuVersion.parse("bash: qemu: not found")).isEmpty();
        assertThat(new QemuVersion(10, 0, 2)).isGreaterThan(new QemuVersion(8, 2, 9));
        assertThat(QemuVersion.of("/nonexistent/qemu")).isEmpty();
    }

    @Test
    void bookwormsQemuUnderTcgIsRefusedForVhostUserAndStreamStaysAllowed() throws Exception {
        Optional<QemuVersion> system = QemuVersion.of("/usr/bin/qemu-system-x86_64");
        assertThat(system).as("the host's QEMU answers --version").isPresent();
        if (system.get().major() >= DaemonConfig.VHOST_USER_TCG_MAJOR) {
            System.out.println("the host's QEMU is " + system.get() + ": nothing to refuse here");
        } else {
            DaemonConfig vhost = config("accel=tcg\nvswitch.transport=vhost-user\n");
            assertThatThrownBy(() -> vhost.hypervisor(new ParvirtHome(dir)))
                    .hasMessageContaining("vswitch.transport=vhost-user needs QEMU 8.0 or later")
                    .hasMessageContaining("QEMU " + system.get()).hasMessageContaining("qemu.binary");
        }
        assertThat(config("accel=tcg\nvswitch.transport=stream\n").hypervisor(new ParvirtHome(dir)).qemuBinary())
                .isEqualTo("/usr/bin/qemu-system-x86_64");
        String newer = System.getenv("PARVIRT_TEST_QEMU_VHOST_USER");
        if (newer != null) {
            assertThat(config("accel=tcg\nvswitch.transport=vhost-user\nqemu.binary=" + newer + "\n")
                    .hypervisor(new ParvirtHome(dir)).qemuBinary()).isEqualTo(newer);
        }
    }

    /**
     * {@code vios.disk_transport=vhost-user-blk} is a preference, not a requirement: on a QEMU whose
     * TCG guests cannot run vhost-user devices the disks stay on NBD (the log says why) and the
     * daemon starts; a value that is neither transport stops it at start.
     */
    @Test
    void diskTransportFallsBackToNbdOnBookwormsQemuUnderTcgAndRefusesUnknownValues() throws Exception {
        Optional<QemuVersion> system = QemuVersion.of("/usr/bin/qemu-system-x86_64");
        assertThat(system).isPresent();
        boolean old = system.get().major() < DaemonConfig.VHOST_USER_TCG_MAJOR;
        assertThat(config("accel=tcg\nvios.disk_transport=vhost-user-blk\n").hypervisor(new ParvirtHome(dir))
                .vhostUserBlk()).as("QEMU " + system.get() + " under TCG").isEqualTo(!old);
        assertThat(config("accel=tcg\n").hypervisor(new ParvirtHome(dir)).vhostUserBlk()).as("the default, nbd")
                .isFalse();
        DaemonConfig bad = config("accel=tcg\nvios.disk_transport=iscsi\n");
        assertThatThrownBy(() -> bad.hypervisor(new ParvirtHome(dir)))
                .hasMessage("vios.disk_transport must be nbd or vhost-user-blk, not iscsi");
        String newer = System.getenv("PARVIRT_TEST_QEMU_VHOST_USER");
        if (newer != null) {
            assertThat(config("accel=tcg\nvios.disk_transport=vhost-user-blk\nqemu.binary=" + newer + "\n")
                    .hypervisor(new ParvirtHome(dir)).vhostUserBlk()).as("QEMU 10 under TCG").isTrue();
        }
    }
}
