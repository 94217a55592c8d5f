package io.parvirt.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The hypervisor switch with real partitions: V1 and V2 on VLAN 10, V3 on VLAN 20, T an 802.1Q
 * adapter with PVID 1 and VLANs 10 and 20 tagged. Addresses are set inside the guests through the
 * agent, as an administrator would; traffic is read from the guests' own interface counters.
 */
@Tag("guest")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VirtualEthernetTest {
    static RunningDaemon d;

    @BeforeAll
    static void start() {
        d = RunningDaemon.start();
        define("V1", "2/0/10//0/1");
        define("V2", "2/0/10//0/1");
        define("V3", "2/0/20//0/1");
        define("T", "\"\"2/1/1/10,20/0/1\"\"");
        for (String n : List.of("V1", "V2", "V3", "T")) {
            var r = d.hmc("chsysstate", "-m", "sys1", "-r", "lpar", "-o", "on", "-n", n, "-f", "default");
            assertThat(r.exit()).as(r.stdout()).isZero();
        }
        for (String n : List.of("V1", "V2", "V3", "T")) {
            Guests.awaitState(d, n, "Running", Duration.ofSeconds(180));
        }
        sh("V1", "ip link set eth0 up && ip addr add 10.0.10.1/24 dev eth0");
        sh("V2", "ip link set eth0 up && ip addr add 10.0.10.2/24 dev eth0");
        // V3 also takes an address in VLAN 10's subnet: only the VLAN keeps it apart.
        sh("V3", "ip link set eth0 up && ip addr add 10.0.20.3/24 dev eth0 && ip addr add 10.0.10.3/24 dev eth0");
        sh("T", "ip link set eth0 up && ip addr add 10.0.1.4/24 dev eth0"
                + " && ip link add link eth0 name eth0.10 type vlan id 10 && ip link set eth0.10 up"
                + " && ip addr add 10.0.10.4/24 dev eth0.10"
                + " && ip link add link eth0 name eth0.20 type vlan id 20 && ip link set eth0.20 up"
                + " && ip addr add 10.0.20.4/24 dev eth0.20");
    }

    static void define(String name, String adapter) {
        var r = d.hmc("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", Guests.lpar(name, 256, 1)
                + ",\"virtual_eth_adapters=" + adapter + "\"");
        assertThat(r.exit()).as(r.stdout()).isZero();
    }

    static Guests.Exec sh(String lpar, String script) {
        Guests.Exec e = Guests.exec(d, lpar, "/bin/sh", "-c", script);
        assertThat(e.status()).as(e.body()).isEqualTo(200);
        return e;
    }

    static boolean ping(String from, String to) {
        return sh(from, "ping -c 2 -W 3 " + to + " >/dev/null 2>&1; echo $?").stdout().strip().equals("0");
    }

    static long counter(String lpar, String iface, String name) {
        return Long.parseLong(sh(lpar, "cat /sys/class/net/" + iface + "/statistics/" + name).stdout().strip());
    }

    static JsonNode ports() {
        try {
            return new ObjectMapper().readTree(d.api("GET", "/api/v1/vswitch/ports", null).body());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode port(String lpar) {
        for (JsonNode p : ports()) {
            if (p.path("lpar").asText().equals(lpar)) {
                return p;
            }
        }
        throw new AssertionError("no port of " + lpar + ": " + ports());
    }

    @Test
    @Order(1)
    void partitionsOnOneVlanReachEachOtherAndNoOneElse() {
        assertThat(ping("V1", "10.0.10.2")).as("V1 -> V2 on VLAN 10").isTrue();
        long v3Before = counter("V3", "eth0", "rx_packets");
        assertThat(ping("V1", "10.0.10.3")).as("V3 is on VLAN 20: V1's ARP never reaches it").isFalse();
        sh("V1", "ping -b -c 3 -W 1 10.0.10.255 >/dev/null 2>&1; true");
        assertThat(counter("V3", "eth0", "rx_packets") - v3Before).as("none of VLAN 10's broadcasts reach V3")
                .isZero();
        assertThat(port("V1").path("txFrames").asLong()).isPositive();
    }

    @Test
    @Order(2)
    void an8021qPartitionReachesBothVlansAndTagsArriveStripped() {
        assertThat(ping("T", "10.0.10.1")).as("T on eth0.10 -> V1").isTrue();
        assertThat(ping("T", "10.0.20.3")).as("T on eth0.20 -> V3").isTrue();
        assertThat(ping("V2", "10.0.10.4")).as("V2 -> T's eth0.10").isTrue();
        // V1's and V3's adapters are not 802.1Q-aware: whatever reached them came untagged.
        assertThat(sh("V1", "cat /proc/net/dev").stdout()).doesNotContain("eth0.");
        assertThat(port("V3").path("drops").path("vlan_not_permitted").asLong()).isZero();
        String listing = d.hmc("lshwres", "-r", "virtualio", "-m", "sys1", "--rsubtype", "eth", "--level", "lpar", "--filter",
                "lpar_names=T", "-F", "slot_num,state,ieee_virtual_eth,port_vlan_id,addl_vlan_ids,vswitch").stdout();
        assertThat(listing).isEqualTo("2,1,1,1,\"10,20\",ETHERNET0\n");
        assertThat(d.hmc("lshwres", "-r", "virtualio", "--rsubtype", "vswitch", "-m", "sys1").stdout())
                .isEqualTo("vswitch=ETHERNET0,switch_mode=VEB,\"vlan_ids=1,10,20\"\n");
    }

    @Test
    @Order(3)
    void aPartitionThatChangesItsMacIsCutOff() {
        long before = port("V2").path("drops").path("spoofed_source").asLong();
        sh("V2", "ip link set eth0 down; ip link set eth0 address 02:00:00:00:00:99; ip link set eth0 up; true");
        assertThat(ping("V2", "10.0.10.1")).as("V2 with a MAC that is not its adapter's").isFalse();
        assertThat(port("V2").path("drops").path("spoofed_source").asLong()).isGreaterThan(before);
        String mac = d.hmc("lshwres", "-r", "virtualio", "-m", "sys1", "--rsubtype", "eth", "--level", "lpar", "--filter",
                "lpar_names=V2", "-F", "mac_addr").stdout().strip();
        String colons = mac.replaceAll("(..)(?!$)", "$1:").toLowerCase();
        sh("V2", "ip link set eth0 down; ip link set eth0 address " + colons + "; ip link set eth0 up; true");
        assertThat(ping("V2", "10.0.10.1")).as("its own MAC again: back on the network").isTrue();
    }

    @AfterAll
    static void stop() {
        if (d != null) {
            for (String n : List.of("V1", "V2", "V3", "T")) {
                d.hmc("chsysstate", "-m", "sys1", "-r", "lpar", "-o", "shutdown", "--immed", "-n", n);
            }
            d.close();
        }
    }
}
