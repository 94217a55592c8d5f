package io.parvirt.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The Shared Ethernet Adapter's role with real partitions: two VIOS partitions, each with a trunk
 * adapter on VLAN 10 (priorities 1 and 2), bridged by the daemon to TAP interfaces in a Linux
 * bridge of a network namespace this test makes (the "outside", 10.0.10.254); a client partition
 * on VLAN 10 reaches it, and keeps reaching it when the primary VIOS goes away.
 */
@Tag("guest")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SharedEthernetTest {
    static RunningDaemon d;
    static String ns;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")) && Files.exists(Path.of("/dev/net/tun")),
                "TAP interfaces need root (CAP_NET_ADMIN) and /dev/net/tun");
        ns = "pvsea" + ProcessHandle.current().pid();
        run("ip", "netns", "add", ns);
        nsh("ip", "link", "set", "lo", "up");
        nsh("ip", "link", "add", "br0", "type", "bridge");
        // A fixed address, as a host's uplink has: a bridge without one takes its lowest port's, and
        // would change it when a VIOS's TAP goes, leaving the partitions' ARP caches stale.
        nsh("ip", "link", "set", "br0", "address", "02:00:00:0a:0a:fe");
        nsh("ip", "addr", "add", "10.0.10.254/24", "dev", "br0");
        nsh("ip", "link", "set", "br0", "up");
        d = RunningDaemon.start("vswitch.sea_netns=" + ns + "\nvswitch.sea_bridge=br0\n");
        define("VIOS1", "vioserver", "2/0/10//1/1");
        define("VIOS2", "vioserver", "2/0/10//2/1");
        define("C", "aixlinux", "2/0/10//0/1");
        for (String n : List.of("VIOS1", "VIOS2", "C")) {
            var r = d.hmc("chsysstate", "-m", "sys1", "-r", "lpar", "-o", "on", "-n", n, "-f", "default");
            assertThat(r.exit()).as(r.stdout()).isZero();
        }
        Guests.awaitState(d, "C", "Running", Duration.ofSeconds(180));
        Guests.Exec e = Guests.exec(d, "C", "/bin/sh", "-c", "ip link set eth0 up && ip addr add 10.0.10.1/24 dev eth0");
        assertThat(e.status()).as(e.body()).isEqualTo(200);
    }

    static void define(String name, String env, String adapter) {
        var r = d.hmc("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", Guests.lpar(name, 256, 1)
                .replace("lpar_env=aixlinux", "lpar_env=" + env) + ",\"virtual_eth_adapters=" + adapter + "\"");
        assertThat(r.exit()).as(r.stdout()).isZero();
    }

    static boolean pingOutside() {
        Guests.Exec e = Guests.exec(d, "C", "/bin/sh", "-c", "ping -c 2 -W 3 10.0.10.254 >/dev/null 2>&1; echo $?");
        assertThat(e.status()).as(e.body()).isEqualTo(200);
        return e.stdout().strip().equals("0");
    }

    static List<String> activeTrunks() throws IOException {
        List<String> out = new ArrayList<>();
        for (JsonNode p : new ObjectMapper().readTree(d.api("GET", "/api/v1/vswitch/ports", null).body())) {
            if (p.path("activeTrunk").asBoolean()) {
                out.add(p.path("lpar").asText() + " via " + p.path("hostInterface").asText());
            }
        }
        return out;
    }

    @Test
    @Order(1)
    void aPartitionReachesTheOutsideThroughTheActiveTrunk() throws Exception {
        Guests.awaitState(d, "VIOS1", "Running", Duration.ofSeconds(180));
        Guests.awaitState(d, "VIOS2", "Running", Duration.ofSeconds(180));
        assertThat(activeTrunks()).containsExactly("VIOS1 via pvsea1-2");
        assertThat(nsh("ip", "-o", "link", "show", "master", "br0")).contains("pvsea1-2").contains("pvsea2-2");
        long standbyBefore = rx("pvsea2-2");
        assertThat(pingOutside()).as("C -> 10.0.10.254 through VIOS1's trunk").isTrue();
        assertThat(rx("pvsea1-2")).isPositive();
        assertThat(rx("pvsea2-2")).as("the standby trunk carried nothing").isEqualTo(standbyBefore);
        assertThat(d.hmc("lshwres", "-r", "virtualio", "-m", "sys1", "--rsubtype", "eth", "--level", "lpar",
                "--filter", "lpar_names=VIOS2", "-F", "slot_num,is_trunk,trunk_priority,port_vlan_id").stdout())
                .isEqualTo("2,1,2,10\n");
    }

    @Test
    @Order(2)
    void whenThePrimaryViosGoesTheStandbyTakesOver() throws Exception {
        var r = d.hmc("chsysstate", "-m", "sys1", "-r", "lpar", "-o", "shutdown", "--immed", "-n", "VIOS1");
        assertThat(r.exit()).as(r.stdout()).isZero();
        Guests.awaitState(d, "VIOS1", "Not Activated", Duration.ofSeconds(60));
        assertThat(activeTrunks()).containsExactly("VIOS2 via pvsea2-2");
        assertThat(nsh("ip", "-o", "link", "show")).as("VIOS1's interface went with it").doesNotContain("pvsea1-2");
        long before = rx("pvsea2-2");
        boolean ok = pingOutside();
        assertThat(ok).as("C still reaches the outside, now through VIOS2; %s", ok ? "" : diagnostics()).isTrue();
        assertThat(rx("pvsea2-2")).isGreaterThan(before);
    }

    /** What the switch and the outside saw, for a failure's message. */
    static String diagnostics() {
        try {
            return d.api("GET", "/api/v1/vswitch/ports", null).body() + "\n" + nsh("ip", "-s", "link") + "\n"
                    + nsh("bridge", "fdb", "show", "br0") + "\n" + nsh("ip", "neigh") + "\n"
                    + Guests.exec(d, "C", "/bin/sh", "-c", "ip neigh; cat /proc/net/dev").stdout();
        } catch (Exception e) {
            return e.toString();
        }
    }

    /** Frames the outside received from the switch through a trunk's TAP. */
    static long rx(String tap) throws Exception {
        return Long.parseLong(nsh("cat", "/sys/class/net/" + tap + "/statistics/rx_packets").strip());
    }

    @AfterAll
    static void stop() throws Exception {
        if (d != null) {
            for (String n : List.of("VIOS1", "VIOS2", "C")) {
                d.hmc("chsysstate", "-m", "sys1", "-r", "lpar", "-o", "shutdown", "--immed", "-n", n);
            }
            d.close();
        }
        if (ns != null) {
            run("ip", "netns", "del", ns);
        }
    }

    static String nsh(String... cmd) throws Exception {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        full.addAll(List.of(cmd));
        return run(full.toArray(String[]::new));
    }

    static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(String.join(" ", cmd) + ": " + out).isZero();
        return out;
    }
}
