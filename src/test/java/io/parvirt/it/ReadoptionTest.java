package io.parvirt.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** QEMU outlives the daemon: a SIGKILLed daemon comes back to the partitions it left running. */
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
}
