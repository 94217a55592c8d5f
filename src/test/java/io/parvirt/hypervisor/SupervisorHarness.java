package io.parvirt.hypervisor;

import io.parvirt.console.VirtualConsole;
import io.parvirt.hypervisor.qga.FakeGuestAgent;
import io.parvirt.hypervisor.qmp.FakeQmpPeer;
import io.parvirt.model.LparState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * One partition's supervisor with everything around it faked: a {@code sleep} for QEMU, a replaying
 * monitor and agent on the partition's sockets, a console on temporary files, no cgroup. The fake
 * monitor's {@code quit} ends the process, as QEMU's does.
 */
final class SupervisorHarness implements AutoCloseable {
    final Path dir;
    final LaunchSpec spec;
    final FakeQmpPeer qmp;
    final FakeGuestAgent agent;
    final Recorder listener = new Recorder();
    /** The launch waits for it: a test closes it to hold the launch, and opens it. */
    volatile CountDownLatch gate = new CountDownLatch(0);
    volatile ProcessHandle process;
    final PartitionSupervisor supervisor;

    /** Every state change the supervisor reports, as {@code FROM>TO code}. */
    static final class Recorder implements PartitionSupervisor.Listener {
        final List<String> transitions = new CopyOnWriteArrayList<>();
        volatile boolean ended;

        @Override
        public void transition(int lparId, LparState from, LparState to, RefCode ref, String detail) {
            transitions.add(from + ">" + to + (ref.code().isEmpty() ? "" : " " + ref.code()));
        }

        @Override
        public void ended(PartitionSupervisor s) {
            ended = true;
        }
    }

    SupervisorHarness(Path dir, Duration bootTimeout) throws IOException {
        this(dir, bootTimeout, spec(dir, 7, UUID.randomUUID().toString()));
    }

    private SupervisorHarness(Path dir, Duration bootTimeout, LaunchSpec spec) throws IOException {
        this(dir, bootTimeout, spec, FakeQmpPeer.start(spec.qmpSocket()), FakeGuestAgent.start(spec.agentSocket()));
    }

    private SupervisorHarness(Path dir, Duration bootTimeout, LaunchSpec spec, FakeQmpPeer qmp, FakeGuestAgent agent) {
        this.dir = dir;
        this.spec = spec;
        this.qmp = qmp;
        this.agent = agent;
        qmp.after("quit", () -> process.destroy());
        VirtualConsole console = new VirtualConsole(spec.name(), spec.serialSocket(), dir.resolve("logs"),
                dir.resolve("vterm").resolve(spec.lparId() + ".sock"), 1 << 20);
        QemuGuestRunner runner = new QemuGuestRunner(spec, s -> launch());
        this.supervisor = new PartitionSupervisor(spec, "default", null, runner, Placement.NONE,
                console, listener, bootTimeout);
    }

    static LaunchSpec spec(Path dir, int id, String uuid) {
        return new LaunchSpec("/usr/bin/qemu-system-x86_64", "lpar" + id, id, uuid, 512, 512, 1, 2,
                Accelerator.TCG, null, null, null, "", dir.resolve("run").resolve(Integer.toString(id)), List.of(),
                List.of(), null, 512, 0, List.of(), null, null);
    }

    /**
     * The partition the DLPAR recordings were made with: boots with 1024 MB, a virtio-mem device of
     * 512 MB with nothing plugged, 1 vCPU of at most 3; its monitor and agent replay
     * {@link FakeQmpPeer#startDlpar} and {@link FakeGuestAgent#startDlpar}.
     */
    static SupervisorHarness dlpar(Path dir) throws IOException {
        LaunchSpec spec = new LaunchSpec("/usr/bin/qemu-system-x86_64", "lpar7", 7, UUID.randomUUID().toString(), 1024,
                1536, 1, 3, Accelerator.TCG, null, null, null, "", dir.resolve("run").resolve("7"), List.of(),
                List.of(), null, 1024, 0, List.of(), null, null);
        return new SupervisorHarness(dir, Duration.ofSeconds(60), spec, FakeQmpPeer.startDlpar(spec.qmpSocket()),
                FakeGuestAgent.startDlpar(spec.agentSocket()));
    }

    /** A partition whose monitor says its VM is paused (an earlier daemon paused it). */
    static SupervisorHarness paused(Path dir) throws IOException {
        LaunchSpec spec = spec(dir, 7, UUID.randomUUID().toString());
        return new SupervisorHarness(dir, Duration.ofSeconds(60), spec, FakeQmpPeer.startPaused(spec.qmpSocket()),
                FakeGuestAgent.start(spec.agentSocket()));
    }

    /** Starts the stand-in process as an earlier daemon would have, and has the supervisor adopt it. */
    void adopt() throws IOException {
        process = FakeProcess.start(dir.resolve("bin"), spec.uuid(), spec.pidFile());
        supervisor.adopt(process);
    }

    private ProcessHandle launch() throws LaunchException {
        try {
            gate.await();
            process = FakeProcess.start(dir.resolve("bin"), spec.uuid(), spec.pidFile());
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            throw new LaunchException(RefCode.QEMU_FAILED, "interrupted");
        }
    }

    LparState state() {
        return supervisor.status().state();
    }

    String refCode() {
        return supervisor.status().refCode().code();
    }

    /** Activates and waits until the partition is Running (the agent answering). */
    void running() {
        agent.answer();
        supervisor.activate();
        Eventually.until("Running", () -> state() == LparState.RUNNING);
    }

    @Override
    public void close() throws IOException {
        ProcessHandle p = process;
        if (p != null) {
            p.destroyForcibly();
        }
        qmp.close();
        agent.close();
    }
}
