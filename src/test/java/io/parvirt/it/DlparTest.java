package io.parvirt.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.testing.Await;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 13: processor and memory DLPAR of real TCG guests through the daemon. One pair of
 * partitions for the whole class (each boot costs time under TCG): virtual processors added,
 * removed and added again (QEMU 7.2 under TCG must survive it), 512 MB added and removed, units
 * and memory moved between the two, and bad requests refused with nothing changed.
 */
@Tag("guest")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DlparTest {
    static RunningDaemon d;
    static final String A = "name=dla,profile_name=default,lpar_env=aixlinux,min_mem=512,desired_mem=1024,"
            + "max_mem=1792,proc_mode=shared,min_proc_units=0.1,desired_proc_units=0.6,max_proc_units=2.0,min_procs=1,"
            + "desired_procs=1,max_procs=3,sharing_mode=uncap,uncap_weight=128";
    static final String B = "name=dlb,profile_name=default,lpar_env=aixlinux,min_mem=256,desired_mem=512,"
            + "max_mem=1024,proc_mode=shared,min_proc_units=0.1,desired_proc_units=0.2,max_proc_units=1.0,min_procs=1,"
            + "desired_procs=1,max_procs=2,sharing_mode=uncap,uncap_weight=128";

    @BeforeAll
    static void start() {
        d = RunningDaemon.start("accel=auto\n");
        assertThat(d.hmc("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", A).exit()).isZero();
        assertThat(d.hmc("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", B).exit()).isZero();
    }

    @AfterAll
    static void stop() {
        for (String n : new String[] {"dla", "dlb"}) {
            d.hmc("chsysstate", "-m", "sys1", "-r", "lpar", "-o", "shutdown", "--immed", "-n", n);
        }
        Await.on("every partition stopped", () -> d.hmc("lssyscfg", "-r", "lpar", "-m", "sys1", "-F", "state").stdout())
                .within(Duration.ofSeconds(30)).every(Guests.POLL)
                .until(out -> out.lines().allMatch(s -> s.equals("Not Activated") || s.equals("Error")));
        d.close();
    }

    static RunningDaemon.Hmc chhwres(String... args) {
        return DlparProbe.chhwres(d, args);
    }

    static void ok(RunningDaemon.Hmc r) {
        assertThat(r.exit()).as(r.stdout()).isZero();
        assertThat(r.stdout()).isEmpty();
    }

    static String snapshot() {
        return DlparProbe.snapshot(d);
    }

    static void refused(String code, String... args) {
        String before = snapshot();
        RunningDaemon.Hmc r = chhwres(args);
        assertThat(r.exit()).as(r.stdout()).isEqualTo(1);
        assertThat(r.stdout()).startsWith(code + " ");
        assertThat(snapshot()).as("nothing changed by " + String.join(" ", args)).isEqualTo(before);
    }

    static int nproc(String lpar) {
        return DlparProbe.nproc(d, lpar);
    }

    static long memTotalMb(String lpar) {
        return DlparProbe.memTotalMb(d, lpar);
    }

    static String lpar(String resource, String name, String fields) {
        return DlparProbe.lpar(d, resource, name, fields);
    }

    /** How many vCPU threads the dispatcher measures for {@code name}. */
    static int dispatchedThreads(String name) {
        return DlparProbe.dispatched(d, name).path("vcpuThreads").size();
    }

    @Test
    @Order(1)
    void aPartitionThatIsNotRunningIsRefused() {
        refused("HSCL130C", "-r", "proc", "-o", "a", "-p", "dla", "--procs", "1");
        refused("HSCL130C", "-r", "mem", "-o", "a", "-p", "dla", "-q", "256");
    }

    @Test
    @Order(2)
    void bothPartitionsRun() {
        ok(d.hmc("chsysstate", "-m", "sys1", "-r", "lpar", "-o", "on", "-n", "dla"));
        ok(d.hmc("chsysstate", "-m", "sys1", "-r", "lpar", "-o", "on", "-n", "dlb"));
        Guests.awaitState(d, "dla", "Running", Duration.ofSeconds(180));
        Guests.awaitState(d, "dlb", "Running", Duration.ofSeconds(180));
        assertThat(nproc("dla")).isEqualTo(1);
    }

    @Test
    @Order(3)
    void aVirtualProcessorIsAddedRemovedAndAddedAgain() throws Exception {
        ok(chhwres("-r", "proc", "-o", "a", "-p", "dla", "--procs", "1", "-w", "2"));
        assertThat(nproc("dla")).isEqualTo(2);
        assertThat(lpar("proc", "dla", "curr_procs,pend_procs,run_procs")).isEqualTo("2,2,2");
        // The dispatcher reads the threads at every interval (100 ms): the new one is there at once.
        Await.on("the dispatcher to measure 2 vCPU threads", () -> dispatchedThreads("dla"))
                .within(Duration.ofSeconds(1)).every(Duration.ofMillis(50)).until(n -> n == 2);

        ok(chhwres("-r", "proc", "-o", "r", "-p", "dla", "--procs", "1", "-w", "2"));
        assertThat(nproc("dla")).isEqualTo(1);
        assertThat(lpar("proc", "dla", "curr_procs,run_procs")).isEqualTo("1,1");

        // Under TCG the removed vCPU stayed plugged and offline: adding it again brings it back online.
        ok(chhwres("-r", "proc", "-o", "a", "-p", "dla", "--procs", "1", "-w", "2"));
        assertThat(nproc("dla")).isEqualTo(2);
        assertThat(Guests.state(d, "dla")).isEqualTo("Running");
        assertThat(d.hmc("lssvcevents", "-t", "console").stdout()).contains("dla (id 1): added 1 virtual processor")
                .contains("dla (id 1): removed 1 virtual processor");
        assertThat(d.hmc("lslparutil", "-r", "lpar", "-m", "sys1", "--filter", "event_types=config_change",
                "-F", "event_type,lpar_name,curr_procs").stdout()).as("each DLPAR is a config_change event")
                .contains("config_change,dla,2").contains("config_change,dla,1");
    }

    @Test
    @Order(4)
    void memoryIsAddedAndRemovedInTheGuest() {
        long mem = memTotalMb("dla");
        long avail = Guests.memSys(d, "curr_avail_sys_mem");
        long firmware = Guests.memSys(d, "sys_firmware_mem");
        ok(chhwres("-r", "mem", "-o", "a", "-p", "dla", "-q", "512", "-w", "2"));
        assertThat((double) memTotalMb("dla")).isCloseTo(mem + 512, org.assertj.core.data.Percentage.withPercentage(1));
        assertThat(lpar("mem", "dla", "curr_min_mem,curr_mem,curr_max_mem,run_mem")).isEqualTo("512,1536,1792,1536");
        assertThat(Guests.memSys(d, "curr_avail_sys_mem")).isEqualTo(avail - 512);
        assertThat(Guests.memSys(d, "sys_firmware_mem")).isEqualTo(firmware);

        ok(chhwres("-r", "mem", "-o", "r", "-p", "dla", "-q", "512", "-w", "2"));
        assertThat((double) memTotalMb("dla")).isCloseTo(mem, org.assertj.core.data.Percentage.withPercentage(1));
        assertThat(lpar("mem", "dla", "curr_mem,run_mem")).isEqualTo("1024,1024");
        assertThat(Guests.memSys(d, "curr_avail_sys_mem")).isEqualTo(avail);
    }

    @Test
    @Order(5)
    void badRequestsAreRefusedAndChangeNothing() {
        refused("HSCL1303", "-r", "proc", "-o", "a", "-p", "dla", "--procs", "2");
        refused("HSCL1303", "-r", "proc", "-o", "r", "-p", "dla", "--procs", "2");
        refused("HSCL1303", "-r", "mem", "-o", "a", "-p", "dla", "-q", "1024");
        refused("HSCL1303", "-r", "mem", "-o", "r", "-p", "dla", "-q", "768");
        refused("HSCL1305", "-r", "mem", "-o", "a", "-p", "dla", "-q", "100");
        refused("HSCL1303", "-r", "mem", "-o", "m", "-p", "dla", "-t", "dlb", "-q", "768");
    }

    @Test
    @Order(6)
    void unitsAndMemoryMoveBetweenTwoPartitions() {
        long memB = memTotalMb("dlb");
        ok(chhwres("-r", "proc", "-o", "m", "-p", "dla", "-t", "dlb", "--procunits", "0.3"));
        assertThat(lpar("proc", "dla", "curr_proc_units")).isEqualTo("0.3");
        assertThat(lpar("proc", "dlb", "curr_proc_units")).isEqualTo("0.5");
        ok(chhwres("-r", "mem", "-o", "m", "-p", "dla", "-t", "dlb", "-q", "256", "-w", "2"));
        assertThat(lpar("mem", "dla", "curr_mem,run_mem")).isEqualTo("768,768");
        assertThat(lpar("mem", "dlb", "curr_mem,run_mem")).isEqualTo("768,768");
        assertThat((double) memTotalMb("dlb")).isCloseTo(memB + 256, org.assertj.core.data.Percentage.withPercentage(1));
    }
}
