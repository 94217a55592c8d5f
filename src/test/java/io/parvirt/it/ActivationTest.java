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
 * A real Debian-kernel guest under QEMU (TCG here): activation, Running once the agent answers,
 * guest exec, the resources it takes and gives back, and a clean shutdown.
 */
@Tag("guest")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ActivationTest {
    static RunningDaemon d;

    @BeforeAll
    static void start() {
        d = RunningDaemon.start("accel=auto\n");
        assertThat(d.hmc("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", Guests.lpar("lp1", 256, 2)).exit()).isZero();
        assertThat(d.hmc("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", Guests.lpar("lp2", 256, 1)).exit()).isZero();
    }

    @AfterAll
    static void stop() {
        for (String n : new String[] {"lp1", "lp2"}) {
            d.hmc("chsysstate", "-m", "sys1", "-r", "lpar", "-o", "shutdown", "--immed", "-n", n);
        }
        Await.on("every partition stopped", () -> d.hmc("lssyscfg", "-r", "lpar", "-m", "sys1", "-F", "state").stdout())
                .within(Duration.ofSeconds(30)).every(Guests.POLL)
                .until(out -> out.lines().allMatch(s -> s.equals("Not Activated") || s.equals("Error")));
        d.close();
    }

    @Test
    @Order(1)
    void activationStartsAGuestThatRunsOnceItsAgentAnswers() {
        long availBefore = Guests.memSys(d, "curr_avail_sys_mem");
        RunningDaemon.Hmc on = d.hmc("chsysstate", "-m", "sys1", "-r", "lpar", "-o", "on", "-n", "lp1", "-f", "default");
        assertThat(on.stdout()).isEmpty();
        assertThat(on.exit()).isZero();
        assertThat(Guests.state(d, "lp1")).isIn("Starting", "Running");
        assertThat(Guests.memSys(d, "curr_avail_sys_mem")).as("activation takes the desired memory")
                .isLessThanOrEqualTo(availBefore - 256);
        Guests.awaitState(d, "lp1", "Running", Duration.ofSeconds(120));
        String row = d.hmc("lssyscfg", "-r", "lpar", "-m", "sys1", "--filter", "lpar_names=lp1", "-F",
                "state,curr_profile,rmc_state,resource_config,os_version").stdout().strip();
        assertThat(row).startsWith("Running,default,active,1,").doesNotEndWith("Unknown");
    }

    @Test
    @Order(2)
    void guestExecSeesTheProfilesProcessorsAndMemory() {
        Guests.Exec nproc = Guests.exec(d, "lp1", "/bin/sh", "-c", "nproc");
        assertThat(nproc.exit()).as(nproc.body()).isZero();
        assertThat(nproc.stdout().strip()).isEqualTo("2");
        Guests.Exec mem = Guests.exec(d, "lp1", "/bin/cat", "/proc/meminfo");
        long kb = Long.parseLong(mem.stdout().lines().filter(l -> l.startsWith("MemTotal:")).findFirst().orElseThrow()
                .replaceAll("[^0-9]", ""));
        assertThat(kb / 1024).as("MemTotal in MB").isBetween(200L, 256L);
        Guests.Exec host = Guests.exec(d, "lp1", "/bin/hostname");
        assertThat(host.stdout().strip()).isEqualTo("lp1");
        Guests.Exec fails = Guests.exec(d, "lp1", "/bin/sh", "-c", "echo oops >&2; exit 3");
        assertThat(fails.exit()).isEqualTo(3);
        assertThat(fails.stderr()).isEqualTo("oops\n");
    }

    @Test
    @Order(3)
    void aRunningPartitionCannotBeRemovedOrActivatedTwice() {
        assertThat(d.hmc("rmsyscfg", "-r", "lpar", "-m", "sys1", "-n", "lp1").stdout()).startsWith("HSCL130C ");
        assertThat(d.hmc("chsysstate", "-m", "sys1", "-r", "lpar", "-o", "on", "-n", "lp1").stdout())
                .startsWith("HSCL130C ");
        assertThat(d.hmc("lsrefcode", "-r", "lpar", "-m", "sys1", "--filter", "lpar_names=lp1", "-F",
                "lpar_name,refcode").stdout()).isEqualTo("lp1,\n");
    }

    @Test
    @Order(4)
    void theConsoleLogHoldsTheReadyLine() {
        String tail = d.api("GET", "/api/v1/partitions/lp1/console?kb=64", null).body();
        assertThat(tail).contains("PARVIRT-READY host=lp1");
    }

    @Test
    @Order(5)
    void aKernelPanicTurnsThePartitionToErrorWithAReferenceCodeAndStopsQemu() {
        assertThat(d.hmc("chsysstate", "-m", "sys1", "-r", "lpar", "-o", "on", "-n", "lp2").exit()).isZero();
        Guests.awaitState(d, "lp2", "Running", Duration.ofSeconds(120));
        Guests.exec(d, "lp2", "/bin/sh", "-c", "(sleep 1; echo c > /proc/sysrq-trigger) >/dev/null 2>&1 &");
        Guests.awaitState(d, "lp2", "Error", Duration.ofSeconds(60));
        assertThat(d.hmc("lsrefcode", "-r", "lpar", "-m", "sys1", "--filter", "lpar_names=lp2", "-F",
                "refcode").stdout().strip()).isEqualTo("B200F003");
        assertThat(Guests.state(d, "lp1")).as("another partition is not disturbed").isEqualTo("Running");
        assertThat(d.hmc("chsysstate", "-m", "sys1", "-r", "lpar", "-o", "shutdown", "--immed", "-n", "lp2").exit())
                .isZero();
        Guests.awaitState(d, "lp2", "Not Activated", Duration.ofSeconds(30));
    }

    @Test
    @Order(6)
    void aDelayedShutdownStopsTheOsAndReturnsTheResources() {
        long availRunning = Guests.memSys(d, "curr_avail_sys_mem");
        assertThat(d.hmc("chsysstate", "-m", "sys1", "-r", "lpar", "-o", "shutdown", "-n", "lp1").exit()).isZero();
        Guests.awaitState(d, "lp1", "Not Activated", Duration.ofSeconds(90));
        assertThat(Guests.memSys(d, "curr_avail_sys_mem")).isGreaterThanOrEqualTo(availRunning + 256);
        String events = d.hmc("lssvcevents", "-t", "console", "-F", "text").stdout();
        assertThat(events).contains("Partition lp1 (id 1): Not Activated -> Starting")
                .contains("Starting -> Running").contains("Running -> Shutting Down")
                .contains("Shutting Down -> Not Activated");
        assertThat(d.home().run().resolve("lpar/1")).doesNotExist();
    }
}
