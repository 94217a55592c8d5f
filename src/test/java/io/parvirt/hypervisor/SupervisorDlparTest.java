package io.parvirt.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.model.LparState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13: processor and memory DLPAR as supervisor jobs, against QEMU 7.2's monitor and
 * qemu-ga's replies recorded from a real TCG guest (FakeQmpPeer/FakeGuestAgent.startDlpar).
 */
@Tag("unit")
class SupervisorDlparTest {
    static final Duration W = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    SupervisorHarness h;

    @AfterEach
    void close() throws Exception {
        if (h != null) {
            h.close();
        }
    }

    private Resized resize(int vcpus, long memMb, Duration timeout) throws Exception {
        return h.supervisor.resize(new Resize(vcpus, memMb, 256, timeout)).get(20, TimeUnit.SECONDS);
    }

    private long count(String command) {
        return h.qmp.commands().stream().filter(command::equals).count();
    }

    @Test
    void aVirtualProcessorIsPluggedOnlinedOfflinedAndOnlinedAgainAndMemoryFollowsVirtioMem() throws Exception {
        h = SupervisorHarness.dlpar(dir);
        h.running();
        int threadQueries = (int) count("query-cpus-fast");

        assertThat(resize(2, 1024, W)).isEqualTo(new Resized(2, 1024, true, ""));
        assertThat(count("device_add")).isEqualTo(1);
        assertThat(h.agent.commands()).containsSubsequence("guest-get-vcpus", "guest-set-vcpus", "guest-get-vcpus");
        assertThat(count("query-cpus-fast")).as("the dispatcher's threads are read again").isEqualTo(threadQueries + 1);

        assertThat(resize(2, 1536, W)).isEqualTo(new Resized(2, 1536, true, ""));
        assertThat(h.qmp.commands()).containsSubsequence("qom-set", "query-memory-devices");
        assertThat(h.agent.commands()).as("MemTotal checked in the guest").contains("guest-exec");

        assertThat(resize(2, 1024, W)).isEqualTo(new Resized(2, 1024, true, ""));

        assertThat(resize(1, 1024, W)).isEqualTo(new Resized(1, 1024, true, ""));
        assertThat(count("device_del")).as("under TCG a removed VP stays plugged, offline").isZero();

        assertThat(resize(2, 1024, W)).isEqualTo(new Resized(2, 1024, true, ""));
        assertThat(count("device_add")).as("the offline vCPU comes back; no second plug under TCG").isEqualTo(1);
        assertThat(h.state()).isEqualTo(LparState.RUNNING);
    }

    @Test
    void whatARunningGuestHasIsReadFromItsMonitorAndAgentForReadoption() throws Exception {
        h = SupervisorHarness.dlpar(dir);
        h.running();
        assertThat(h.supervisor.measure().get(20, TimeUnit.SECONDS)).isEqualTo(new Resized(1, 1024, true, ""));
        assertThat(h.qmp.commands()).contains("query-memory-devices");
    }

    @Test
    void aDlparIsRefusedUntilTheGuestAgentAnswers() {
        h = new SupervisorHarnessStarter().starting(dir);
        CompletableFuture<Resized> r = h.supervisor.resize(new Resize(2, 1024, 256, W));
        assertThat(r).failsWithin(Duration.ofSeconds(5)).withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(IllegalStateException.class).withMessageContaining("Starting");
        assertThat(count("device_add")).isZero();
    }

    @Test
    void whatTheGuestDoesNotTakeInTimeIsRolledBackAndReported() throws Exception {
        h = SupervisorHarness.dlpar(dir);
        h.running();
        // Two new VPs asked for; the recorded guest only ever lists one new processor.
        Resized r = resize(3, 1024, Duration.ofSeconds(1));
        assertThat(r.complete()).isFalse();
        assertThat(r.detail()).contains("of 2 processors came online in time; rolled back");
        assertThat(h.agent.commands()).containsSubsequence("guest-set-vcpus", "guest-set-vcpus");
    }

    @Test
    void anImmediateShutdownPreemptsADlparWaitingOnTheGuest() throws Exception {
        h = SupervisorHarness.dlpar(dir);
        h.running();
        CompletableFuture<Resized> r = h.supervisor.resize(new Resize(3, 1024, 256, W));
        Eventually.until("the vCPUs plugged", () -> count("device_add") == 2);
        CompletableFuture<Void> delayed = h.supervisor.shutdown(false, Duration.ofSeconds(30));
        Thread.sleep(200);
        assertThat(h.state()).as("a delayed shutdown waits for the DLPAR").isEqualTo(LparState.RUNNING);
        h.supervisor.shutdown(true, Duration.ZERO).get(20, TimeUnit.SECONDS);
        assertThat(r).failsWithin(Duration.ofSeconds(5)).withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(CancellationException.class);
        delayed.get(20, TimeUnit.SECONDS);
        assertThat(h.state()).isEqualTo(LparState.NOT_ACTIVATED);
    }

    /** A DLPAR harness whose guest has not answered yet (Starting). */
    static final class SupervisorHarnessStarter {
        SupervisorHarness starting(Path dir) {
            try {
                SupervisorHarness s = SupervisorHarness.dlpar(dir);
                s.supervisor.activate().get(20, TimeUnit.SECONDS);
                return s;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
