package io.parvirt.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 12 (QEMU confined): a partition's QEMU ran as root with no seccomp filter, so a guest that
 * escaped into QEMU owned the host. Now, under a root daemon, it runs as the unprivileged
 * {@code parvirt-qemu} with QEMU's filter (every optional set denied), and still boots with its
 * virtual Ethernet adapter and a virtual SCSI disk served by a VIOS, and takes a processor DLPAR
 * (CPU hot-plug through QMP under the filter). Needs root, as the rest of the guest tier does.
 */
@Tag("guest")
class QemuConfinementTest {
    static RunningDaemon d;

    @BeforeAll
    static void start() {
        d = RunningDaemon.start();
        hmc("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", Guests.lpar("VIOS1", 256, 1)
                .replace("lpar_env=aixlinux", "lpar_env=vioserver") + ",\"virtual_scsi_adapters=2/server/any//any/1\"");
        hmc("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", Guests.lpar("A", 256, 1)
                + ",virtual_scsi_adapters=2/client//VIOS1/2/1,\"virtual_eth_adapters=3/0/1//0/0\"");
        hmc("chsysstate", "-m", "sys1", "-r", "lpar", "-o", "on", "-n", "VIOS1", "-f", "default");
        Guests.awaitState(d, "VIOS1", "Running", Duration.ofSeconds(90));
        for (String c : new String[] {"mksp -fb pool1 -size 128M", "mkbdsp -sp pool1 32M -bd diskA -vadapter vhost0"}) {
            hmc("viosvrcmd", "-m", "sys1", "-p", "VIOS1", "-c", c);
        }
    }

    @AfterAll
    static void stop() {
        if (d != null) {
            d.hmc("chsysstate", "-m", "sys1", "-r", "lpar", "-o", "shutdown", "--immed", "-n", "A");
            d.hmc("chsysstate", "-m", "sys1", "-r", "lpar", "-o", "shutdown", "--immed", "-n", "VIOS1");
            d.close();
        }
    }

    static String hmc(String... argv) {
        RunningDaemon.Hmc r = d.hmc(argv);
        assertThat(r.exit()).as(String.join(" ", argv) + ": " + r.stdout()).isZero();
        return r.stdout();
    }

    static Map<String, String> status(long pid) throws Exception {
        Map<String, String> out = new java.util.HashMap<>();
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            int c = line.indexOf(':');
            out.put(line.substring(0, c), line.substring(c + 1).strip());
        }
        return out;
    }

    static int uidOf(String user) throws Exception {
        for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
            String[] f = line.split(":");
            if (f[0].equals(user)) {
                return Integer.parseInt(f[2]);
            }
        }
        throw new AssertionError(user + " is not in /etc/passwd");
    }

    @Test
    void qemuRunsUnprivilegedUnderItsSeccompFilterAndTheGuestStillHasItsNicAndDisk() throws Exception {
        hmc("chsysstate", "-m", "sys1", "-r", "lpar", "-o", "on", "-n", "A", "-f", "default");
        Guests.awaitState(d, "A", "Running", Duration.ofSeconds(240));
        Path run = d.home().run().resolve("lpar/2");
        long pid = Long.parseLong(Files.readString(run.resolve("qemu.pid")).strip());
        Map<String, String> st = status(pid);
        int uid = uidOf("parvirt-qemu");
        assertThat(st.get("Seccomp")).as("QEMU's filter is on (mode 2)").isEqualTo("2");
        assertThat(st.get("NoNewPrivs")).isEqualTo("1");
        assertThat(st.get("Uid").split("\\s+")).as("real, effective, saved, fs uid").containsOnly(
                Integer.toString(uid));
        assertThat(st.get("CapEff")).as("no capabilities").isEqualTo("0000000000000000");
        assertThat(Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' '))
                .contains("-sandbox on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny")
                .doesNotContain("-daemonize");
        // its own session: a terminal's Ctrl-C or the daemon's end does not reach it
        String[] stat = Files.readString(Path.of("/proc/" + pid + "/stat")).replaceFirst(".*\\) ", "").split(" ");
        assertThat(stat[3]).as("session id").isEqualTo(Long.toString(pid));

        // The run directory: QEMU's sockets are its own, the daemon's run record stays the daemon's.
        PosixFileAttributes dir = Files.readAttributes(run, PosixFileAttributes.class);
        assertThat(dir.owner().getName()).isEqualTo("root");
        assertThat(dir.group().getName()).isEqualTo("parvirt-qemu");
        assertThat((Integer) Files.getAttribute(run, "unix:mode") & 07777).isEqualTo(01770); // sticky rwxrwx---
        assertThat(Files.readAttributes(run.resolve("qmp.sock"), PosixFileAttributes.class).owner().getName())
                .isEqualTo("parvirt-qemu");
        // born owner-only: QEMU inherits the daemon's mask (077), so no socket is left group- or world-readable
        for (String socket : new String[] {"qmp.sock", "qga.sock", "serial.sock", "net3.sock"}) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(run.resolve(socket))))
                    .as(socket).isEqualTo("rwx------"); // a socket's x bit means nothing
        }
        PosixFileAttributes record = Files.readAttributes(run.resolve("run.json"), PosixFileAttributes.class);
        assertThat(record.owner().getName()).isEqualTo("root");
        assertThat(record.permissions()).doesNotContain(java.nio.file.attribute.PosixFilePermission.GROUP_WRITE,
                java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE);
        // Nothing else of the home is the group's to read: the store and the token.
        for (Path secret : new Path[] {d.home().storeDir(), d.home().tokenFile()}) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secret))).as(secret.toString())
                    .endsWith("------");
        }

        // The VIOS's storage server: uid 0 (the VIOS's disks are root's) but no capability at all
        Path viosRun = d.home().run().resolve("lpar/1");
        Map<String, String> nbd = status(Long.parseLong(Files.readString(viosRun.resolve("storage.pid")).strip()));
        assertThat(nbd.get("CapEff")).isEqualTo("0000000000000000");
        assertThat(nbd.get("CapPrm")).isEqualTo("0000000000000000");
        assertThat(nbd.get("CapBnd")).isEqualTo("0000000000000000");
        assertThat(nbd.get("NoNewPrivs")).isEqualTo("1");

        // The guest: its NIC and its virtual SCSI disk (32 MB from VIOS1 over NBD as parvirt-qemu).
        Guests.Exec e = Guests.exec(d, "A", "/bin/sh", "-c", "cat /sys/class/net/eth0/address;"
                + " for b in /sys/block/sd*; do echo $(( $(cat $b/size) * 512 )); done;"
                + " dd if=/dev/sda of=/dev/null bs=4096 count=16 2>&1 | tail -1");
        assertThat(e.exit()).as(e.body()).isZero();
        Matcher m = Pattern.compile("([0-9a-f:]{17})\\n(\\d+)\\n16\\+0 records out\\n").matcher(e.stdout());
        assertThat(m.matches()).as(e.stdout()).isTrue();
        assertThat(m.group(2)).isEqualTo(Long.toString(32L << 20));

        // A processor DLPAR hot-plugs a vCPU (QMP device_add) under the filter.
        hmc("chhwres", "-m", "sys1", "-r", "proc", "-o", "a", "-p", "A", "--procs", "1", "-w", "3");
        Guests.Exec n = Guests.exec(d, "A", "/bin/sh", "-c", "grep -c ^processor /proc/cpuinfo");
        assertThat(n.stdout().strip()).as(n.body()).isEqualTo("2");
        assertThat(status(pid).get("Seccomp")).isEqualTo("2");
    }
}
