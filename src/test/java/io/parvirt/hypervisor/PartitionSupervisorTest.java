package io.parvirt.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parvirt.model.LparState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The supervisor's lifecycle policy against a replaying monitor and agent; no QEMU runs. */
@Tag("unit")
class PartitionSupervisorTest {
    @TempDir
    Path dir;
    SupervisorHarness h;

    @AfterEach
    void close() throws Exception {
        if (h != null) {
            h.close();
        }
    }

    private SupervisorHarness harness(Duration bootTimeout) throws Exception {
        h = new SupervisorHarness(dir, bootTimeout);
        return h;
    }

    @Test
    void startsWithCa00e1f0AndRunsOnceTheGuestAgentAnswers() throws Exception {
        harness(Duration.ofSeconds(60)).supervisor.activate().get(20, TimeUnit.SECONDS);
        Eventually.until("QEMU's vCPU threads read", () -> h.qmp.commands().contains("query-cpus-fast"));
        assertThat(h.state()).isEqualTo(LparState.STARTING);
        assertThat(h.refCode()).isEqualTo("CA00E1F0");
        assertThat(h.qmp.commands()).startsWith("qmp_capabilities", "query-cpus-fast");

        h.agent.answer();
        Eventually.until("Running", () -> h.state() == LparState.RUNNING);
        PartitionStatus st = h.supervisor.status();
        assertThat(st.refCode()).isEqualTo(RefCode.NONE);
        assertThat(st.agentActive()).isTrue();
        assertThat(st.pid()).isEqualTo(h.process.pid());
        assertThat(st.vcpuThreads()).containsExactly(11051L); // as recorded from QEMU
        assertThat(st.facts().osVersion()).isEqualTo("Debian GNU/Linux 12 (bookworm) 6.18.44-fc-v1098");
        assertThat(st.facts().ipv4()).containsExactly("192.0.2.2");
        assertThat(h.agent.commands()).startsWith("guest-ping", "guest-get-osinfo", "guest-network-get-interfaces");
        assertThat(h.listener.transitions).containsExactly("STARTING>RUNNING");
    }

    @Test
    void anAgentSilentPastTheBootTimeoutIsErrorB200F004AndItsQemuIsStopped() throws Exception {
        harness(Duration.ofSeconds(1)).supervisor.activate();
        Eventually.until("the end of the run", () -> h.listener.ended);
        assertThat(h.state()).isEqualTo(LparState.ERROR);
        assertThat(h.refCode()).isEqualTo("B200F004");
        assertThat(h.qmp.commands()).endsWith("quit");
        assertThat(h.process.isAlive()).isFalse();
        assertThat(h.listener.transitions).containsExactly("STARTING>ERROR B200F004");
    }

    @Test
    void aMonitorRefusingItsCapabilitiesIsErrorB200F001AndItsQemuIsKilled() throws Exception {
        harness(Duration.ofSeconds(60)).qmp.failWith("qmp_capabilities", "GenericError", "monitor broken");
        CompletableFuture<Void> started = h.supervisor.activate();
        Eventually.until("the end of the run", () -> h.listener.ended);
        assertThat(h.state()).isEqualTo(LparState.ERROR);
        assertThat(h.refCode()).isEqualTo("B200F001");
        assertThat(h.supervisor.status().refDetail()).contains("monitor broken");
        assertThat(h.process.isAlive()).isFalse();
        assertThat(started).isCompletedExceptionally();
    }

    @Test
    void aQueryCpusErrorDuringTheStartLeavesTheProcessorsUndispatchedButBoots() throws Exception {
        harness(Duration.ofSeconds(60)).qmp.failWith("query-cpus-fast", "CommandNotFound", "not here");
        h.running();
        assertThat(h.supervisor.status().vcpuThreads()).isEmpty();
        assertThat(h.refCode()).isEmpty();
    }

    @Test
    void qemuEndingUnexpectedlyIsErrorB200F002AndTheRunDirectoryGoes() throws Exception {
        harness(Duration.ofSeconds(60)).running();
        h.process.destroyForcibly();
        Eventually.until("the end of the run", () -> h.listener.ended);
        assertThat(h.state()).isEqualTo(LparState.ERROR);
        assertThat(h.refCode()).isEqualTo("B200F002");
        assertThat(h.supervisor.status().refDetail()).contains("pid " + h.process.pid());
        assertThat(h.spec.runDir()).doesNotExist();
        assertThat(h.supervisor.restart(true)).failsWithin(Duration.ofSeconds(5));
    }

