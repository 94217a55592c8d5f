package io.parvirt.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19: parvirt's {@code chsysstate -o pause|resume} on a real TCG guest. The guest's own clock
 * ({@code /proc/uptime}) is the witness: it does not advance while its processors are stopped, so
 * across a pause it advances by less than the wall clock. A daemon killed meanwhile re-adopts the
 * partition paused.
 */
@Tag("guest")
class PauseResumeTest {
    private static final long PAUSE_MS = 8_000;

    @Test
    void aPausedGuestsClockStopsAndGoesOnAfterResumeAcrossADaemonKill(@TempDir Path dir) throws Exception {
        try (ServedHome h = ServedHome.start(dir, "lp1")) {
            h.ok("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", Guests.lpar("lp1", 256, 1));
            h.ok("chsysstate", "-m", "sys1", "-r", "lpar", "-o", "on", "-n", "lp1");
            h.awaitState("lp1", "Running", 120);
            double before = uptime(h);
            long wallBefore = System.nanoTime();

            h.ok("chsysstate", "-m", "sys1", "-r", "lpar", "-o", "pause", "-n", "lp1");
            assertThat(h.ok("lsrunstate", "-r", "lpar", "-m", "sys1", "-F", "lpar_name,state,run_state").stdout())
                    .isEqualTo("lp1,Running,Paused\n");
            assertThat(h.state("lp1")).as("the HMC's listing keeps the HMC's state").isEqualTo("Running");
            Cli.Result exec = h.run("guest", "exec", "-m", "sys1", "-p", "lp1", "--", "/bin/true");
            assertThat(exec.exit()).isNotZero();
            assertThat(exec.stdout() + exec.stderr()).contains("paused");
            Cli.Result again = h.run("chsysstate", "-m", "sys1", "-r", "lpar", "-o", "pause", "-n", "lp1");
            assertThat(again.stdout()).startsWith("HSCL130C ").contains("is Paused");

            h.kill();
            h.serveAgain();
            h.awaitState("lp1", "Running", 60);
            assertThat(h.ok("lsrunstate", "-r", "lpar", "-m", "sys1", "-F", "run_state").stdout().strip())
                    .as("re-adopted paused").isEqualTo("Paused");
            long left = PAUSE_MS - (System.nanoTime() - wallBefore) / 1_000_000;
            if (left > 0) {
                Thread.sleep(left); // the pause must outlast the guest's own clock's tolerance
            }

            h.ok("chsysstate", "-m", "sys1", "-r", "lpar", "-o", "resume", "-n", "lp1");
            double after = uptime(h);
            double wall = (System.nanoTime() - wallBefore) / 1e9;
            assertThat(after - before).as("guest seconds across %.1f s of wall time, %d s of them paused", wall,
                    PAUSE_MS / 1000).isGreaterThan(0).isLessThan(wall - PAUSE_MS / 1000.0 + 2.0);
            assertThat(h.ok("lsrunstate", "-r", "lpar", "-m", "sys1", "-F", "run_state").stdout().strip())
                    .isEqualTo("Running");
            double later = uptime(h);
            assertThat(later).as("its clock goes on after resume").isGreaterThan(after);
        }
    }

    private static double uptime(ServedHome h) {
        Cli.Result r = h.ok("guest", "exec", "-m", "sys1", "-p", "lp1", "--", "/bin/cat", "/proc/uptime");
        return Double.parseDouble(r.stdout().strip().split("\\s+")[0]);
    }
}
