package io.parvirt.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15: {@code chsysstate -r sys -o off|on} on a served home. Off shuts every active partition
 * down (here a VIOS, whose operating system is the storage server: a real process, no guest boot)
 * and leaves the system {@code Power Off}, refusing activations while the daemon keeps answering;
 * on makes it Operating again.
 */
@Tag("daemon")
class SystemPowerTest {
    @Test
    void powerOffShutsPartitionsDownAndRefusesActivationUntilPowerOn(@TempDir Path dir) throws Exception {
        try (ServedHome h = ServedHome.start(dir, "vios1")) {
            h.ok("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", Guests.lpar("vios1", 256, 1)
                    .replace("lpar_env=aixlinux", "lpar_env=vioserver") + ",virtual_scsi_adapters=2/server/any//any/1");
            h.ok("chsysstate", "-m", "sys1", "-r", "lpar", "-o", "on", "-n", "vios1");
            h.awaitState("vios1", "Running", 60);
            long server = Long.parseLong(Files.readString(dir.resolve("run/lpar/1/storage.pid")).strip());

            assertThat(h.ok("chsysstate", "-m", "sys1", "-r", "sys", "-o", "off", "--immed").stdout()).isEmpty();
            assertThat(h.state("vios1")).isEqualTo("Not Activated");
            assertThat(ProcessHandle.of(server).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            assertThat(h.ok("lssyscfg", "-r", "sys", "-F", "name,state").stdout()).isEqualTo("sys1,Power Off\n");

            Cli.Result refused = h.run("chsysstate", "-m", "sys1", "-r", "lpar", "-o", "on", "-n", "vios1");
            assertThat(refused.exit()).isEqualTo(1);
            assertThat(refused.stdout()).startsWith("HSCL130C The managed system sys1 is Power Off: partition vios1 ");
            assertThat(h.state("vios1")).isEqualTo("Not Activated");

            h.ok("chsysstate", "-m", "sys1", "-r", "sys", "-o", "on");
            assertThat(h.ok("lssyscfg", "-r", "sys", "-F", "state").stdout()).isEqualTo("Operating\n");
            h.ok("chsysstate", "-m", "sys1", "-r", "lpar", "-o", "on", "-n", "vios1");
            h.awaitState("vios1", "Running", 60);
            assertThat(h.run("chsysstate", "-m", "sys1", "-r", "sys", "-o", "bogus").stdout())
                    .startsWith("The command entered is either missing a required parameter");
        }
    }
}
