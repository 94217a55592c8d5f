package io.parvirt.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code lslparmigr -r msp|procpool|virtualio} (issue 14): what a destination could give one
 * partition, asked of the destination's own daemon. Two real daemons (sys1, sys2) joined in this
 * JVM through the in-process target, each with a running VIOS (a storage server, no QEMU); sys2
 * also has a VIOS that is not running and a second usable shared pool. The partition itself need
 * not run: the listings read definitions and what runs.
 */
@Tag("daemon")
class MobilityOptionsTest {
    static RunningDaemon a;
    static RunningDaemon b;

    @BeforeAll
    static void start() {
        a = RunningDaemon.start();
        b = RunningDaemon.start("system.name=sys2\n");
        a.daemon().operations().mobility().targets(name -> name.equals("sys2")
                ? Optional.of(b.daemon().operations().mobilityTarget()) : Optional.empty());
        vios(a, "sys1", "vios1", 1);
        ok(a.hmc("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", Guests.lpar("mob", 256, 1)
                + ",lpar_id=5,virtual_scsi_adapters=3/client/1/vios1/2/1"));
        vios(b, "sys2", "vios2", 1);
        vios(b, "sys2", "vios3", 2);
        ok(b.hmc("chhwres", "-r", "procpool", "-m", "sys2", "-o", "s", "--id", "1", "-a", "max_pool_proc_units=1"));
        ok(a.hmc("chsysstate", "-m", "sys1", "-r", "lpar", "-o", "on", "-n", "vios1"));
        ok(b.hmc("chsysstate", "-m", "sys2", "-r", "lpar", "-o", "on", "-n", "vios2"));
        awaitRunning(a, "sys1", "vios1");
        awaitRunning(b, "sys2", "vios2");
    }

    @AfterAll
    static void stop() {
        java.util.stream.Stream.of(b, a).filter(java.util.Objects::nonNull).forEach(RunningDaemon::close);
    }

    static void vios(RunningDaemon d, String sys, String name, int id) {
        ok(d.hmc("mksyscfg", "-r", "lpar", "-m", sys, "-i", Guests.lpar(name, 256, 1)
                .replace("lpar_env=aixlinux", "lpar_env=vioserver") + ",lpar_id=" + id
                + ",virtual_scsi_adapters=2/server/any//any/1"));
    }

    static void awaitRunning(RunningDaemon d, String sys, String name) {
        io.parvirt.testing.Await.on(name + " on " + sys + " to run", () -> d.hmc("lssyscfg", "-r", "lpar", "-m", sys,
                "--filter", "lpar_names=" + name, "-F", "state").stdout().strip()).within(Duration.ofSeconds(60))
                .every(Guests.POLL).until("Running"::equals);
    }

    static void ok(RunningDaemon.Hmc r) {
        assertThat(r.exit()).as(r.stdout()).isZero();
    }

    static RunningDaemon.Hmc lslparmigr(String resource, String... more) {
        String[] argv = java.util.stream.Stream.concat(java.util.stream.Stream.of("lslparmigr", "-r", resource, "-m",
                "sys1"), java.util.stream.Stream.of(more)).toArray(String[]::new);
        return a.hmc(argv);
    }

    @Test
    void theMoverServicePartitionsAreEachSidesRunningViosServers() {
        var r = lslparmigr("msp", "-t", "sys2", "--filter", "lpar_names=mob");
        ok(r);
        // vios3 is defined on sys2 but not running: it could not serve anything
        assertThat(r.stdout()).isEqualTo("source_msp_name=vios1,source_msp_id=1,dest_msp_names=vios2,dest_msp_ids=1\n");
        assertThat(lslparmigr("msp", "-t", "sys2", "--filter", "lpar_ids=5", "-F", "dest_msp_names").stdout())
                .isEqualTo("vios2\n");
    }

    @Test
    void theProcessorPoolsAreTheDestinationsUsablePoolsWithRoom() {
        var r = lslparmigr("procpool", "-t", "sys2", "--filter", "lpar_names=mob");
        ok(r);
        // SharedPool01 has a maximum on sys2; SharedPool02..63 have none and cannot hold a partition
        assertThat(r.stdout()).isEqualTo("\"shared_proc_pool_ids=0,1\",\"shared_proc_pool_names=DefaultPool,"
                + "SharedPool01\"\n");
    }

    @Test
    void theVirtualScsiMappingsNameTheDestinationsRunningViosForEachClientAdapter() {
        var r = lslparmigr("virtualio", "-t", "sys2", "--filter", "lpar_names=mob");
        ok(r);
        assertThat(r.stdout()).isEqualTo("possible_virtual_scsi_mappings=3/vios2/1,suggested_virtual_scsi_mappings="
                + "3/vios2/1,possible_virtual_fc_mappings=none,suggested_virtual_fc_mappings=none\n");
    }

    @Test
    void anUnknownDestinationOrNoPartitionIsOneHsclLineAndChangesNothing() {
        String before1 = a.hmc("lssyscfg", "-r", "lpar", "-m", "sys1", "-F", "name,lpar_id,state").stdout();
        String before2 = b.hmc("lssyscfg", "-r", "lpar", "-m", "sys2", "-F", "name,lpar_id,state").stdout();
        var unknown = lslparmigr("msp", "-t", "nosuch", "--filter", "lpar_names=mob");
        assertThat(unknown.exit()).isNotZero();
        assertThat(unknown.stdout().lines().toList()).singleElement().asString().startsWith("HSCL8011 ")
                .contains("nosuch");
        for (String resource : new String[] {"msp", "procpool", "virtualio"}) {
            var unnamed = lslparmigr(resource, "-t", "sys2");
            assertThat(unnamed.exit()).isNotZero();
            assertThat(unnamed.stdout().lines().toList()).singleElement().asString().startsWith("HSCL")
                    .contains("--filter lpar_names=");
        }
        var two = lslparmigr("procpool", "-t", "sys2", "--filter", "lpar_names=mob,vios1");
        assertThat(two.stdout().lines().toList()).singleElement().asString().startsWith("HSCL");
        assertThat(lslparmigr("procpool", "-t", "sys1", "--filter", "lpar_names=mob").stdout())
                .startsWith("HSCL").contains("is the source managed system");
        assertThat(a.hmc("lssyscfg", "-r", "lpar", "-m", "sys1", "-F", "name,lpar_id,state").stdout()).isEqualTo(before1);
        assertThat(b.hmc("lssyscfg", "-r", "lpar", "-m", "sys2", "-F", "name,lpar_id,state").stdout()).isEqualTo(before2);
    }
}
