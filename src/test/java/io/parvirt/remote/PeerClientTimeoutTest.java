package io.parvirt.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** A peer that is not there, one that never answers, and one that answers: real sockets on loopback. */
@Tag("unit")
class PeerClientTimeoutTest {
    static final PeerClient.Timeouts SHORT = new PeerClient.Timeouts(Duration.ofMillis(500), Duration.ofMillis(800),
            Duration.ofSeconds(1));

    static PeerClient client(int port) {
        return new PeerClient(new Peer(new SystemAddress("127.0.0.1", port), "hscroot", "pw", null, "", ""), SHORT);
    }

    @Test
    void aPeerThatIsNotThereIsUnreachableAtOnce() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> client(port).cli(List.of("lssyscfg", "-r", "sys"), Map.of()))
                .isInstanceOfSatisfying(RemoteException.class, e -> assertThat(e.kind())
                        .isEqualTo(RemoteException.Kind.UNREACHABLE));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void aPeerThatAcceptsButNeverAnswersTimesOutWithinTheBound() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                try (Socket held = s.accept()) {
                    held.getInputStream().read(new byte[4096]);
                    Thread.sleep(10_000);
                } catch (Exception e) {
                    // closed by the test
                }
            });
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> client(s.getLocalPort()).cli(List.of("lssyscfg", "-r", "sys"), Map.of()))
                    .isInstanceOfSatisfying(RemoteException.class, e -> {
                        assertThat(e.kind()).isEqualTo(RemoteException.Kind.TIMEOUT);
                        assertThat(e.noConnection()).isTrue();
                    });
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
            // the TLS probe is bounded the same way, and a server that speaks no TLS has no certificate
        }
    }

    @Test
    void theCommandLineComesBackVerbatimWithItsExitCodeAndTheProbeSeesNoTls() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 2; i++) {
                    try (Socket c = s.accept()) {
                        InputStream in = c.getInputStream();
                        byte[] buf = new byte[8192];
                        String req = new String(buf, 0, in.read(buf), StandardCharsets.ISO_8859_1);
                        String body = req.startsWith("POST /api/v1/hmc/cli") && req.contains("Basic aHNjcm9vdDpwdw==")
                                ? "HSCL8012 The partition named x was not found.\n" : "no\n";
                        OutputStream out = c.getOutputStream();
                        out.write(("HTTP/1.1 404 Not Found\r\nX-Parvirt-Exit-Code: 1\r\nContent-Length: " + body.length()
                                + "\r\nConnection: close\r\n\r\n" + body).getBytes(StandardCharsets.ISO_8859_1));
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            PeerClient.CliReply r = client(s.getLocalPort()).cli(List.of("lssyscfg", "-r", "lpar", "-m", "x"), Map.of());
            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.stdout()).isEqualTo("HSCL8012 The partition named x was not found.\n");
            assertThat(PinnedTrust.probe(new SystemAddress("127.0.0.1", s.getLocalPort()), Duration.ofSeconds(2)))
                    .isEmpty();
        }
    }
}
