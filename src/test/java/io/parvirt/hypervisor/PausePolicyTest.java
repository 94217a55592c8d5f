package io.parvirt.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parvirt.model.LparState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * parvirt's pause and resume (issue 19) in the supervisor's policy, against QEMU 7.2's recorded
 * answers to {@code stop}, {@code cont} and {@code query-status}; no QEMU runs.
 */
@Tag("unit")
class PausePolicyTest {
    @TempDir
    Path dir;
    SupervisorHarness h;

    @AfterEach
    void close() throws Exception {
        if (h != null) {
            h.close();
        }
    }

    @Test
    void pauseStopsTheVcpusAndResumeContinuesThemWhileTheHmcStateStaysRunning() throws Exception {
        h = new SupervisorHarness(dir, Duration.ofSeconds(60));
        h.running();
        h.supervisor.pause().get(10, TimeUnit.SECONDS);
        assertThat(h.qmp.commands()).endsWith("stop");
        assertThat(h.supervisor.status().paused()).isTrue();
        assertThat(h.state()).isEqualTo(LparState.RUNNING);

        h.supervisor.resume().get(10, TimeUnit.SECONDS);
        assertThat(h.qmp.commands()).endsWith("stop", "cont");
        assertThat(h.supervisor.status().paused()).isFalse();
        assertThat(h.listener.transitions).containsExactly("STARTING>RUNNING");
    }

    @Test
    void aPausedGuestTakesNoDlparNoGuestCommandAndNoSecondPause() throws Exception {
        h = new SupervisorHarness(dir, Duration.ofSeconds(60));
        h.running();
        h.supervisor.pause().get(10, TimeUnit.SECONDS);
        for (var refused : List.of(h.supervisor.exec("/bin/true", List.of(), Duration.ofSeconds(5)),
                h.supervisor.resize(new Resize(2, 512, 128, Duration.ofSeconds(5))), h.supervisor.pause())) {
            assertThatThrownBy(() -> refused.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasMessageContaining("paused");
        }
        assertThat(h.qmp.commands().stream().filter("stop"::equals)).hasSize(1);
    }

    @Test
    void resumingAPartitionThatIsNotPausedIsRefusedAndSendsNothing() throws Exception {
        h = new SupervisorHarness(dir, Duration.ofSeconds(60));
        h.running();
        assertThatThrownBy(() -> h.supervisor.resume().get(10, TimeUnit.SECONDS))
                .hasMessageContaining("only a paused partition can be resumed");
        assertThat(h.qmp.commands()).doesNotContain("cont");
    }

    @Test
    void aDelayedShutdownOfAPausedGuestResumesItFirstSoThatItsOsCanHearTheRequest() throws Exception {
        h = new SupervisorHarness(dir, Duration.ofSeconds(60));
        h.running();
        h.supervisor.pause().get(10, TimeUnit.SECONDS);
        h.agent.after("guest-shutdown", () -> h.process.destroy());
        h.supervisor.shutdown(false, Duration.ofSeconds(30)).get(30, TimeUnit.SECONDS);
        assertThat(h.qmp.commands()).containsSubsequence("stop", "cont");
        assertThat(h.agent.commands()).contains("guest-shutdown:powerdown");
        assertThat(h.state()).isEqualTo(LparState.NOT_ACTIVATED);
    }

    @Test
    void aPartitionAnEarlierDaemonLeftPausedIsReadoptedRunningAndPausedWithoutABootWait() throws Exception {
        h = SupervisorHarness.paused(dir);
        h.adopt();
        Eventually.until("Running", () -> h.state() == LparState.RUNNING);
        assertThat(h.supervisor.status().paused()).isTrue();
        assertThat(h.qmp.commands()).contains("query-status");
        assertThat(h.agent.commands()).doesNotContain("guest-ping"); // a stopped guest cannot answer

        h.supervisor.resume().get(10, TimeUnit.SECONDS);
        assertThat(h.qmp.commands()).endsWith("cont");
        assertThat(h.supervisor.status().paused()).isFalse();
    }
}
