package io.parvirt.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parvirt.api.ApiServer;
import io.parvirt.api.Auth;
import io.parvirt.api.TlsIdentity;
import io.parvirt.hmc.Hmc;
import io.parvirt.hmc.HmcInvocation;
import io.parvirt.hmc.HmcUsers;
import io.parvirt.home.ParvirtHome;
import io.parvirt.memory.HypervisorMemory;
import io.parvirt.model.HptRatio;
import io.parvirt.model.ProcUnits;
import io.parvirt.model.SystemSettings;
import io.parvirt.store.SqliteStore;
import io.parvirt.system.HostFacts;
import io.parvirt.system.ManagedSystem;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 (TLS): the TCP listener speaks TLS with a configured or a self-signed certificate (made
 * once into the home, 0600, its fingerprint known), a listener that is not loopback never speaks
 * plain HTTP, and the API with its Basic auth works over TLS with a client that pins the certificate.
 */
@Tag("unit")
class TlsListenerTest {
    @TempDir
    Path dir;

    static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void aSelfSignedCertificateIsMadeOnceOwnerOnlyAndKept() throws Exception {
        TlsIdentity first = ServerCertificate.selfSigned(dir.resolve("tls"), "host1");
        assertThat(mode(first.keystore())).isEqualTo("rw-------");
        assertThat(mode(dir.resolve("tls/password"))).isEqualTo("rw-------");
        assertThat(first.fingerprint()).matches("([0-9A-F]{2}:){31}[0-9A-F]{2}");
        assertThat(ServerCertificate.selfSigned(dir.resolve("tls"), "host1").fingerprint())
                .isEqualTo(first.fingerprint());
    }

    @Test
    void aListenerThatIsNotLoopbackNeverSpeaksPlainHttp() throws Exception {
        ParvirtHome home = new ParvirtHome(dir.resolve("home"));
        home.create();
        assertThat(DaemonConfig.load(home, "127.0.0.1:0").tls(home, "host1")).as("loopback: plain by default")
                .isEmpty();
        assertThat(DaemonConfig.load(home, "0.0.0.0:0").tls(home, "host1")).as("any other: TLS").isPresent();
        Files.writeString(home.config(), "tls=off\n");
        assertThatThrownBy(() -> DaemonConfig.load(home, "0.0.0.0:0").tls(home, "host1"))
                .isInstanceOf(Daemon.DaemonException.class).hasMessageStartingWith("refusing to serve plain HTTP on "
                        + "0.0.0.0:0, which is not loopback: set tls=auto or tls=on in ");
    }

    @Test
    void theApiAnswersOverTlsToAClientThatPinsTheCertificate() throws Exception {
        TlsIdentity tls = ServerCertificate.selfSigned(dir.resolve("tls"), "host1");
        try (SqliteStore store = new SqliteStore(dir.resolve("parvirt.db"))) {
            SystemSettings seed = new SystemSettings("sys1", 256, ProcUnits.parse("host.reserved_proc_units", "0"),
                    1024, HypervisorMemory.defaultBaseMb(65536, 256), HptRatio.parse("hpt_ratio", "1:64"), "");
            ManagedSystem sys = new ManagedSystem(new HostFacts(8, 65536, "host1", "1234567", "127.0.0.1"), store,
                    seed);
            HmcUsers users = new HmcUsers(store);
            Hmc hmc = new Hmc(sys, users);
            assertThat(hmc.run(new HmcInvocation(List.of("mkhmcusr", "-u", "alice", "-a", "hmcviewer", "--passwd",
                    "alice-pass-1"), Map.of(), "local:test")).exitCode()).isZero();
            ApiServer server = new ApiServer(hmc, new Auth("t0k3n", "local:test", users),
                    new InetSocketAddress("127.0.0.1", 0), dir.resolve("api.sock"), () -> { }, Optional.of(tls))
                    .start();
            try {
                KeyStore trusted = KeyStore.getInstance("PKCS12");
                try (InputStream in = Files.newInputStream(tls.keystore())) {
                    trusted.load(in, tls.password().toCharArray());
                }
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(trusted);
                SSLContext ssl = SSLContext.getInstance("TLS");
                ssl.init(null, tmf.getTrustManagers(), null);
                HttpClient https = HttpClient.newBuilder().sslContext(ssl).build();
                String basic = Base64.getEncoder().encodeToString("alice:alice-pass-1".getBytes(StandardCharsets.UTF_8));
                HttpResponse<String> r = https.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:"
                        + server.tcpPort() + "/api/v1/system")).header("Authorization", "Basic " + basic).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                assertThat(r.body()).contains("\"sys1\"");
                HttpClient plain = HttpClient.newHttpClient();
                assertThatThrownBy(() -> {
                    HttpResponse<String> p = plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                            + server.tcpPort() + "/api/v1/system")).header("Authorization", "Bearer t0k3n").build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (p.statusCode() < 400) {
                        throw new AssertionError("plain HTTP was answered: " + p.statusCode());
                    }
                    throw new java.io.IOException("refused with " + p.statusCode());
                }).isInstanceOf(java.io.IOException.class);
            } finally {
                server.close();
            }
        }
    }
}
