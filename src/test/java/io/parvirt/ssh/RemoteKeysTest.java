package io.parvirt.ssh;

import static io.parvirt.ssh.SshRig.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.ssh.SshRig.Exec;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 15: {@code mkauthkeys --ip HOST [-u USER] [--passwd PW] {-a|-r|--test}} between two
 * real daemons, each with its SSH endpoint on loopback (the second one stands for the remote HMC
 * before a remote migration). Commands are typed on the first console through OpenSSH; that the
 * key really opens the second console is checked with OpenSSH too, using the private key the
 * first console made.
 */
@Tag("daemon")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RemoteKeysTest {
    private SshRig local;
    private SshRig remote;
    private String remoteIp;

    @BeforeAll
    void start() {
        local = new SshRig("");
        remote = new SshRig("");
        for (SshRig rig : List.of(local, remote)) {
            assertThat(rig.cli("mkhmcusr", "-u", SshRig.USER, "-a", "hmcsuperadmin", "--passwd", PASSWORD).exit())
                    .isZero();
        }
        assertThat(remote.cli("mkhmcusr", "-u", "mover", "-a", "hmcoperator", "--passwd", "mover1234").exit()).isZero();
        remoteIp = "127.0.0.1:" + remote.port;
    }

    @AfterAll
    void stop() {
        try {
            local.close();
        } finally {
            remote.close();
        }
    }

    private Exec onLocal(String command) {
        return local.openssh(PASSWORD, List.of(), command);
    }

    /** OpenSSH to the remote console with the private key the local console made for its hscroot. */
    private Exec onRemoteWithLocalKey(String user, String command) {
        return SshRig.run(List.of("ssh", "-p", Integer.toString(remote.port), "-o", "StrictHostKeyChecking=no", "-o",
                "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-o", "BatchMode=yes", "-o",
                "IdentitiesOnly=yes", "-i", local.dir.resolve("ssh/users/hscroot/id_rsa").toString(), "-n",
                user + "@127.0.0.1", command));
    }

    @Test
    @Order(1)
    void beforeTheExchangeTheTestFailsWithTheHmcsCodeAndAWrongPasswordChangesNothing() {
        Exec test = onLocal("mkauthkeys --ip " + remoteIp + " --test");
        assertThat(test.out()).startsWith("HSCL3653 ").contains("hscroot").contains(remoteIp);
        assertThat(test.status()).isEqualTo(1);
        Exec wrong = onLocal("mkauthkeys -a --ip " + remoteIp + " -u hscroot --passwd nottheone");
        assertThat(wrong.out()).startsWith("HSCL350B ").contains("could not log in");
        assertThat(wrong.status()).isEqualTo(1);
        assertThat(onLocal("mkauthkeys --ip " + remoteIp + " --test").out()).startsWith("HSCL3653 ");
    }

    @Test
    @Order(5)
    void theHomesOwnerThroughParvirtHasAKeyPairOfItsOwn() {
        // hscroot's key (added in 3 and 4) is not the owner's: ./parvirt is the owner, "local" here
        assertThat(local.cli("mkauthkeys", "--ip", remoteIp, "--test").stdout()).startsWith("HSCL3653 ");
        assertThat(local.cli("mkauthkeys", "-a", "--ip", remoteIp, "--passwd", PASSWORD).exit()).isZero();
        assertThat(local.cli("mkauthkeys", "--ip", remoteIp, "--test").exit()).isZero();
        assertThat(local.dir.resolve("ssh/users/local/id_rsa")).exists();
    }

    @Test
    @Order(2)
    void theGrammarRefusesWhatTheHmcRefuses() {
        assertThat(onLocal("mkauthkeys --ip " + remoteIp).out()).contains("-a, -r or --test");
        assertThat(onLocal("mkauthkeys --ip " + remoteIp + " -a --test").status()).isEqualTo(1);
        assertThat(onLocal("mkauthkeys --ip " + remoteIp + " --test --passwd x").out()).contains("--passwd");
        assertThat(onLocal("mkauthkeys --ip " + remoteIp + " -a").out()).contains("--passwd");
        assertThat(onLocal("mkauthkeys --ip " + remoteIp + " -a -t dsa --passwd " + PASSWORD).out()).contains("-t");
        assertThat(onLocal("mkauthkeys --ip 'bad host' --test").out()).startsWith("HSCL1302 ");
    }

    @Test
    @Order(3)
    void addingLetsTheKeyInAndTheTestPasses() throws Exception {
        assertThat(onLocal("mkauthkeys -a --ip " + remoteIp + " -u hscroot --passwd " + PASSWORD))
                .isEqualTo(new Exec("", "", 0));
        Path key = local.dir.resolve("ssh/users/hscroot/id_rsa");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key.getParent()))).isEqualTo("rwx------");
        assertThat(onLocal("mkauthkeys --ip " + remoteIp + " --test")).isEqualTo(new Exec("", "", 0));
        assertThat(onLocal("mkauthkeys --test -u hscroot --ip " + remoteIp)).isEqualTo(new Exec("", "", 0));
        // The remote console really takes the key: OpenSSH with it runs a command there.
        assertThat(onRemoteWithLocalKey("hscroot", "lssyscfg -r sys -F name")).isEqualTo(new Exec("sys1\n", "", 0));
        // Only for that user: another remote user has not authorised it.
        assertThat(onLocal("mkauthkeys --ip " + remoteIp + " -u mover --test").out()).startsWith("HSCL3653 ");
        assertThat(onRemoteWithLocalKey("mover", "lssyscfg -r sys -F name").status()).isNotZero();
        // The remote console pinned on first use is in the local home's known_hosts, owner-only.
        Path known = local.dir.resolve("ssh/known_hosts");
        assertThat(Files.readString(known)).contains("[127.0.0.1]:" + remote.port);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(known))).isEqualTo("rw-------");
        assertThat(local.cli("lssvcevents", "-t", "console").stdout())
                .contains("SSH key of user hscroot authorized for user hscroot on the remote HMC " + remoteIp);
    }

    @Test
    @Order(4)
    void removingTakesTheKeyBackAndTheTestFailsAgain() {
        assertThat(onLocal("mkauthkeys -r --ip " + remoteIp)).isEqualTo(new Exec("", "", 0));
        assertThat(onLocal("mkauthkeys --ip " + remoteIp + " --test").out()).startsWith("HSCL3653 ");
        assertThat(onRemoteWithLocalKey("hscroot", "lssyscfg -r sys -F name").status()).isNotZero();
        // A second exchange reuses the same key pair (kept in the home), and works again.
        assertThat(onLocal("mkauthkeys --add --ip " + remoteIp + " --passwd " + PASSWORD).status()).isZero();
        assertThat(onLocal("mkauthkeys --ip " + remoteIp + " --test").status()).isZero();
    }

    @Test
    @Order(6)
    void anUnreachableConsoleAndAChangedHostKeyAreRefused() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Exec down = onLocal("mkauthkeys --ip 127.0.0.1:" + closed + " --test");
        assertThat(down.out()).startsWith("HSCL8016 ").contains("cannot be reached");
        assertThat(down.status()).isEqualTo(1);
        // Another console's host key recorded for the remote's address: the login is not even tried.
        Path known = local.dir.resolve("ssh/known_hosts");
        String entry = "[127.0.0.1]:" + remote.port + " " + hostKeyLine(local);
        Files.writeString(known, entry + "\n");
        Exec changed = onLocal("mkauthkeys --ip " + remoteIp + " --test");
        assertThat(changed.out()).startsWith("HSCL8016 ").contains("host key other than the one recorded");
        assertThat(changed.status()).isEqualTo(1);
    }

    /** The local console's own host key as an OpenSSH public key line (not the remote's). */
    private static String hostKeyLine(SshRig rig) throws Exception {
        Exec e = SshRig.run(List.of("ssh-keyscan", "-t", "rsa", "-p", Integer.toString(rig.port), "127.0.0.1"));
        String line = e.out().lines().filter(l -> !l.startsWith("#")).findFirst().orElseThrow();
        return line.substring(line.indexOf(' ') + 1);
    }
}