    @Test
    void anAdoptedQemuThatEndedBeforeItsMonitorWasReachedIsB200F002NotAFailedStartIssue17() throws Exception {
        harness(Duration.ofSeconds(60));
        java.nio.file.Files.createDirectories(h.spec.runDir());
        java.nio.file.Files.writeString(h.spec.runDir().resolve("qemu.err"),
                "qemu-system-x86_64: vhost VQ 1 ring restore failed: -22: Invalid argument (22)\n");
        ProcessHandle gone = FakeProcess.start(dir.resolve("bin"), h.spec.uuid(), h.spec.pidFile());
        gone.destroyForcibly();
        gone.onExit().get(10, TimeUnit.SECONDS);
        h.process = gone;
        h.supervisor.adopt(gone);
        Eventually.until("the end of the run", () -> h.listener.ended);
        assertThat(h.state()).isEqualTo(LparState.ERROR);
        assertThat(h.refCode()).isEqualTo("B200F002");
        assertThat(h.supervisor.status().refDetail()).contains("ended after this daemon re-adopted it")
                .contains("pid " + gone.pid()).contains("written while it ran: qemu-system-x86_64: vhost VQ 1 ring");
    }

    @Test
    void aStoppingDaemonsSupervisorLetsGoOfTheMonitorAndLeavesThePartitionAsItIsIssue17() throws Exception {
        harness(Duration.ofSeconds(60)).running();
        h.supervisor.post(new Command.Leave(new CompletableFuture<>())).get(10, TimeUnit.SECONDS);
        int before = h.qmp.commands().size();
        // The monitor takes one client at a time (as QEMU's): the successor's is served at once.
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            try (var next = io.parvirt.hypervisor.qmp.QmpClient.connect(h.spec.qmpSocket(), e -> { })) {
                assertThat(next).isNotNull();
            }
        });
        assertThat(h.qmp.commands().subList(before, h.qmp.commands().size())).contains("qmp_capabilities");
        assertThat(h.process.isAlive()).isTrue();
        assertThat(h.spec.runDir()).exists();
        assertThat(h.listener.transitions).containsExactly("STARTING>RUNNING");
        assertThat(h.listener.ended).isFalse();
    }

    @Test
    void guestPanickedIsErrorB200F003ThoughQemuReportsAShutdownAfterIt() throws Exception {
        harness(Duration.ofSeconds(60)).running();
        // As QEMU 7.2 reported a pvpanic write: GUEST_PANICKED, STOP, SHUTDOWN (reason guest-panic).
        h.qmp.emit("GUEST_PANICKED", "STOP", "SHUTDOWN");
        Eventually.until("the end of the run", () -> h.listener.ended);
        assertThat(h.state()).isEqualTo(LparState.ERROR);
        assertThat(h.refCode()).isEqualTo("B200F003");
        assertThat(h.listener.transitions).containsExactly("STARTING>RUNNING", "RUNNING>ERROR B200F003");
    }

    @Test
    void aGuestResetBootsAgainThroughStarting() throws Exception {
        harness(Duration.ofSeconds(60)).running();
        h.qmp.emit("RESET");
        Eventually.until("Running again", () -> h.listener.transitions.size() == 3);
        assertThat(h.listener.transitions).containsExactly("STARTING>RUNNING", "RUNNING>STARTING CA00E1F0",
                "STARTING>RUNNING");
    }

    @Test
    void aDelayedShutdownAsksTheOsThenPressesThePowerButtonThenStopsQemu() throws Exception {
        harness(Duration.ofSeconds(60)).running();
        long t0 = System.nanoTime();
        CompletableFuture<Void> ended = h.supervisor.shutdown(false, Duration.ofSeconds(2));
        Eventually.until("Shutting Down", () -> h.state() == LparState.SHUTTING_DOWN);
        assertThat(h.refCode()).isEqualTo("CA00D004");
        ended.get(20, TimeUnit.SECONDS);
        assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(Duration.ofSeconds(2).toNanos());
        assertThat(h.agent.commands()).contains("guest-shutdown:powerdown");
        List<String> qmp = h.qmp.commands();
        assertThat(qmp).contains("system_powerdown", "quit");
        assertThat(qmp.indexOf("system_powerdown")).isLessThan(qmp.indexOf("quit"));
        assertThat(h.state()).isEqualTo(LparState.NOT_ACTIVATED);
        assertThat(h.listener.transitions).containsExactly("STARTING>RUNNING", "RUNNING>SHUTTING_DOWN CA00D004",
                "SHUTTING_DOWN>NOT_ACTIVATED");
    }

    @Test
    void aDelayedShutdownStopsAtTheFirstStepTheGuestObeys() throws Exception {
        harness(Duration.ofSeconds(60)).agent.after("guest-shutdown", () -> h.process.destroy());
        h.running();
        h.supervisor.shutdown(false, Duration.ofSeconds(60)).get(20, TimeUnit.SECONDS);
        assertThat(h.qmp.commands()).doesNotContain("system_powerdown", "quit");
        assertThat(h.state()).isEqualTo(LparState.NOT_ACTIVATED);
    }

    @Test
    void anImmediateShutdownPreemptsADelayedOneInProgress() throws Exception {
        harness(Duration.ofSeconds(60)).running();
        CompletableFuture<Void> delayed = h.supervisor.shutdown(false, Duration.ofSeconds(120));
        Eventually.until("the OS asked", () -> h.agent.commands().contains("guest-shutdown:powerdown"));
        long t0 = System.nanoTime();
        h.supervisor.shutdown(true, Duration.ofSeconds(120)).get(10, TimeUnit.SECONDS);
        assertThat(System.nanoTime() - t0).isLessThan(Duration.ofSeconds(10).toNanos());
        assertThat(delayed).isCompleted();
        assertThat(h.qmp.commands()).contains("quit").doesNotContain("system_powerdown");
        assertThat(h.state()).isEqualTo(LparState.NOT_ACTIVATED);
    }

    @Test
    void aShutdownCutsTheBootWaitShort() throws Exception {
        harness(Duration.ofSeconds(120)).supervisor.activate().get(20, TimeUnit.SECONDS);
        h.supervisor.shutdown(true, Duration.ofSeconds(60)).get(10, TimeUnit.SECONDS);
        assertThat(h.state()).isEqualTo(LparState.NOT_ACTIVATED);
        assertThat(h.listener.transitions).containsExactly("STARTING>SHUTTING_DOWN CA00D004",
                "SHUTTING_DOWN>NOT_ACTIVATED");
    }

    @Test
    void aShutdownSentDuringTheLaunchIsTakenUpOnceTheProcessIsKnown() throws Exception {
        harness(Duration.ofSeconds(60)).gate = new java.util.concurrent.CountDownLatch(1);
        h.supervisor.activate();
        CompletableFuture<Void> accepted = new CompletableFuture<>();
        CompletableFuture<Void> ended = h.supervisor.shutdown(true, Duration.ofSeconds(60), accepted);
        assertThat(accepted).isNotDone(); // the launch is held: nothing to stop yet
        h.gate.countDown();
        ended.get(20, TimeUnit.SECONDS);
        assertThat(h.qmp.commands()).startsWith("qmp_capabilities").endsWith("quit");
        assertThat(h.process.isAlive()).isFalse();
        assertThat(h.listener.transitions).containsExactly("STARTING>SHUTTING_DOWN CA00D004",
                "SHUTTING_DOWN>NOT_ACTIVATED");
    }

    @Test
    void aRestartArrivingDuringADelayedShutdownWaitsBehindItAndFindsThePartitionGone() throws Exception {
        harness(Duration.ofSeconds(60)).running();
        CompletableFuture<Void> ended = h.supervisor.shutdown(false, Duration.ofSeconds(2));
        CompletableFuture<Void> restart = h.supervisor.restart(true);
        ended.get(20, TimeUnit.SECONDS);
        assertThatThrownBy(() -> restart.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasMessageContaining("not running");
        assertThat(h.qmp.commands()).doesNotContain("system_reset");
    }

    @Test
    void guestCommandsRunThroughTheAgentOnlyOnceItAnswers() throws Exception {
        harness(Duration.ofSeconds(60)).supervisor.activate().get(20, TimeUnit.SECONDS);
        assertThat(h.supervisor.exec("/bin/sh", List.of("-c", "exit 3"), Duration.ofSeconds(5)))
                .failsWithin(Duration.ofSeconds(5));
        h.agent.answer();
        Eventually.until("Running", () -> h.state() == LparState.RUNNING);
        var r = h.supervisor.exec("/bin/sh", List.of("-c", "echo hello; echo oops >&2; exit 3"),
                Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(new String(r.stdout())).isEqualTo("hello\n");
        assertThat(new String(r.stderr())).isEqualTo("oops\n");
    }
}
