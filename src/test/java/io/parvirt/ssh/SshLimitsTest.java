package io.parvirt.ssh;

import static io.parvirt.ssh.SshRig.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parvirt.testing.Await;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import org.apache.sshd.client.ClientBuilder;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelShell;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.kex.BuiltinDHFactories;
import org.apache.sshd.common.signature.BuiltinSignatures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 15 with the settings turned: two sessions per user, a 2 s idle timeout, the legacy SHA-1
 * algorithms on; wrong passwords throttled and logged (issue 12's throttle, reached over SSH);
 * the interactive shell on a terminal.
 */
@Tag("daemon")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SshLimitsTest {
    private SshRig rig;

    @BeforeAll
    void start() {
        rig = new SshRig("ssh.max_sessions_per_user=2\nssh.idle_timeout_seconds=2\nssh.legacy_algorithms=true\n");
        assertThat(rig.cli("mkhmcusr", "-u", SshRig.USER, "-a", "hmcsuperadmin", "--passwd", PASSWORD).exit()).isZero();
        assertThat(rig.cli("mkhmcusr", "-u", "op", "-a", "hmcoperator", "--passwd", "operator1").exit()).isZero();
    }

    @AfterAll
    void stop() {
        rig.close();
    }

    @Test
    void aThirdSessionOfOneUserIsRefused() throws Exception {
        try (ClientSession a = rig.login(SshRig.USER, PASSWORD); ClientSession b = rig.login(SshRig.USER, PASSWORD)) {
            assertThatThrownBy(() -> {
                try (ClientSession c = rig.login(SshRig.USER, PASSWORD)) {
                    SshRig.exec(c, "true");
                }
            }).isNotNull();
            assertThat(SshRig.exec(a, "echo a").out()).isEqualTo("a\n");
        }
    }

    @Test
    void anIdleSessionIsClosed() throws Exception {
        try (ClientSession s = rig.login("op", "operator1")) {
            Await.until("the idle session to be closed", Duration.ofSeconds(10), () -> s.isClosed() || s.isClosing());
        }
    }

    @Test
    void wrongPasswordsAreThrottledAndLogged() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertThat(rig.openssh("wrong-" + i, List.of("-o", "PreferredAuthentications=password"), "true").status())
                    .isNotZero();
        }
        // Held back now: even the right password is not checked until the back-off has passed.
        assertThat(rig.openssh(PASSWORD, List.of("-o", "PreferredAuthentications=password"), "true").status())
                .isNotZero();
        Thread.sleep(2500);
        SshRig.Exec events = rig.openssh(PASSWORD, List.of(), "lssvcevents -t console | grep 'Failed login'");
        assertThat(events.out()).contains("Failed login for user hscroot from 127.0.0.1 (5 in a row; further attempts "
                + "are held back 1 s)");
        assertThat(events.status()).isZero();
    }

    @Test
    void oldJavaClientsWithOnlySha1AlgorithmsAreServedWhenAllowed() throws Exception {
        SshClient old = SshClient.setUpDefaultClient();
        old.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE);
        old.setKeyExchangeFactories(List.of(ClientBuilder.DH2KEX.apply(BuiltinDHFactories.dhg14)));
        old.setSignatureFactories(List.of(BuiltinSignatures.rsa));
        old.start();
        try (ClientSession s = old.connect("op", "127.0.0.1", rig.port).verify(Duration.ofSeconds(10)).getSession()) {
            s.addPasswordIdentity("operator1");
            s.auth().verify(Duration.ofSeconds(10));
            assertThat(SshRig.exec(s, "lssyscfg -r sys -F name").out()).isEqualTo("sys1\n");
        } finally {
            old.stop();
        }
    }

    @Test
    void theInteractiveShellPromptsEditsLinesAndExits() throws Exception {
        try (ClientSession s = rig.login("op", "operator1"); ChannelShell sh = s.createShellChannel()) {
            sh.setUsePty(true);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            sh.setOut(out);
            sh.setErr(out);
            sh.setIn(new ByteArrayInputStream("lssyscfg -r sys -F nam\u007fme\rcd /\rexit 3\r"
                    .getBytes(StandardCharsets.UTF_8)));
            sh.open().verify(Duration.ofSeconds(10));
            sh.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), Duration.ofSeconds(10));
            String text = out.toString(StandardCharsets.UTF_8);
            assertThat(text).startsWith("op@").contains(":~> lssyscfg -r sys -F nam\b \bme\r\nsys1\r\n")
                    .contains("cd /\r\nrbash: cd: restricted\r\n").endsWith("exit 3\r\n");
            assertThat(sh.getExitStatus()).isEqualTo(3);
        }
    }
}
