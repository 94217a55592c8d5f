package io.parvirt.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What goes wrong at activation ends in a clear error or an Error state with a reference code:
 * never a stuck Starting, never a leaked QEMU or cgroup, never a disturbed neighbour.
 */
@Tag("guest")
class ActivationFaultsTest {

    @Test
    void anAbsentQemuBinaryIsAClearErrorAndNothingStarts() {
        try (RunningDaemon d = RunningDaemon.start("qemu.binary=/nonexistent/qemu-system-x86_64\n")) {
            d.hmc("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", Guests.lpar("lp1", 256, 1));
            RunningDaemon.Hmc r = d.hmc("chsysstate", "-m", "sys1", "-r", "lpar", "-o", "on", "-n", "lp1");
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.stdout()).startsWith("HSCL130C ").contains("apt-get install qemu-system-x86");
            assertThat(Guests.state(d, "lp1")).isEqualTo("Not Activated");
        }
    }

    @Test
    void aProfileWhoseMinimumsDoNotFitIsRefusedWithTheFigures() {
        try (RunningDaemon d = RunningDaemon.start()) {
            assertThat(d.hmc("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", "name=big,profile_name=p,lpar_env=aixlinux,"
                    + "min_mem=65536,desired_mem=65536,max_mem=65536,min_procs=1,desired_procs=1,max_procs=1").exit())
                    .isZero();
            RunningDaemon.Hmc r = d.hmc("chsysstate", "-m", "sys1", "-r", "lpar", "-o", "on", "-n", "big");
            assertThat(r.stdout()).startsWith("HSCL130D ").contains("65536 MB");
            assertThat(Guests.state(d, "big")).isEqualTo("Not Activated");
            assertThat(d.hmc("chsysstate", "-m", "sys1", "-r", "lpar", "-o", "on", "-n", "big", "-f", "nope")
                    .stdout()).startsWith("HSCL8013 ");
            assertThat(d.hmc("chsysstate", "-m", "sys1", "-r", "lpar", "-o", "on", "-n", "ghost").stdout())
                    .startsWith("HSCL8012 ");
        }
    }

    @Test
    void aHomeWhoseSocketPathsAreTooLongIsRefusedNamingTheFix() {
        // 92 characters: the daemon's own socket (run/api.sock) fits in 107 bytes, a partition's does not.
        try (RunningDaemon d = RunningDaemon.start("", "length=92")) {
            d.hmc("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", Guests.lpar("lp1", 256, 1));
            RunningDaemon.Hmc r = d.hmc("chsysstate", "-m", "sys1", "-r", "lpar", "-o", "on", "-n", "lp1");
            assertThat(r.stdout()).startsWith("HSCL130C ").contains("shorter PARVIRT_HOME");
            assertThat(Guests.state(d, "lp1")).isEqualTo("Not Activated");
        }
    }

    @Test
    void aQemuKilledFromOutsideTurnsItsPartitionToErrorAndReturnsItsResources() throws Exception {
        try (RunningDaemon d = RunningDaemon.start()) {
            d.hmc("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", Guests.lpar("lp1", 256, 1));
            long avail = Guests.memSys(d, "curr_avail_sys_mem");
            assertThat(d.hmc("chsysstate", "-m", "sys1", "-r", "lpar", "-o", "on", "-n", "lp1").exit()).isZero();
            Guests.awaitState(d, "lp1", "Running", Duration.ofSeconds(120));
            Path pidFile = d.home().run().resolve("lpar/1/qemu.pid");
            long pid = Long.parseLong(Files.readString(pidFile).strip());
            var cgroups = Files.readString(Path.of("/proc/" + pid + "/cgroup"));
            assertThat(cgroups).as("QEMU runs in the partition's own cgroup").contains("/lpar1");
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            Guests.awaitState(d, "lp1", "Error", Duration.ofSeconds(30));
            assertThat(d.hmc("lsrefcode", "-r", "lpar", "-m", "sys1", "-F", "refcode").stdout().strip())
                    .isEqualTo("B200F002");
            Await.on("resources returned", () -> Guests.memSys(d, "curr_avail_sys_mem")).within(Duration.ofSeconds(10))
                    .every(Guests.POLL).until(m -> m == avail);
            String cg = cgroups.lines().filter(l -> l.contains("/lpar1")).findFirst().orElseThrow();
            String rel = cg.substring(cg.indexOf(":/") + 1);
            String ctrl = cg.split(":")[1];
            Path dir = ctrl.isEmpty() ? Path.of("/sys/fs/cgroup" + rel) : Path.of("/sys/fs/cgroup/" + ctrl + rel);
            Await.until(dir + " removed", Duration.ofSeconds(10), () -> !Files.exists(dir));
            assertThat(d.home().run().resolve("lpar/1")).doesNotExist();
        }
    }

    /** An image whose initramfs is an empty cpio archive: the kernel finds no init and panics. */
    static void writePanickingImage(Path images) throws Exception {
        Path dir = Files.createDirectories(images.resolve("noinit"));
        Files.copy(images.resolve("default/vmlinuz"), dir.resolve("vmlinuz"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        String name = "TRAILER!!!";
        StringBuilder h = new StringBuilder("070701");
        long[] fields = {0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, name.length() + 1, 0};
        for (long f : fields) {
            h.append(String.format("%08X", f));
        }
        h.append(name).append('\0');
        while (h.length() % 4 != 0) {
            h.append('\0');
        }
        Files.write(dir.resolve("initramfs.img"), h.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        Files.writeString(dir.resolve("image.properties"), "description=kernel with no init (tests)\n");
    }

    @Test
    void aMissingImageIsAClearErrorAndAKernelThatPanicsEndsInErrorWithoutALeakedQemu() throws Exception {
        try (RunningDaemon d = RunningDaemon.start()) {
            d.hmc("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", Guests.lpar("lp1", 256, 1) + ",parvirt_image=nosuch");
            RunningDaemon.Hmc r = d.hmc("chsysstate", "-m", "sys1", "-r", "lpar", "-o", "on", "-n", "lp1");
            assertThat(r.stdout()).startsWith("HSCL130A ").contains("nosuch").contains("image list");
            assertThat(Guests.state(d, "lp1")).isEqualTo("Not Activated");
            assertThat(d.hmc("lssyscfg", "-r", "prof", "-m", "sys1", "-F", "parvirt_image").stdout()).isEqualTo(
                    "nosuch\n");

            // Make sure the default image exists (built on first use), then derive the panicking one.
            d.hmc("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", Guests.lpar("warm", 256, 1));
            assertThat(d.hmc("chsysstate", "-m", "sys1", "-r", "lpar", "-o", "on", "-n", "warm").exit()).isZero();
            Guests.awaitState(d, "warm", "Running", Duration.ofSeconds(120));
            writePanickingImage(RunningDaemon.sharedImages());
            assertThat(d.hmc("chsyscfg", "-r", "prof", "-m", "sys1", "-i", "name=default,lpar_name=lp1,"
                    + "parvirt_image=noinit").exit()).isZero();
            assertThat(d.hmc("chsysstate", "-m", "sys1", "-r", "lpar", "-o", "on", "-n", "lp1").exit()).isZero();
            Guests.awaitState(d, "lp1", "Error", Duration.ofSeconds(60));
            assertThat(d.hmc("lsrefcode", "-r", "lpar", "-m", "sys1", "--filter", "lpar_names=lp1", "-F",
                    "refcode,refcode_text").stdout()).startsWith("B200F003,").contains("Kernel panic");
            Await.until("QEMU stopped and its run directory removed", Duration.ofSeconds(20),
                    () -> !Files.exists(d.home().run().resolve("lpar/1")));
            assertThat(Guests.state(d, "warm")).isEqualTo("Running");
            d.hmc("chsysstate", "-m", "sys1", "-r", "lpar", "-o", "shutdown", "--immed", "-n", "warm");
            Guests.awaitState(d, "warm", "Not Activated", Duration.ofSeconds(30));
        }
    }
}
