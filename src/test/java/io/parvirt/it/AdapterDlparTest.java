package io.parvirt.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.testing.Await;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 13: virtual adapter DLPAR of real TCG guests. Two guests for the whole class (A, which
 * gets and loses adapters, and B, a peer on VLAN 7) and a VIOS whose storage server is no guest:
 * a NIC hot-plugged into A on VLAN 7 reaches B and leaves again; a disk mapped on the VIOS while A
 * runs appears in A, takes a file system and leaves before the VIOS stops serving it; a client
 * SCSI adapter comes and goes; bad requests are refused with the HMC's line and change nothing.
 */
@Tag("guest")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AdapterDlparTest {
    static RunningDaemon d;
    static Path iso;

    @BeforeAll
    static void start() {
        d = RunningDaemon.start();
        define("VIOS1", "vioserver", "\"virtual_scsi_adapters=2/server/any//any/1\"");
        define("A", "aixlinux", "virtual_scsi_adapters=2/client//VIOS1/2/1");
        define("B", "aixlinux", "\"virtual_eth_adapters=2/0/7//0/1\"");
        define("C", "aixlinux", "\"virtual_eth_adapters=2/0/7//0/1\"");
        vios("mksp -fb pool1 -size 256M");
        vios("mkbdsp -sp pool1 48M -bd hotdisk");
    }

    @AfterAll
    static void stop() {
        for (String n : new String[] {"A", "B", "VIOS1"}) {
            d.hmc("chsysstate", "-m", "sys1", "-r", "lpar", "-o", "shutdown", "--immed", "-n", n);
        }
        Await.on("every partition stopped", () -> d.hmc("lssyscfg", "-r", "lpar", "-m", "sys1", "-F", "state").stdout())
                .within(Duration.ofSeconds(30)).every(Guests.POLL)
                .until(out -> out.lines().allMatch(s -> s.equals("Not Activated") || s.equals("Error")));
        d.close();
        if (iso != null) {
            try {
                Files.deleteIfExists(iso);
            } catch (java.io.IOException e) {
                // a temporary file: the system cleans it up
            }
        }
    }

    static void define(String name, String env, String adapters) {
        Guests.define(d, name, env, adapters);
    }

    static String vios(String command) {
        return Guests.vios(d, "VIOS1", command);
    }

    static RunningDaemon.Hmc virtualio(String... args) {
        String[] argv = new String[args.length + 5];
        System.arraycopy(new String[] {"chhwres", "-m", "sys1", "-r", "virtualio"}, 0, argv, 0, 5);
        System.arraycopy(args, 0, argv, 5, args.length);
        return d.hmc(argv);
    }

    static void ok(RunningDaemon.Hmc r) {
        assertThat(r.exit()).as(r.stdout()).isZero();
        assertThat(r.stdout()).isEmpty();
    }

    /** The adapters every partition runs with or will run with, for before/after comparisons. */
    static String snapshot() {
        return d.hmc("lshwres", "-r", "virtualio", "--rsubtype", "eth", "-m", "sys1", "--level", "lpar").stdout()
                + d.hmc("lshwres", "-r", "virtualio", "--rsubtype", "scsi", "-m", "sys1", "--level", "lpar").stdout();
    }

    static void refused(String code, String... args) {
        String before = snapshot();
        RunningDaemon.Hmc r = virtualio(args);
        assertThat(r.exit()).as(r.stdout()).isEqualTo(1);
        assertThat(r.stdout()).startsWith(code + " ");
        assertThat(snapshot()).as("nothing changed by " + String.join(" ", args)).isEqualTo(before);
    }

    static String sh(String lpar, String script) {
        Guests.Exec e = Guests.exec(d, lpar, "/bin/sh", "-c", script);
        assertThat(e.status()).as(e.body()).isEqualTo(200);
        assertThat(e.exit()).as(script + " in " + lpar + ": " + e.stdout() + e.stderr()).isZero();
        return e.stdout();
    }

    /** The partition's Ethernet adapters as lshwres lists them; "" when it has none. */
    static String eth(String lpar, String fields) {
        String out = d.hmc("lshwres", "-r", "virtualio", "--rsubtype", "eth", "-m", "sys1", "--level", "lpar",
                "--filter", "lpar_names=" + lpar, "-F", fields).stdout().strip();
        return out.equals("No results were found.") ? "" : out;
    }

    static String scsi(String lpar) {
        return d.hmc("lshwres", "-r", "virtualio", "--rsubtype", "scsi", "-m", "sys1", "--level", "lpar",
                "--filter", "lpar_names=" + lpar, "-F", "slot_num,state,adapter_type,remote_lpar_name,remote_slot_num")
                .stdout().strip();
    }

    /** The guest's interface with MAC address {@code mac} (as lshwres prints it), or "" when it has none. */
    static String iface(String lpar, String mac) {
        StringBuilder m = new StringBuilder();
        for (int i = 0; i < 12; i += 2) {
            m.append(i > 0 ? ":" : "").append(mac.substring(i, i + 2).toLowerCase(Locale.ROOT));
        }
        return sh(lpar, "for i in /sys/class/net/*; do [ \"$(cat $i/address)\" = " + m + " ] && basename $i;"
                + " done; true").strip();
    }

    /** Sizes in bytes of the guest's SCSI disks, sorted. */
    static String disks(String lpar) {
        return sh(lpar, "cd /sys/block; for b in sd*; do [ -e $b ] && echo $(( $(cat $b/size) * 512 )); done | sort;"
                + " true").strip();
    }

    @Test
    @Order(1)
    void aPartitionThatIsNotRunningIsRefused() {
        refused("HSCL130C", "--rsubtype", "eth", "-p", "C", "-o", "a", "-s", "5", "-a", "port_vlan_id=7");
        refused("HSCL130C", "--rsubtype", "eth", "-p", "C", "-o", "r", "-s", "2");
    }

    @Test
    @Order(2)
    void thePartitionsRun() {
        assertThat(d.hmc("chsysstate", "-m", "sys1", "-r", "lpar", "-o", "on", "-n", "VIOS1", "-f", "default").exit())
                .isZero();
        Guests.awaitState(d, "VIOS1", "Running", Duration.ofSeconds(90));
        for (String n : new String[] {"A", "B"}) {
            var r = d.hmc("chsysstate", "-m", "sys1", "-r", "lpar", "-o", "on", "-n", n, "-f", "default");
            assertThat(r.exit()).as(r.stdout()).isZero();
        }
        Guests.awaitState(d, "A", "Running", Duration.ofSeconds(240));
        Guests.awaitState(d, "B", "Running", Duration.ofSeconds(240));
        assertThat(eth("A", "slot_num")).isEmpty();
        assertThat(scsi("A")).isEqualTo("2,1,client,VIOS1,2");
    }

    @Test
    @Order(3)
    void aNicAddedOnAVlanReachesItsPeerAndLeavesAgain() {
        ok(virtualio("--rsubtype", "eth", "-p", "A", "-o", "a", "-s", "5", "-a", "port_vlan_id=7"));
        assertThat(eth("A", "slot_num,state,port_vlan_id,ieee_virtual_eth,vswitch")).isEqualTo("5,1,7,0,ETHERNET0");
        String mac = eth("A", "mac_addr");
        String nic = Await.on("A's guest to see the new NIC", () -> iface("A", mac)).within(Duration.ofSeconds(60))
                .every(Duration.ofSeconds(1)).until(i -> !i.isEmpty());
        sh("A", "ip link set " + nic + " up && ip addr add 10.0.7.1/24 dev " + nic);
        sh("B", "ip link set eth0 up && ip addr add 10.0.7.2/24 dev eth0");
        assertThat(sh("A", "ping -c 2 -W 3 10.0.7.2 >/dev/null 2>&1; echo $?").strip()).as("A -> B on VLAN 7")
                .isEqualTo("0");

        // Live changes: only addl_vlan_ids, ieee_virtual_eth and qos_priority (as on the HMC).
        ok(virtualio("--rsubtype", "eth", "-p", "A", "-o", "s", "-s", "5", "-a",
                "ieee_virtual_eth=1,addl_vlan_ids=8,qos_priority=3"));
        assertThat(eth("A", "ieee_virtual_eth,port_vlan_id,addl_vlan_ids,qos_priority")).isEqualTo("1,7,8,3");
        assertThat(sh("A", "ping -c 2 -W 3 10.0.7.2 >/dev/null 2>&1; echo $?").strip())
                .as("untagged VLAN 7 still reaches B after the change").isEqualTo("0");
        refused("HSCL130B", "--rsubtype", "eth", "-p", "A", "-o", "s", "-s", "5", "-a", "port_vlan_id=9");

        long t0 = System.nanoTime();
        ok(virtualio("--rsubtype", "eth", "-p", "A", "-o", "r", "-s", "5"));
        System.out.printf("NIC removal took %.1f s%n", (System.nanoTime() - t0) / 1e9);
        assertThat(eth("A", "slot_num")).isEmpty();
        assertThat(iface("A", mac)).as("A's interface is gone").isEmpty();
        assertThat(d.hmc("lssvcevents", "-t", "console").stdout())
                .contains("A (id 2): added virtual Ethernet adapter in slot 5")
                .contains("A (id 2): removed virtual Ethernet adapter in slot 5");
    }

    @Test
    @Order(4)
    void badRequestsAreRefusedAndChangeNothing() {
        refused("HSCL130A", "--rsubtype", "eth", "-p", "A", "-o", "r", "-s", "9");
        refused("HSCL130A", "--rsubtype", "scsi", "-p", "A", "-o", "r", "-s", "9");
        refused("HSCL1309", "--rsubtype", "eth", "-p", "A", "-o", "a", "-s", "2", "-a", "port_vlan_id=7");
        refused("HSCL1303", "--rsubtype", "eth", "-p", "A", "-o", "a", "-s", "25", "-a", "port_vlan_id=7");
        refused("HSCL1303", "--rsubtype", "eth", "-p", "A", "-o", "a", "-s", "6", "-a", "port_vlan_id=5000");
        refused("HSCL130A", "--rsubtype", "eth", "-p", "A", "-o", "a", "-s", "6", "-a", "port_vlan_id=7,vswitch=NOPE");
        refused("HSCL130B", "--rsubtype", "eth", "-p", "VIOS1", "-o", "a", "-s", "6", "-a", "port_vlan_id=7");
    }

    @Test
    @Order(5)
    void aDiskMappedWhileTheClientRunsAppearsAndLeavesFirst() {
        assertThat(disks("A")).isEmpty();
        vios("mkvdev -vdev hotdisk -vadapter vhost0 -dev vthot");
        Await.on("A's guest to see the 48 MB disk", () -> disks("A")).within(Duration.ofSeconds(60))
                .every(Duration.ofSeconds(1)).until(s -> s.equals(Long.toString(48L << 20)));
        sh("A", "D=/dev/$(cd /sys/block; ls -d sd* | head -1); mke2fs -q $D && mkdir -p /mnt/h && mount -t ext2 $D"
                + " /mnt/h && echo hello > /mnt/h/f && umount /mnt/h");

        long t0 = System.nanoTime();
        vios("rmvdev -vtd vthot");
        double took = (System.nanoTime() - t0) / 1e9;
        System.out.printf("rmvdev with a running client took %.1f s%n", took);
        assertThat(took).as("the guest let the disk go first: no 30 s reconnect wait").isLessThan(20);
        assertThat(disks("A")).as("A no longer sees the disk").isEmpty();
        // Nothing in the guest waits on the gone socket: a command that touches the SCSI layer returns at once.
        long t1 = System.nanoTime();
        sh("A", "cat /proc/partitions >/dev/null");
        assertThat((System.nanoTime() - t1) / 1e9).isLessThan(10);
    }

    @Test
    @Order(6)
    void aClientScsiAdapterIsAddedAndRemoved() {
        String hosts = sh("A", "ls /sys/class/scsi_host | wc -l").strip();
        ok(virtualio("--rsubtype", "scsi", "-p", "A", "-o", "a", "-s", "6", "-a",
                "adapter_type=client,remote_lpar_name=VIOS1,remote_slot_num=2"));
        assertThat(scsi("A")).isEqualTo("2,1,client,VIOS1,2\n6,1,client,VIOS1,2");
        Await.on("A's guest to see a new SCSI host", () -> sh("A", "ls /sys/class/scsi_host | wc -l").strip())
                .within(Duration.ofSeconds(60)).every(Duration.ofSeconds(1))
                .until(n -> Integer.parseInt(n) == Integer.parseInt(hosts) + 1);
        refused("HSCL1309", "--rsubtype", "scsi", "-p", "A", "-o", "a", "-s", "6", "-a",
                "adapter_type=client,remote_lpar_name=VIOS1,remote_slot_num=2");
        ok(virtualio("--rsubtype", "scsi", "-p", "A", "-o", "r", "-s", "6"));
        assertThat(scsi("A")).isEqualTo("2,1,client,VIOS1,2");
        assertThat(sh("A", "ls /sys/class/scsi_host | wc -l").strip()).isEqualTo(hosts);
    }

    @Test
    @Order(7)
    void anOpticalMediumLoadedWhileTheClientRunsIsReadableAndLeavesOnUnload() throws Exception {
        vios("mkvdev -fbo -vadapter vhost0 -dev vtcd");
        String sr = Await.on("A's guest to see the optical drive", () -> sh("A", "cd /sys/block; ls -d sr* 2>/dev/null;"
                + " true").strip()).within(Duration.ofSeconds(60)).every(Duration.ofSeconds(1)).until(x -> !x.isEmpty());
        vios("mkrep -sp pool1 -size 16M");
        iso = Files.createTempFile("parvirt-medium-", ".iso");
        IsoImage.write(iso, "PARVIRT", "hello.txt", "hot medium\n".getBytes(StandardCharsets.US_ASCII));
        vios("mkvopt -name hot1 -file " + iso + " -ro");
        vios("loadopt -disk hot1 -vtd vtcd");
        String read = "mkdir -p /media/cd; mount -t iso9660 -o ro /dev/" + sr + " /media/cd 2>/dev/null"
                + " && cat /media/cd/hello.txt && umount /media/cd; true";
        assertThat(Await.on("the medium to be readable in A", () -> sh("A", read)).within(Duration.ofSeconds(30))
                .every(Duration.ofSeconds(1)).until(x -> !x.isEmpty())).isEqualTo("hot medium\n");

        long t0 = System.nanoTime();
        vios("unloadopt -vtd vtcd");
        assertThat((System.nanoTime() - t0) / 1e9).isLessThan(20);
        Await.on("the medium to be gone from A's drive", () -> sh("A", read)).within(Duration.ofSeconds(30))
                .every(Duration.ofSeconds(1)).until(String::isEmpty);
        vios("rmvdev -vtd vtcd");
        Await.on("the optical drive to leave A", () -> sh("A", "cd /sys/block; ls -d sr* 2>/dev/null; true").strip())
                .within(Duration.ofSeconds(30)).every(Duration.ofSeconds(1)).until(String::isEmpty);
    }
}
