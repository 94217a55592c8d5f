package io.parvirt.ssh;

import static io.parvirt.ssh.SshRig.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parvirt.it.Cli;
import io.parvirt.ssh.SshRig.Exec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15: the HMC over SSH with OpenSSH's {@code ssh} (and {@code sshpass}), MINA's Java client
 * with the {@code password} method, and keys; every example answered byte for byte as
 * {@code ./parvirt} answers it; the restricted shell not escaped; 50 sessions at once.
 */
@Tag("daemon")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SshEndpointTest {
    /** The commands tools send first (issue 15), each compared with ./parvirt's answer. */
    static final List<String> EXAMPLES = List.of("lshmc -V", "lshmc -v", "lshmc -n", "lshmc -b", "lshmc -r",
            "lslic -m sys1 -t sys", "lslic -m sys1 -t sys -F activated_level,activated_spname,ecnumber",
            "lsled -r sa -m sys1 -t phys", "lsled -r sa -m sys1 -t virtualsys", "lsled -r sa -m sys1 -t virtuallpar",
            "lssvcevents -t hardware", "lscod -m sys1 -t cap -r proc -c cuod", "lscodpool --level pool",
            "lshwres -r io --rsubtype slot -m sys1", "lshwres -r io --rsubtype slotchildren -m sys1",
            "lshwres -r mempool -m sys1", "lssyscfg -r sys -F name,state", "lssyscfg -r lpar -m sys1",
            "lssyscfg -r lpar -m sys1 -F name,lpar_id", "lssyscfg -r lpar -m nosuch", "lssyscfg -r bogus",
            "lshwres -r proc -m sys1 --level sys");
    private SshRig rig;
    private final Map<String, Cli.Result> expected = new LinkedHashMap<>();

    @BeforeAll
    void start() {
        rig = new SshRig("");
        assertThat(rig.cli("mkhmcusr", "-u", SshRig.USER, "-a", "hmcsuperadmin", "--passwd", PASSWORD).exit()).isZero();
        assertThat(rig.cli("mkhmcusr", "-u", "viewer", "-a", "hmcviewer", "--passwd", "viewer123").exit()).isZero();
        assertThat(rig.cli("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", "name=lp1,profile_name=default,"
                + "lpar_env=aixlinux,min_mem=256,desired_mem=512,max_mem=1024,proc_mode=shared,min_proc_units=0.05,"
                + "desired_proc_units=0.1,max_proc_units=1.0,min_procs=1,desired_procs=1,max_procs=2").exit()).isZero();
        for (String cmd : EXAMPLES) {
            expected.put(cmd, rig.cli(cmd.split(" ")));
        }
    }

    @AfterAll
    void stop() {
        rig.close();
    }

    @Test
    void everyExampleThroughOpenSshWithSshpassIsWhatParvirtPrints() {
        for (String cmd : EXAMPLES) {
            Exec ssh = rig.openssh(PASSWORD, List.of(), cmd);
            assertThat(ssh.out()).as(cmd).isEqualTo(expected.get(cmd).stdout());
            assertThat(ssh.status()).as(cmd).isEqualTo(expected.get(cmd).exit());
            assertThat(ssh.err()).as(cmd).isEmpty(); // errors on standard output, as on the HMC
        }
        assertThat(expected.get("lshmc -V").stdout()).contains("Service Pack: 1060\n").startsWith("\"version= Version: ");
        assertThat(expected.get("lssvcevents -t hardware").stdout()).isEqualTo("No results were found.\n");
    }

    @Test
    void everyExampleThroughAJavaClientWithThePasswordMethodIsWhatParvirtPrints() throws Exception {
        try (ClientSession s = rig.login(SshRig.USER, PASSWORD)) {
            for (String cmd : EXAMPLES) {
                Exec e = SshRig.exec(s, cmd);
                assertThat(e).as(cmd).isEqualTo(new Exec(expected.get(cmd).stdout(), "", expected.get(cmd).exit()));
            }
        }
    }

    @Test
    void theShellFormsToolsSendGiveWhatTheCommandsPrint() throws Exception {
        String names = expected.get("lssyscfg -r lpar -m sys1 -F name,lpar_id").stdout();
        try (ClientSession s = rig.login(SshRig.USER, PASSWORD)) {
            assertThat(SshRig.exec(s, "LANG=C lssyscfg -r sys -F name,state; echo END-OF-TRANSMISSION").out())
                    .isEqualTo(expected.get("lssyscfg -r sys -F name,state").stdout() + "END-OF-TRANSMISSION\n");
            assertThat(SshRig.exec(s, "lssyscfg -r lpar -m 'sys1' -F name | while read i ; do echo \"lpar $i\"; done")
                    .out()).isEqualTo("lpar lp1\n");
            assertThat(SshRig.exec(s, "while read s ; do lssyscfg -r lpar -m \"$s\"  -F  name,lpar_id; done < "
                    + "<(lssyscfg -r sys -F name)").out()).isEqualTo(names);
            assertThat(SshRig.exec(s, "if test -r /some/path ; then echo 1 ; else echo 0 ; fi").out()).isEqualTo("0\n");
            assertThat(SshRig.exec(s, "lshmc -V | grep 'Service Pack' | sed 's/.*: //'").out()).isEqualTo("1060\n");
            assertThat(SshRig.exec(s, "lssyscfg -r sys -m \"" + mtms() + "\" -F name").out()).isEqualTo("sys1\n");
        }
    }

    private String mtms() {
        return rig.cli("lssyscfg", "-r", "sys", "-F", "type_model,serial_num").stdout().strip().replace(",", "*");
    }

    @Test
    void aKeyAddedWithMkauthkeysLogsInAndRemovedNoLonger() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        KeyPair kp = g.generateKeyPair();
        String line = PublicKeyEntry.toString(kp.getPublic()) + " tool@monitor";
        try (ClientSession s = rig.login(SshRig.USER, PASSWORD)) {
            assertThat(SshRig.exec(s, "mkauthkeys -a \"" + line + "\"")).isEqualTo(new Exec("", "", 0));
        }
        try (ClientSession s = rig.client.connect(SshRig.USER, "127.0.0.1", rig.port).verify(Duration.ofSeconds(10))
                .getSession()) {
            s.addPublicKeyIdentity(kp);
            s.auth().verify(Duration.ofSeconds(10));
            assertThat(SshRig.exec(s, "lssyscfg -r sys -F name").out()).isEqualTo("sys1\n");
            assertThat(SshRig.exec(s, "mkauthkeys -r tool@monitor").status()).isZero();
        }
        try (ClientSession s = rig.client.connect(SshRig.USER, "127.0.0.1", rig.port).verify(Duration.ofSeconds(10))
                .getSession()) {
            s.addPublicKeyIdentity(kp);
            assertThatThrownBy(() -> s.auth().verify(Duration.ofSeconds(10))).isNotNull();
        }
    }

    @Test
    void anOpenSshEd25519KeyInBatchModeLogsIn(@TempDir Path dir) throws Exception {
        Path key = dir.resolve("id");
        assertThat(SshRig.run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "nagios@mon", "-f",
                key.toString())).status()).isZero();
        String pub = Files.readString(dir.resolve("id.pub")).strip();
        assertThat(rig.openssh(PASSWORD, List.of(), "mkauthkeys -a '" + pub + "'").status()).isZero();
        Exec e = rig.openssh(null, List.of("-i", key.toString(), "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes"),
                "lssyscfg -r sys -F name");
        assertThat(e).isEqualTo(new Exec("sys1\n", "", 0));
        // Another user's keys are not this user's to change.
        assertThat(rig.openssh(null, List.of("-i", key.toString(), "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes"),
                "mkauthkeys -u nobody -a '" + pub + "'").out()).startsWith("HSCL8015");
    }

    /** Regression: MINA sent the end of output first, and a multiplexed client sometimes saw exit 255. */
    @Test
    void openSshMultiplexedOnOneConnectionGetsEveryExitStatus(@TempDir Path dir) throws Exception {
        Path key = dir.resolve("id");
        SshRig.run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "mux@bench", "-f", key.toString()));
        assertThat(rig.openssh(PASSWORD, List.of(), "mkauthkeys -a '" + Files.readString(dir.resolve("id.pub")).strip()
                + "'").status()).isZero();
        List<String> mux = List.of("-i", key.toString(), "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o",
                "ControlPath=" + dir.resolve("cm"));
        List<String> master = new ArrayList<>(mux);
        master.addAll(List.of("-o", "ControlMaster=yes", "-o", "ControlPersist=60", "-f", "-N"));
        assertThat(rig.openssh(null, master, "").status()).isZero();
        try {
            for (int i = 0; i < 100; i++) {
                assertThat(rig.openssh(null, mux, i % 2 == 0 ? "lssyscfg -r sys -F name" : "lssyscfg -r bogus"))
                        .as("run %d", i).extracting(Exec::status).isEqualTo(i % 2 == 0 ? 0 : 1);
            }
        } finally {
            List<String> stop = new ArrayList<>(mux);
            stop.addAll(List.of("-O", "exit"));
            rig.openssh(null, stop, "");
        }
    }

    @Test
    void aViewerMayManageOnlyItsOwnKeysAndChangesNothingElse() throws Exception {
        try (ClientSession s = rig.login("viewer", "viewer123")) {
            Exec denied = SshRig.exec(s, "mkauthkeys -u hscroot -a 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKey x@y'");
            assertThat(denied.out()).startsWith("HSCL350B").endsWith("\n");
            assertThat(denied.status()).isEqualTo(1);
            assertThat(SshRig.exec(s, "chsysstate -r lpar -m sys1 -o on -n lp1").out()).startsWith("HSCL350B");
            assertThat(SshRig.exec(s, "lssyscfg -r sys -F name").out()).isEqualTo("sys1\n");
        }
    }

    @Test
    void escapesAreRefusedAndTheSessionGoesOn() throws Exception {
        String token = rig.dir.resolve("run/token").toString();
        String secret = Files.readString(Path.of(token)).strip();
        List<String> attempts = List.of("cd /", "/bin/sh", "PATH=/bin:/usr/bin", "exec /bin/sh", "echo x > /tmp/f",
                "echo $(/bin/cat " + token + ")", "echo $(cat " + token + ")", "BASH_ENV=/tmp/x lssyscfg -r sys",
                "env", "grep -r a " + rig.dir, "tail " + token, "sed e", "sed -n 'w /tmp/parvirt-w' ", "sort -o /tmp/x",
                "grep x < " + token, "bash -c id", "python3 -c 1", "scp -t /tmp");
        try (ClientSession s = rig.login(SshRig.USER, PASSWORD)) {
            for (String a : attempts) {
                Exec e = SshRig.exec(s, a + "; echo alive");
                assertThat(e.out()).as(a).endsWith("alive\n").doesNotContain(secret);
                assertThat(e.err()).as(a).isNotEmpty().doesNotContain(secret);
                if (!a.startsWith("echo $(")) { // there echo succeeds, as in bash, with nothing to print
                    assertThat(SshRig.exec(s, a).status()).as(a).isNotZero();
                }
            }
            ChannelExec withEnv = s.createExecChannel("echo \"[$BASH_ENV][$PATH]\"");
            withEnv.setEnv("BASH_ENV", "/tmp/x");
            withEnv.setEnv("PATH", "/bin");
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            withEnv.setOut(out);
            withEnv.open().verify(Duration.ofSeconds(10));
            withEnv.waitFor(java.util.EnumSet.of(org.apache.sshd.client.channel.ClientChannelEvent.CLOSED),
                    Duration.ofSeconds(10));
            assertThat(out.toString()).isEqualTo("[][/hmcrbin:/usr/hmcrbin]\n");
            assertThatThrownBy(() -> s.createDirectTcpipChannel(new SshdSocketAddress("127.0.0.1", 0),
                    new SshdSocketAddress("127.0.0.1", rig.port)).open().verify(Duration.ofSeconds(10))).isNotNull();
            assertThat(SshRig.exec(s, "echo still here").out()).isEqualTo("still here\n");
        }
        assertThat(Files.exists(Path.of("/tmp/f"))).isFalse();
        assertThat(Files.exists(Path.of("/tmp/parvirt-w"))).isFalse();
        assertThat(rig.openssh(PASSWORD, List.of("-o", "SetEnv=BASH_ENV=/tmp/x"), "echo \"[$BASH_ENV]\"").out())
                .isEqualTo("[]\n");
        Exec sftp = SshRig.run(List.of("sshpass", "-p", PASSWORD, "sftp", "-P", Integer.toString(rig.port), "-o",
                "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                SshRig.USER + "@127.0.0.1"));
        assertThat(sftp.status()).isNotZero();
        assertThat(sftp.err()).contains("subsystem request failed");
    }

    @Test
    void fiftySessionsOfTwentyCommandsEachSeeOnlyTheirOwnOutput() throws Exception {
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Integer>> sessions = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                int id = i;
                sessions.add(pool.submit(() -> {
                    int ok = 0;
                    try (ClientSession s = rig.login(SshRig.USER, PASSWORD)) {
                        for (int j = 0; j < 20; j++) {
                            Exec e = SshRig.exec(s, "echo S" + id + "-" + j + "; lssyscfg -r sys -F name | sed 's/^/"
                                    + id + ":/'");
                            if (e.equals(new Exec("S" + id + "-" + j + "\n" + id + ":sys1\n", "", 0))) {
                                ok++;
                            }
                        }
                    }
                    return ok;
                }));
            }
            int answered = 0;
            for (Future<Integer> f : sessions) {
                answered += f.get();
            }
            assertThat(answered).isEqualTo(1000);
        }
    }

    @Test
    void sha1OnlyClientsAreRefusedByDefault() throws Exception {
        org.apache.sshd.client.SshClient old = org.apache.sshd.client.SshClient.setUpDefaultClient();
        old.setServerKeyVerifier(org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier.INSTANCE);
        old.setKeyExchangeFactories(List.of(org.apache.sshd.client.ClientBuilder.DH2KEX.apply(
                org.apache.sshd.common.kex.BuiltinDHFactories.dhg14)));
        old.start();
        try {
            assertThatThrownBy(() -> {
                try (ClientSession s = old.connect(SshRig.USER, "127.0.0.1", rig.port).verify(Duration.ofSeconds(10))
                        .getSession()) {
                    s.addPasswordIdentity(PASSWORD);
                    s.auth().verify(Duration.ofSeconds(10));
                }
            }).isNotNull();
        } finally {
            old.stop();
        }
    }

    @Test
    void theHostKeyIsTheHomesOwnAndKeptPrivate() throws Exception {
        Path key = rig.dir.resolve("ssh/host_key");
        assertThat(java.nio.file.Files.getPosixFilePermissions(key)).containsExactlyInAnyOrder(
                java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        assertThat(Files.getPosixFilePermissions(key.getParent())).hasSize(3);
    }
}
