package io.parvirt.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.parvirt.testing.Await;
import java.io.ByteArrayOutputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 14, many managed systems: an HMC-only console (host 1) and two systems (hosts 2 and 3),
 * three real daemons, each in its own network namespace on a bridged LAN ({@link NetnsLan}),
 * talking TLS over it. The steps build on each other (connect, route, lose and regain a peer).
 */
@Tag("daemon")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SystemConnectionsTest {
    static final String PW = "peer-pass-1";
    static final String LPAR = "name=web1,profile_name=default,lpar_env=aixlinux,min_mem=256,desired_mem=256,"
            + "max_mem=256,min_procs=1,desired_procs=1,max_procs=1";
    /** Checks and retries every 2 s at most, so a peer that comes back is seen quickly. */
    static final String FAST = "sysconn.check_seconds=2\nsysconn.retry_max_seconds=2\nsysconn.connect_timeout_ms=2000\n"
            + "sysconn.request_timeout_seconds=5\n";

    Path dir;
    NetnsLan lan;
    LanDaemon hmc;
    LanDaemon sys2;
    LanDaemon sys3;

    @BeforeAll
    void start() throws Exception {
        assumeTrue(NetnsLan.available(), "network namespaces need root and ip netns");
        dir = Files.createTempDirectory("parvirt-lan-");
        lan = NetnsLan.create(3);
        hmc = LanDaemon.start(lan, 1, dir.resolve("hmc"), "hmc1", "hmc.only=true\n" + FAST);
        sys2 = LanDaemon.start(lan, 2, dir.resolve("sys2"), "sys2", "");
        sys3 = LanDaemon.start(lan, 3, dir.resolve("sys3"), "sys3", "");
        for (LanDaemon d : new LanDaemon[] {sys2, sys3}) {
            d.ok("mkhmcusr", "-u", "hscroot", "-a", "hmcsuperadmin", "--passwd", PW);
        }
    }

    @AfterAll
    void stop() throws Exception {
        LanDaemon.closeAll(lan, dir, hmc, sys2, sys3);
    }

    @Test
    @Order(1)
    void anHmcOnlyConsoleConnectsSystemsAndListsThemInOrder() throws Exception {
        assertThat(hmc.ok("lssyscfg", "-r", "sys").stdout()).isEqualTo("No results were found.\n");
        hmc.ok("mksysconn", "--ip", sys2.address(), "-r", "sys", "-u", "hscroot", "--passwd", PW);
        hmc.ok("mksysconn", "--ip", sys3.address() + ":12443", "--passwd", PW);

        String conns = hmc.ok("lssysconn", "-r", "all").stdout();
        assertThat(conns.lines().toList()).hasSize(2).allSatisfy(l -> assertThat(l)
                .matches("resource_type=sys,type_model_serial_num=PVRT-KVM\\*[0-9A-F]+,sp=primary,"
                        + "sp_phys_loc=unavailable,ipaddr=10\\.77\\.0\\.[23],alt_ipaddr=unavailable,state=Connected"));
        assertThat(hmc.ok("lssysconn", "-r", "all", "-F", "ipaddr:state").stdout())
                .isEqualTo("10.77.0.2:Connected\n10.77.0.3:Connected\n");
        assertThat(hmc.ok("lssyscfg", "-r", "sys", "-F", "name,state").stdout())
                .isEqualTo("sys2,Operating\nsys3,Operating\n");
        // a system with its own partitions lists itself first, then the systems connected to it
        sys2.ok("mksysconn", "--ip", sys3.address(), "--passwd", PW);
        assertThat(sys2.ok("lssyscfg", "-r", "sys", "-F", "name").stdout()).isEqualTo("sys2\nsys3\n");
        sys2.ok("rmsysconn", "-o", "remove", "--ip", sys3.address());

        Path stored = hmc.home.resolve("sysconn/connections.json");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(stored))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(stored.getParent())))
                .isEqualTo("rwx------");
        // the console runs nothing of its own
        assertThat(hmc.run("lssyscfg", "-r", "lpar", "-m", "hmc1").stdout()).startsWith("HSCL8011 ");
    }

    @Test
    @Order(2)
    void minusMReachesTheSystemThatOwnsIt() throws Exception {
        hmc.ok("mksyscfg", "-r", "lpar", "-m", "sys2", "-i", LPAR);
        assertThat(sys2.ok("lssyscfg", "-r", "lpar", "-m", "sys2", "-F", "name").stdout()).isEqualTo("web1\n");
        assertThat(sys3.ok("lssyscfg", "-r", "lpar", "-m", "sys3", "-F", "name").stdout())
                .isEqualTo("No results were found.\n");
        assertThat(hmc.ok("lssyscfg", "-r", "lpar", "-m", "sys2", "-F", "name,state").stdout())
                .isEqualTo("web1,Not Activated\n");
        assertThat(hmc.ok("lshwres", "-r", "mem", "-m", "sys3", "--level", "sys", "-F", "mem_region_size").stdout())
                .isEqualTo(sys3.ok("lshwres", "-r", "mem", "-m", "sys3", "--level", "sys", "-F", "mem_region_size")
                        .stdout());
        hmc.ok("chsyscfg", "-r", "prof", "-m", "sys2", "-i", "name=default,lpar_name=web1,desired_mem=512,max_mem=512");
        assertThat(sys2.ok("lssyscfg", "-r", "prof", "-m", "sys2", "-F", "desired_mem").stdout()).isEqualTo("512\n");

        // the owner's refusal comes back verbatim, and changes nothing there
        String before = sys2.ok("lssyscfg", "-r", "prof", "-m", "sys2").stdout();
        Cli.Result refused = hmc.run("chsyscfg", "-r", "prof", "-m", "sys2", "-i",
                "name=default,lpar_name=web1,min_mem=1000");
        Cli.Result direct = sys2.run("chsyscfg", "-r", "prof", "-m", "sys2", "-i",
                "name=default,lpar_name=web1,min_mem=1000");
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.stdout()).startsWith("HSCL1305 ").isEqualTo(direct.stdout());
        assertThat(sys2.ok("lssyscfg", "-r", "prof", "-m", "sys2").stdout()).isEqualTo(before);

        // the REST API: ?system= relays a request to the owner
        String json = apiGet(hmc.home, "/api/v1/partitions?system=sys2");
        assertThat(json).startsWith("HTTP/1.1 200").contains("\"name\":\"web1\"");
        assertThat(apiGet(hmc.home, "/api/v1/partitions?system=nosuch")).startsWith("HTTP/1.1 404")
                .contains("HSCL8011");
        assertThat(apiGet(hmc.home, "/api/v1/partitions/nosuch?system=sys2")).startsWith("HTTP/1.1 404")
                .contains("HSCL8012");
        // parvirt's guest exec goes the same way (web1 is not running there: its daemon says so)
        Cli.Result exec = hmc.run("guest", "exec", "-m", "sys2", "-p", "web1", "--", "true");
        Cli.Result execThere = sys2.run("guest", "exec", "-m", "sys2", "-p", "web1", "--", "true");
        assertThat(exec.exit()).isEqualTo(1);
        assertThat(exec.stdout()).isNotBlank().isEqualTo(execThere.stdout());
        assertThat(hmc.run("mkvterm", "-m", "sys2", "-p", "web1").stdout()).startsWith("HSCL130B ");
        // and the audit trail of the owner names the console's connection user
        assertThat(sys2.ok("lssvcevents", "-t", "console", "-F", "text").stdout())
                .contains("chsyscfg by hscroot from 10.77.0.1");
    }

    @Test
    @Order(3)
    void badInputAndDuplicatesChangeNothing() {
        String before = hmc.ok("lssysconn", "-r", "all").stdout();
        Cli.Result dup = hmc.run("mksysconn", "--ip", sys2.address(), "--passwd", PW);
        assertThat(dup.exit()).isEqualTo(1);
        assertThat(dup.stdout()).startsWith("HSCL1308 ").contains("10.77.0.2");
        for (String ip : new String[] {"not a host", "10.77.0.300", "10.77.0.2:99999", "[::1", ""}) {
            Cli.Result bad = hmc.run("mksysconn", "--ip", ip, "--passwd", PW);
            assertThat(bad.exit()).as(ip).isEqualTo(1);
            assertThat(bad.stdout()).as(ip).contains("--ip");
        }
        long t0 = System.nanoTime();
        Cli.Result nobody = hmc.run("mksysconn", "--ip", "10.77.0.9", "--passwd", PW);
        assertThat(nobody.stdout()).startsWith("HSCL8016 ").contains("10.77.0.9");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(20));
        assertThat(hmc.run("rmsysconn", "-o", "remove", "--ip", "10.77.0.9").stdout()).startsWith("HSCL8011 ");
        assertThat(hmc.ok("lssysconn", "-r", "all").stdout()).isEqualTo(before);
    }

    @Test
    @Order(4)
    void aWrongPasswordIsFailedAuthentication() {
        hmc.ok("rmsysconn", "-o", "remove", "--ip", sys3.address());
        hmc.ok("mksysconn", "--ip", sys3.address(), "--passwd", "wrong-pass");
        assertThat(hmc.ok("lssysconn", "-r", "all", "-F", "ipaddr,state").stdout())
                .isEqualTo("10.77.0.2,Connected\n10.77.0.3,Failed Authentication\n");
        hmc.ok("rmsysconn", "-o", "remove", "--ip", sys3.address());
        // without --passwd the password is read from standard input, never on a command line
        Cli.Result again = Cli.runWithInput(hmc.home, (PW + "\n").getBytes(StandardCharsets.UTF_8), "mksysconn",
                "--ip", sys3.address());
        assertThat(again.exit()).as(again.stdout()).isZero();
        assertThat(hmc.ok("lssysconn", "-r", "all", "-F", "state").stdout()).isEqualTo("Connected\nConnected\n");
    }

    @Test
    @Order(5)
    void aStoppedSystemIsNoConnectionAndAnswersTheHmcErrorThenComesBack() throws Exception {
        sys2.stop();
        long t0 = System.nanoTime();
        Cli.Result r = hmc.run("lssyscfg", "-r", "lpar", "-m", "sys2");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(20));
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.stdout()).startsWith("HSCL8016 The managed system sys2 at 10.77.0.2 ").doesNotContain("\tat ")
                .hasLineCount(1);
        assertThat(hmc.ok("lssysconn", "-r", "all", "-F", "ipaddr,state").stdout())
                .isEqualTo("10.77.0.2,No Connection\n10.77.0.3,Connected\n");
        assertThat(hmc.ok("lssyscfg", "-r", "sys", "-F", "name,state").stdout())
                .isEqualTo("sys2,No Connection\nsys3,Operating\n");

        sys2.serve();
        Await.on("sys2 to be Connected again by itself", () -> hmc.ok("lssysconn", "-r", "all", "-F", "state")
                .stdout()).within(Duration.ofSeconds(60)).every(Duration.ofMillis(500))
                .until("Connected\nConnected\n"::equals);
        assertThat(hmc.ok("lssyscfg", "-r", "lpar", "-m", "sys2", "-F", "name").stdout()).isEqualTo("web1\n");
    }

    @Test
    @Order(6)
    void aSystemThatStopsAnsweringIsReportedWithinTheTimeout() {
        lan.cable(2, false);
        try {
            long t0 = System.nanoTime();
            Cli.Result r = hmc.run("lssyscfg", "-r", "lpar", "-m", "sys2");
            // connect 2 s (sysconn.connect_timeout_ms), plus the CLI's own start
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(15));
            assertThat(r.stdout()).startsWith("HSCL8016 The managed system sys2 at 10.77.0.2 ");
        } finally {
            lan.cable(2, true);
        }
        Await.on("sys2 to be Connected again", () -> hmc.ok("lssysconn", "-r", "all", "-F", "state").stdout())
                .within(Duration.ofSeconds(60)).every(Duration.ofMillis(500)).until("Connected\nConnected\n"::equals);
    }

    @Test
    @Order(7)
    void aChangedCertificateIsRefused() throws Exception {
        sys3.stop();
        try (Stream<Path> s = Files.walk(sys3.home.resolve("tls"))) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        sys3.serve(); // a new self-signed certificate: what a host impersonating sys3 would present
        Await.on("sys3 to be refused", () -> hmc.run("lssyscfg", "-r", "lpar", "-m", "sys3").stdout())
                .within(Duration.ofSeconds(30)).every(Duration.ofMillis(500))
                .until(out -> out.startsWith("HSCL8016 ") && out.contains("certificate"));
        assertThat(hmc.ok("lssysconn", "-r", "all", "-F", "ipaddr,state").stdout())
                .isEqualTo("10.77.0.2,Connected\n10.77.0.3,Failed Authentication\n");
        // reconnecting pins the new certificate, as a deliberate act of the console's administrator
        hmc.ok("rmsysconn", "-o", "remove", "--ip", sys3.address());
        hmc.ok("mksysconn", "--ip", sys3.address(), "--passwd", PW);
        assertThat(hmc.ok("lssyscfg", "-r", "lpar", "-m", "sys3").stdout()).isEqualTo("No results were found.\n");
    }

    @Test
    @Order(8)
    void aRestartedConsoleKeepsItsConnectionsAndNeverLogsTheirPasswords() throws Exception {
        hmc.stop();
        hmc.serve();
        Await.on("both systems Connected after the console's restart", () -> hmc.ok("lssysconn", "-r", "all",
                "-F", "ipaddr,state").stdout()).within(Duration.ofSeconds(60)).every(Duration.ofMillis(500))
                .until("10.77.0.2,Connected\n10.77.0.3,Connected\n"::equals);
        assertThat(hmc.ok("lssyscfg", "-r", "lpar", "-m", "sys2", "-F", "name").stdout()).isEqualTo("web1\n");
        assertThat(hmc.ok("lssvcevents", "-t", "console", "-F", "text").stdout()).contains("mksysconn by ")
                .doesNotContain(PW);
        try (Stream<Path> files = Files.walk(hmc.home.resolve("logs"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertThat(Files.readString(f, StandardCharsets.ISO_8859_1)).as(f.toString()).doesNotContain(PW);
            }
        }
    }

    @Test
    @Order(9)
    void rmsysconnForgetsTheSystemAndItsCredential() throws Exception {
        hmc.ok("rmsysconn", "-o", "remove", "--ip", sys2.address());
        assertThat(hmc.ok("lssysconn", "-r", "all", "-F", "ipaddr").stdout()).isEqualTo("10.77.0.3\n");
        assertThat(hmc.ok("lssyscfg", "-r", "sys", "-F", "name").stdout()).isEqualTo("sys3\n");
        assertThat(hmc.run("lssyscfg", "-r", "lpar", "-m", "sys2").stdout()).startsWith("HSCL8011 ");
        assertThat(Files.readString(hmc.home.resolve("sysconn/connections.json"))).doesNotContain("10.77.0.2");
    }

    /** A GET over the home's Unix socket with its token: the status line, headers and body. */
    static String apiGet(Path home, String path) throws Exception {
        String token = Files.readString(home.resolve("run/token")).strip();
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(home.resolve("run/api.sock")))) {
            ch.write(ByteBuffer.wrap(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII)));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteBuffer b = ByteBuffer.allocate(8192);
            while (ch.read(b) >= 0) {
                out.write(b.array(), 0, b.position());
                b.clear();
            }
            return out.toString(StandardCharsets.UTF_8);
        }
    }
}
