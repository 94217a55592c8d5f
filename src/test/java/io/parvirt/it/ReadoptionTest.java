package io.parvirt.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** QEMU outlives the daemon: a SIGKILLed daemon comes back to the partitions it left running. */
@Tag("guest")
class ReadoptionTest {

    static String state(Path home, String name) {
        return Cli.run(home, "lssyscfg", "-r", "lpar", "-m", "sys1", "--filter", "lpar_names=" + name, "-F", "state")
                .stdout().strip();
    }

    static void awaitState(Path home, String name, String want, long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!state(home, name).equals(want)) {
            assertThat(System.nanoTime()).as(name + " to be " + want + ", is " + state(home, name)).isLessThan(deadline);
            Thread.sleep(300);
        }
    }

    @Test
    void aKilledDaemonReadoptsItsRunningPartitionWithAgentAndConsole(@TempDir Path home) throws Exception {
        Files.writeString(home.resolve("parvirt.properties"), "system.name=sys1\nlisten=127.0.0.1:0\nimages.dir="
                + RunningDaemon.sharedImages() + "\n");
        Process daemon = CrashRecoveryTest.serve(home);
        Process again = null;
        try {
            assertThat(Cli.run(home, "mksyscfg", "-r", "lpar", "-m", "sys1", "-i", Guests.lpar("lp1", 256, 2)).exit())
                    .isZero();
            assertThat(Cli.run(home, "chsysstate", "-m", "sys1", "-r", "lpar", "-o", "on", "-n", "lp1").exit())
                    .isZero();
            awaitState(home, "lp1", "Running", 120);
            long qemu = Long.parseLong(Files.readString(home.resolve("run/lpar/1/qemu.pid")).strip());

            daemon.destroyForcibly();
            daemon.waitFor(30, TimeUnit.SECONDS);
            assertThat(ProcessHandle.of(qemu).map(ProcessHandle::isAlive)).as("QEMU outlives the daemon")
                    .contains(true);

            again = CrashRecoveryTest.serve(home);
            awaitState(home, "lp1", "Running", 60);
            Cli.Result nproc = Cli.run(home, "guest", "exec", "-m", "sys1", "-p", "lp1", "--", "/bin/sh", "-c", "nproc");
            assertThat(nproc.exit()).as(nproc.stdout() + nproc.stderr()).isZero();
            assertThat(nproc.stdout().strip()).isEqualTo("2");
            Cli.Result fail = Cli.run(home, "guest", "exec", "-m", "sys1", "-p", "lp1", "--", "/bin/sh", "-c",
                    "exit 7");
            assertThat(fail.exit()).isEqualTo(7);
            assertThat(Cli.run(home, "lshwres", "-r", "mem", "-m", "sys1", "--level", "sys", "-F",
                    "curr_avail_sys_mem").exit()).isZero();

            assertThat(Cli.run(home, "chsysstate", "-m", "sys1", "-r", "lpar", "-o", "shutdown", "--immed", "-n", "lp1")
                    .exit()).isZero();
            awaitState(home, "lp1", "Not Activated", 30);
            assertThat(ProcessHandle.of(qemu).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        } finally {
            Cli.run(home, "chsysstate", "-m", "sys1", "-r", "lpar", "-o", "shutdown", "--immed", "-n", "lp1");
            Cli.run(home, "daemon", "stop");
            daemon.destroyForcibly();
            if (again != null) {
                again.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    static void ok(Path home, String... argv) {
        Cli.Result r = Cli.run(home, argv);
        assertThat(r.exit()).as(String.join(" ", argv) + ": " + r.stdout() + r.stderr()).isZero();
    }

    static String guest(Path home, String lpar, String script) {
        Cli.Result r = Cli.run(home, "guest", "exec", "-m", "sys1", "-p", lpar, "--", "/bin/sh", "-c", script);
        assertThat(r.exit()).as(script + ": " + r.stdout() + r.stderr()).isZero();
        return r.stdout();
    }

    /**
     * The VIOS's storage server outlives the daemon as QEMU does: the daemon started by ./parvirt
     * (the jar's class path) is killed, its client keeps its disk, and the next daemon re-adopts the
     * same server and can still tell it of a new mapping.
     */
    @Test
    void aKilledDaemonReadoptsItsViosWhoseStorageServerKeptServing(@TempDir Path home) throws Exception {
        Files.writeString(home.resolve("parvirt.properties"), "system.name=sys1\nlisten=127.0.0.1:0\nimages.dir="
                + RunningDaemon.sharedImages() + "\n");
        Process daemon = CrashRecoveryTest.serve(home);
        Process again = null;
        try {
            ok(home, "mksyscfg", "-r", "lpar", "-m", "sys1", "-i", Guests.lpar("vios1", 256, 1)
                    .replace("lpar_env=aixlinux", "lpar_env=vioserver") + ",virtual_scsi_adapters=2/server/any//any/1");
            ok(home, "mksyscfg", "-r", "lpar", "-m", "sys1", "-i", Guests.lpar("lp1", 256, 1)
                    + ",virtual_scsi_adapters=2/client//vios1/2/1");
            ok(home, "viosvrcmd", "-m", "sys1", "-p", "vios1", "-c", "mksp -fb pool1 -size 256M");
            ok(home, "viosvrcmd", "-m", "sys1", "-p", "vios1", "-c", "mkbdsp -sp pool1 32M -bd d1 -vadapter vhost0");
            ok(home, "chsysstate", "-m", "sys1", "-r", "lpar", "-o", "on", "-n", "vios1");
            awaitState(home, "vios1", "Running", 60);
            ok(home, "chsysstate", "-m", "sys1", "-r", "lpar", "-o", "on", "-n", "lp1");
            awaitState(home, "lp1", "Running", 120);
            long server = Long.parseLong(Files.readString(home.resolve("run/lpar/1/storage.pid")).strip());

            daemon.destroyForcibly();
            daemon.waitFor(30, TimeUnit.SECONDS);
            assertThat(ProcessHandle.of(server).map(ProcessHandle::isAlive)).as("the storage server outlives the daemon")
                    .contains(true);

            again = CrashRecoveryTest.serve(home);
            awaitState(home, "vios1", "Running", 60);
            assertThat(Files.readString(home.resolve("run/lpar/1/storage.pid")).strip()).isEqualTo(Long.toString(server));
            guest(home, "lp1", "yes readopted | head -c 4096 > /tmp/b && dd if=/tmp/b of=/dev/sda bs=4096 count=1"
                    + " conv=fsync 2>/dev/null");
            assertThat(Files.readString(home.resolve("vios/1/pools/pool1/d1")).substring(0, 10)).isEqualTo("readopted\n");
            ok(home, "viosvrcmd", "-m", "sys1", "-p", "vios1", "-c", "mkbdsp -sp pool1 16M -bd d2 -vadapter vhost0");
            Path socket = home.resolve("run/lpar/1/nbd/vtscsi1.sock");
            for (int i = 0; i < 100 && !Files.exists(socket); i++) {
                Thread.sleep(100);
            }
            assertThat(socket).as("the re-adopted server was told of the new mapping").exists();

            ok(home, "chsysstate", "-m", "sys1", "-r", "lpar", "-o", "shutdown", "--immed", "-n", "vios1");
            awaitState(home, "vios1", "Not Activated", 30);
            assertThat(ProcessHandle.of(server).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        } finally {
            for (String n : new String[] {"lp1", "vios1"}) {
                Cli.run(home, "chsysstate", "-m", "sys1", "-r", "lpar", "-o", "shutdown", "--immed", "-n", n);
            }
            Cli.run(home, "daemon", "stop");
            daemon.destroyForcibly();
            if (again != null) {
                again.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }
}
