package io.parvirt.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.testing.Await;
import java.time.Duration;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 13: DLPAR and profiles with a real TCG guest. DLPAR leaves the profile alone unless the
 * partition has {@code sync_curr_profile=1}; {@code mksyscfg -r prof -o save} writes the current
 * configuration into a profile; {@code rsthwres} brings the current resources back to the profile.
 * Every refusal changes neither the listings nor the profiles.
 */
@Tag("guest")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DlparProfileTest {
    static RunningDaemon d;
    static final String LPAR = "name=dlp,profile_name=default,lpar_env=aixlinux,min_mem=512,desired_mem=768,"
            + "max_mem=1536,proc_mode=shared,min_proc_units=0.1,desired_proc_units=0.3,max_proc_units=2.0,"
            + "min_procs=1,desired_procs=1,max_procs=3,sharing_mode=uncap,uncap_weight=128";

    @BeforeAll
    static void start() {
        d = RunningDaemon.start("accel=auto\n");
        ok(d.hmc("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", LPAR));
    }

    @AfterAll
    static void stop() {
        d.hmc("chsysstate", "-m", "sys1", "-r", "lpar", "-o", "shutdown", "--immed", "-n", "dlp");
        Guests.awaitState(d, "dlp", "Not Activated", Duration.ofSeconds(30));
        d.close();
    }

    static void ok(RunningDaemon.Hmc r) {
        assertThat(r.exit()).as(r.stdout()).isZero();
        assertThat(r.stdout()).isEmpty();
    }

    static RunningDaemon.Hmc hmc(String... argv) {
        return d.hmc(argv);
    }

    static String profile(String name, String fields) {
        return d.hmc("lssyscfg", "-r", "prof", "-m", "sys1", "--filter", "lpar_names=dlp,profile_names=" + name,
                "-F", fields).stdout().strip();
    }

    /** Listings and profiles: what a refusal must leave as it was. */
    static String everything() {
        return DlparProbe.snapshot(d) + d.hmc("lssyscfg", "-r", "prof", "-m", "sys1").stdout();
    }

    static void refused(String code, String... argv) {
        String before = everything();
        RunningDaemon.Hmc r = d.hmc(argv);
        assertThat(r.exit()).as(r.stdout()).isEqualTo(1);
        assertThat(r.stdout()).startsWith(code + " ");
        assertThat(everything()).as("nothing changed by " + String.join(" ", argv)).isEqualTo(before);
    }

    static String curr(String resource, String fields) {
        return DlparProbe.lpar(d, resource, "dlp", fields);
    }

    @Test
    @Order(1)
    void nothingIsSavedOrRestoredWhileThePartitionIsNotRunning() {
        refused("HSCL130C", "mksyscfg", "-r", "prof", "-m", "sys1", "-o", "save", "-p", "dlp", "-n", "now");
        refused("HSCL130C", "rsthwres", "-r", "proc", "-m", "sys1", "-p", "dlp");
        refused("HSCL130C", "rsthwres", "-r", "mem", "-m", "sys1", "-p", "dlp");
    }

    @Test
    @Order(2)
    void thePartitionRunsAndIsDlparCapableOnceItsAgentAnswers() {
        ok(hmc("chsysstate", "-m", "sys1", "-r", "lpar", "-o", "on", "-n", "dlp"));
        Guests.awaitState(d, "dlp", "Running", Duration.ofSeconds(180));
        Await.on("dlpar_proc_capable and dlpar_mem_capable", () -> hmc("lssyscfg", "-r", "lpar", "-m", "sys1",
                "--filter", "lpar_names=dlp", "-F", "rmc_state,dlpar_proc_capable,dlpar_mem_capable").stdout().strip())
                .within(Duration.ofSeconds(120)).every(Guests.POLL).until("active,1,1"::equals);
        // nothing is out of line with the profile yet: rsthwres has nothing to do and changes nothing
        String before = everything();
        ok(hmc("rsthwres", "-r", "proc", "-m", "sys1", "-p", "dlp"));
        ok(hmc("rsthwres", "-r", "mem", "-m", "sys1"));
        ok(hmc("rsthwres", "-r", "io", "-m", "sys1", "-p", "dlp"));
        assertThat(everything()).isEqualTo(before);
    }

    @Test
    @Order(3)
    void dlparLeavesTheProfileAloneByDefault() {
        assertThat(hmc("lssyscfg", "-r", "lpar", "-m", "sys1", "--filter", "lpar_names=dlp", "-F",
                "sync_curr_profile").stdout().strip()).isEqualTo("0");
        String before = d.hmc("lssyscfg", "-r", "prof", "-m", "sys1").stdout();
        ok(DlparProbe.chhwres(d, "-r", "proc", "-o", "a", "-p", "dlp", "--procunits", "0.2"));
        ok(DlparProbe.chhwres(d, "-r", "proc", "-o", "a", "-p", "dlp", "--procs", "1", "-w", "2"));
        ok(DlparProbe.chhwres(d, "-r", "proc", "-o", "s", "-p", "dlp", "-a", "uncap_weight=64"));
        ok(DlparProbe.chhwres(d, "-r", "mem", "-o", "a", "-p", "dlp", "-q", "256", "-w", "2"));
        assertThat(curr("proc", "curr_procs,curr_proc_units,curr_uncap_weight")).isEqualTo("2,0.5,64");
        assertThat(curr("mem", "curr_mem")).isEqualTo("1024");
        assertThat(d.hmc("lssyscfg", "-r", "prof", "-m", "sys1").stdout()).isEqualTo(before);
    }

    @Test
    @Order(4)
    void theCurrentConfigurationIsSavedIntoANewProfileAndOverAnOldOneOnlyWithForce() {
        ok(hmc("mksyscfg", "-r", "prof", "-m", "sys1", "-o", "save", "-p", "dlp", "-n", "now"));
        assertThat(profile("now", "min_procs,desired_procs,max_procs,min_proc_units,desired_proc_units,"
                + "max_proc_units,sharing_mode,uncap_weight,min_mem,desired_mem,max_mem"))
                .isEqualTo("1,2,3,0.1,0.5,2.0,uncap,64,512,1024,1536");
        assertThat(profile("default", "desired_procs,desired_proc_units,desired_mem")).isEqualTo("1,0.3,768");

        ok(DlparProbe.chhwres(d, "-r", "proc", "-o", "r", "-p", "dlp", "--procunits", "0.1"));
        refused("HSCL1308", "mksyscfg", "-r", "prof", "-m", "sys1", "-o", "save", "-p", "dlp", "-n", "now");
        ok(hmc("mksyscfg", "-r", "prof", "-m", "sys1", "-o", "save", "-p", "dlp", "-n", "now", "--force"));
        assertThat(profile("now", "desired_proc_units")).isEqualTo("0.4");
        assertThat(d.hmc("lssvcevents", "-t", "console").stdout())
                .contains("Profile now of partition dlp saved from its current configuration");
    }

    @Test
    @Order(5)
    void rsthwresRefusesAProfileTheRunningLimitsCannotReachAndChangesNothing() {
        ok(hmc("chsyscfg", "-r", "prof", "-m", "sys1", "-i", "name=default,lpar_name=dlp,max_mem=2048,"
                + "desired_mem=2048,max_procs=4,desired_procs=4,desired_proc_units=0.4"));
        // curr_max_mem (1536) and curr_max_procs (3) were taken from the profile at activation
        refused("HSCL1303", "rsthwres", "-r", "mem", "-m", "sys1", "-p", "dlp");
        refused("HSCL1303", "rsthwres", "-r", "proc", "-m", "sys1", "-p", "dlp");
        ok(hmc("chsyscfg", "-r", "prof", "-m", "sys1", "-i", "name=default,lpar_name=dlp,desired_mem=768,"
                + "max_mem=1536,desired_procs=1,max_procs=3,desired_proc_units=0.3"));
    }

    @Test
    @Order(6)
    void rsthwresBringsProcessorsAndMemoryBackToTheProfile() {
        long memBefore = DlparProbe.memTotalMb(d, "dlp");
        ok(hmc("rsthwres", "-r", "proc", "-m", "sys1", "-p", "dlp"));
        assertThat(curr("proc", "curr_procs,curr_proc_units,curr_uncap_weight,run_procs")).isEqualTo("1,0.3,128,1");
        assertThat(DlparProbe.nproc(d, "dlp")).isEqualTo(1);
        ok(hmc("rsthwres", "-r", "mem", "-m", "sys1"));
        assertThat(curr("mem", "curr_mem,run_mem")).isEqualTo("768,768");
        assertThat((double) DlparProbe.memTotalMb(d, "dlp")).isCloseTo(memBefore - 256, Percentage.withPercentage(1));
        String events = d.hmc("lssvcevents", "-t", "console").stdout();
        assertThat(events).contains("dlp (id 1): removed 1 virtual processor").contains("removed 256 MB of memory")
                .contains("processor attributes set: uncap_weight=128");
        assertThat(d.hmc("lslparutil", "-r", "lpar", "-m", "sys1", "--filter", "event_types=config_change", "-F",
                "event_type,lpar_name,curr_procs,curr_mem").stdout()).contains("config_change,dlp,1,768");
    }

    @Test
    @Order(7)
    void withSyncCurrProfileEachDlparIsWrittenToTheProfileItRunsWith() {
        ok(hmc("chsyscfg", "-r", "lpar", "-m", "sys1", "-i", "name=dlp,sync_curr_profile=1"));
        ok(DlparProbe.chhwres(d, "-r", "proc", "-o", "a", "-p", "dlp", "--procs", "1", "-w", "2"));
        assertThat(profile("default", "desired_procs,desired_proc_units,desired_mem")).isEqualTo("2,0.3,768");
        ok(DlparProbe.chhwres(d, "-r", "mem", "-o", "a", "-p", "dlp", "-q", "256", "-w", "2"));
        ok(DlparProbe.chhwres(d, "-r", "proc", "-o", "s", "-p", "dlp", "-a", "sharing_mode=cap"));
        assertThat(profile("default", "desired_procs,desired_mem,sharing_mode")).isEqualTo("2,1024,cap");
        assertThat(profile("now", "desired_procs,desired_proc_units")).as("other profiles stay").isEqualTo("2,0.4");
        // a refused DLPAR writes nothing
        refused("HSCL1303", "chhwres", "-m", "sys1", "-r", "proc", "-o", "a", "-p", "dlp", "--procs", "2");
        ok(hmc("chsyscfg", "-r", "lpar", "-m", "sys1", "-i", "name=dlp,sync_curr_profile=0"));
        ok(DlparProbe.chhwres(d, "-r", "mem", "-o", "r", "-p", "dlp", "-q", "256", "-w", "2"));
        assertThat(profile("default", "desired_mem")).as("sync off again").isEqualTo("1024");
    }

    @Test
    @Order(8)
    void setProcsSetsTheCountAndUnitsInTheOrderThatKeepsEachStepValid() {
        assertThat(curr("proc", "curr_procs,curr_proc_units")).isEqualTo("2,0.3");
        ok(DlparProbe.chhwres(d, "-r", "proc", "-o", "s", "-p", "dlp", "--procs", "1", "--procunits", "0.5", "-w",
                "2"));
        assertThat(curr("proc", "curr_procs,curr_proc_units")).isEqualTo("1,0.5");
        assertThat(DlparProbe.nproc(d, "dlp")).isEqualTo(1);
        // 1.2 units cannot go on 1 VP (1.0 each at most): the processors are added first
        ok(DlparProbe.chhwres(d, "-r", "proc", "-o", "s", "-p", "dlp", "--procs", "3", "--procunits", "1.2", "-w",
                "2"));
        assertThat(curr("proc", "curr_procs,curr_proc_units,run_procs")).isEqualTo("3,1.2,3");
        assertThat(DlparProbe.nproc(d, "dlp")).isEqualTo(3);
        refused("HSCL1303", "chhwres", "-m", "sys1", "-r", "proc", "-o", "s", "-p", "dlp", "--procs", "4");
        refused("HSCL1303", "chhwres", "-m", "sys1", "-r", "proc", "-o", "s", "-p", "dlp", "--procs", "1",
                "--procunits", "2.5");
        ok(DlparProbe.chhwres(d, "-r", "proc", "-o", "s", "-p", "dlp", "--procs", "1", "--procunits", "0.3"));
        assertThat(curr("proc", "curr_procs,curr_proc_units")).isEqualTo("1,0.3");
    }
}
