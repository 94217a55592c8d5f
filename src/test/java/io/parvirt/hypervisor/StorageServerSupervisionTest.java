package io.parvirt.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.console.VirtualConsole;
import io.parvirt.model.LparState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same policy for a VIOS, whose operating system is the storage server: Running once it
 * serves (no agent), a restart that is a new process, SIGTERM as its shutdown, B200F008 when it
 * ends by itself. {@code sleep} stands in for the server.
 */
@Tag("unit")
class StorageServerSupervisionTest {
    @TempDir
    Path dir;
    volatile ProcessHandle server;
    SupervisorHarness.Recorder listener;
    PartitionSupervisor supervisor;

    @BeforeEach
    void setUp() {
        LaunchSpec guest = SupervisorHarness.spec(dir, 1, UUID.randomUUID().toString());
        LaunchSpec spec = new LaunchSpec(guest.qemuBinary(), "vios1", 1, guest.uuid(), 512, 512, 1, 1,
                Accelerator.TCG, null, null, null, "", guest.runDir(), guest.nics(), guest.scsi(),
                new LaunchSpec.StorageServer("/bin/false", "", dir.resolve("exports")), 512, 0, java.util.List.of(), null, null);
        StorageServerRunner runner = new StorageServerRunner(spec, s -> {
            try {
                server = FakeProcess.start(dir.resolve("bin"), s.uuid(), s.pidFile());
                return server;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        listener = new SupervisorHarness.Recorder();
        supervisor = new PartitionSupervisor(spec, "default", null, runner, Placement.NONE,
                new VirtualConsole(spec.name(), spec.serialSocket(), dir.resolve("logs"), dir.resolve("v.sock"),
                        1 << 20), listener, Duration.ofSeconds(1));
    }

    @AfterEach
    void tearDown() {
        if (server != null) {
            server.destroyForcibly();
        }
    }

    private LparState state() {
        return supervisor.status().state();
    }

    @Test
    void runsOnceTheServerIsUpWithItsThreadsAsProcessors() throws Exception {
        assertThat(supervisor.status().refCode().code()).isEqualTo("CA00E1F1");
        supervisor.activate().get(10, TimeUnit.SECONDS);
        Eventually.until("Running", () -> state() == LparState.RUNNING);
        assertThat(supervisor.status().vcpuThreads()).contains(server.pid());
        assertThat(listener.transitions).containsExactly("STARTING>RUNNING");
    }

    @Test
    void aRestartIsANewServerThroughStarting() throws Exception {
        supervisor.activate().get(10, TimeUnit.SECONDS);
        Eventually.until("Running", () -> state() == LparState.RUNNING);
        ProcessHandle first = server;
        supervisor.restart(false).get(10, TimeUnit.SECONDS);
        Eventually.until("Running again", () -> listener.transitions.size() == 3);
        assertThat(listener.transitions).containsExactly("STARTING>RUNNING", "RUNNING>STARTING CA00E1F1",
                "STARTING>RUNNING");
        assertThat(first.isAlive()).isFalse();
        assertThat(supervisor.status().pid()).isEqualTo(server.pid()).isNotEqualTo(first.pid());
    }

    @Test
    void aServerEndingByItselfIsErrorB200F008() throws Exception {
        supervisor.activate().get(10, TimeUnit.SECONDS);
        Eventually.until("Running", () -> state() == LparState.RUNNING);
        server.destroyForcibly();
        Eventually.until("the end of the run", () -> listener.ended);
        assertThat(supervisor.status().refCode().code()).isEqualTo("B200F008");
    }

    @Test
    void aDelayedShutdownIsSigterm() throws Exception {
        supervisor.activate().get(10, TimeUnit.SECONDS);
        Eventually.until("Running", () -> state() == LparState.RUNNING);
        long t0 = System.nanoTime();
        supervisor.shutdown(false, Duration.ofSeconds(60)).get(10, TimeUnit.SECONDS);
        assertThat(System.nanoTime() - t0).isLessThan(Duration.ofSeconds(10).toNanos());
        assertThat(state()).isEqualTo(LparState.NOT_ACTIVATED);
    }
}
