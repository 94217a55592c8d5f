package io.parvirt.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** One daemon per home; homes never share files; status and stop; the token is the owner's alone. */
@Tag("daemon")
class DaemonLifecycleTest {

    @Test
    void twoHomesHaveTwoDaemonsThatNeverSeeEachOthersPartitions() {
        try (CliHome a = new CliHome("system.name=alpha\nlisten=127.0.0.1:0\n");
                CliHome b = new CliHome("system.name=beta\nlisten=127.0.0.1:0\n")) {
            assertThat(a.run("mksyscfg", "-r", "lpar", "-m", "alpha", "-i", CrashRecoveryTest.record(1)).exit())
                    .isZero();
            assertThat(b.run("lssyscfg", "-r", "lpar", "-m", "beta").stdout()).isEqualTo("No results were found.\n");
            assertThat(b.run("lssyscfg", "-r", "lpar", "-m", "alpha").stdout()).startsWith("HSCL8011 ");
            String pidA = a.run("daemon", "status").stdout();
            String pidB = b.run("daemon", "status").stdout();
            assertThat(pidA).contains("running").contains(a.dir().toString()).doesNotContain(b.dir().toString());
            assertThat(pidB).contains("running").contains(b.dir().toString());
            assertThat(pidA.replaceAll(".*pid (\\d+).*\\R?", "$1")).isNotEqualTo(pidB.replaceAll(
                    ".*pid (\\d+).*\\R?", "$1"));
        }
    }

    @Test
    void statusAndStopReportTheDaemonAndStopIsFinal() throws Exception {
        try (CliHome h = new CliHome()) {
            Cli.Result status = h.run("daemon", "status");
            assertThat(status.exit()).isEqualTo(3);
            assertThat(status.stdout()).contains("not running");
            assertThat(h.run("lssyscfg", "-r", "sys", "-F", "name").stdout()).isEqualTo("sys1\n");
            Cli.Result running = h.run("daemon", "status");
            assertThat(running.exit()).isZero();
            if (Files.isWritable(Path.of("/sys/fs/cgroup/cpu"))) {
                // the enforced case of statusSaysWhetherDispatchingIsEnforcedAndNeverHidesThatItIsNot
                assertThat(running.stdout()).contains("dispatching: enforced with cgroup v1");
            }
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(h.dir().resolve("run/token"));
            assertThat(perms).containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ,
                    PosixFilePermission.OWNER_WRITE);
            assertThat(Files.getPosixFilePermissions(h.dir().resolve("run"))).doesNotContain(
                    PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_READ);
            // issue 12: the daemon's mask is owner-only, so its QEMUs' sockets and files are born so
            String pid = Files.readString(h.dir().resolve("run/daemon.pid")).strip();
            assertThat(Files.readAllLines(java.nio.file.Path.of("/proc/" + pid + "/status"))).contains("Umask:\t0077");
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(
                    h.dir().resolve("run/api.sock")))).isEqualTo("rw-------");
            Cli.Result stop = h.run("daemon", "stop");
            assertThat(stop.stdout()).contains("stopped");
            assertThat(h.run("daemon", "status").exit()).isEqualTo(3);
            assertThat(Files.exists(h.dir().resolve("run/api.sock"))).isFalse();
        }
    }

    @Test
    void statusSaysWhetherDispatchingIsEnforcedAndNeverHidesThatItIsNot() {
        try (CliHome h = new CliHome("system.name=sys1\nlisten=127.0.0.1:0\ndispatch.cgroup_root=/nonexistent\n")) {
            assertThat(h.run("lssyscfg", "-r", "sys", "-F", "name").exit()).isZero();
            Cli.Result status = h.run("daemon", "status");
            assertThat(status.stdout()).contains("dispatching: NOT ENFORCED: ").contains("/nonexistent");
            assertThat(h.run("lssvcevents", "-t", "console", "-F", "category,text").stdout())
                    .contains("dispatch,\"Dispatching is not enforced: the cgroup v1 controller /nonexistent");
        }
    }

    @Test
    void aSecondServeOnTheSameHomeIsRefused() throws Exception {
        try (CliHome h = new CliHome()) {
            assertThat(h.run("lssyscfg", "-r", "sys", "-F", "name").exit()).isZero();
            Cli.Result second = h.run("serve");
            assertThat(second.exit()).isEqualTo(1);
            assertThat(second.stderr()).contains("already running");
        }
    }

    @Test
    void anAutoStartedDaemonFallsBackToAFreePortWhenTheConfiguredOneIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
                CliHome h = new CliHome("system.name=sys1\nlisten=127.0.0.1:" + taken.getLocalPort() + "\n")) {
            assertThat(h.run("lssyscfg", "-r", "sys", "-F", "name").stdout()).isEqualTo("sys1\n");
            String listen = Files.readString(h.dir().resolve("run/listen")).strip();
            assertThat(listen).startsWith("127.0.0.1:").isNotEqualTo("127.0.0.1:" + taken.getLocalPort());
            Path other = Path.of(h.dir() + "-other");
            try {
                Cli.Result serve = Cli.run(other, "serve", "--listen", "127.0.0.1:" + taken.getLocalPort());
                assertThat(serve.exit()).isEqualTo(1);
                assertThat(serve.stderr()).contains("cannot serve the API").contains("--listen");
            } finally {
                try (var files = Files.walk(other)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }
}
