package io.parvirt.hypervisor;

import com.fasterxml.jackson.databind.JsonNode;
import io.parvirt.hypervisor.qga.GuestAgent;
import io.parvirt.hypervisor.qmp.Qmp;
import io.parvirt.hypervisor.qmp.QmpClient;
import io.parvirt.hypervisor.qmp.QmpException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A partition whose operating system runs in QEMU: the process from {@link QemuProcess} (or the
 * injected {@link PartitionRunner.Launcher}), its QMP monitor and its guest agent. Translates QMP
 * events into supervisor commands; decides nothing.
 */
final class QemuGuestRunner implements PartitionRunner {
    private static final Logger LOG = LoggerFactory.getLogger(QemuGuestRunner.class);
    /**
     * QEMU creates the monitor socket before it builds the machine, an adopted one may still be busy, and
     * under TCG on a loaded host (several guests starting at once on two cores) its main loop can take
     * seconds to answer: a missing greeting is retried as long as this, not taken as a refusal.
     */
    static final Duration MONITOR_WAIT = Duration.ofSeconds(30);

    private final LaunchSpec spec;
    private final Launcher launcher;
    private final GuestAgent agent;
    private volatile QmpClient qmp;
    private volatile List<Long> vcpuThreads = List.of();
    /** Raised by QEMU's migration events: the migration's waits wake on them. */
    private final MigrationSignal migrationSignal = new MigrationSignal();
    /** Devices being unplugged, by id: completed by their DEVICE_DELETED event. */
    private final java.util.Map<String, java.util.concurrent.CompletableFuture<Void>> deleting =
            new java.util.concurrent.ConcurrentHashMap<>();

    QemuGuestRunner(LaunchSpec spec, Launcher launcher) {
        this.spec = spec;
        this.launcher = launcher;
        this.agent = new GuestAgent(spec.agentSocket());
    }

    QemuGuestRunner(LaunchSpec spec) {
        this(spec, QemuProcess::launch);
    }

    @Override
    public RefCode startingRefCode() {
        return RefCode.STARTING;
    }

    @Override
    public ProcessHandle launch() throws LaunchException {
        return launcher.launch(spec);
    }

    @Override
    public void attach(ProcessHandle process, Consumer<Command> events) throws LaunchException {
        qmp = connect(process, events);
        try {
            vcpuThreads = List.copyOf(new Qmp(qmp).vcpuThreadIds());
        } catch (IOException e) {
            // The partition runs; only the dispatcher goes without its threads.
            LOG.warn("partition {}: vCPU threads unknown, its processors are not dispatched: {}", spec.name(),
                    e.getMessage());
        }
    }

    /** Retries while the socket is not there yet; a monitor that answers with an error is not retried. */
    private QmpClient connect(ProcessHandle process, Consumer<Command> events) throws LaunchException {
        long deadline = System.nanoTime() + MONITOR_WAIT.toNanos();
        while (true) {
            if (!process.isAlive()) {
                // It failed while building the machine, after its monitor socket was made.
                throw QemuProcess.failure(spec, "QEMU ended while starting");
            }
            try {
                return QmpClient.connect(spec.qmpSocket(), e -> event(e, events));
            } catch (QmpException e) {
                if (!e.errorClass().equals("Protocol") || System.nanoTime() > deadline) {
                    throw new LaunchException(RefCode.QEMU_FAILED, "the QEMU monitor refused the connection: "
                            + e.getMessage());
                }
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new LaunchException(RefCode.QEMU_FAILED, "the QEMU monitor " + spec.qmpSocket()
                            + " could not be reached: " + e.getMessage());
                }
            }
            try {
                Thread.sleep(5); // a migration's target waits on this: its monitor is usually there within ms
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LaunchException(RefCode.QEMU_FAILED, "interrupted while reaching the QEMU monitor");
            }
        }
    }

    private void event(JsonNode e, Consumer<Command> events) {
        switch (e.path("event").asText()) {
            case "DEVICE_DELETED" -> {
                var f = deleting.remove(e.path("data").path("device").asText(""));
                if (f != null) {
                    f.complete(null);
                }
            }
            case "GUEST_PANICKED" -> events.accept(new Command.Panicked("QEMU reported GUEST_PANICKED"));
            case "SHUTDOWN" -> events.accept(new Command.PoweredOff());
            case "RESET" -> events.accept(new Command.Reset());
            case "MIGRATION" -> migrationSignal.raise(e.path("data").path("status").asText(""));
            case "RESUME" -> migrationSignal.raise();
            default -> { }
        }
    }

    @Override
    public boolean bootsWithAgent() {
        return true;
    }

    @Override
    public GuestAgent agent() {
        return agent;
    }

    @Override
    public GuestFacts facts() {
        try {
            JsonNode os = agent.osInfo();
            List<String> ips = new ArrayList<>();
            for (JsonNode i : agent.interfaces()) {
                for (JsonNode a : i.path("ip-addresses")) {
                    if (a.path("ip-address-type").asText().equals("ipv4")
                            && !a.path("ip-address").asText().startsWith("127.")) {
                        ips.add(a.path("ip-address").asText());
                    }
                }
            }
            String name = os.path("pretty-name").asText(os.path("name").asText("Linux"));
            return new GuestFacts(name.isEmpty() ? "Linux" : name, os.path("kernel-release").asText(""), ips);
        } catch (IOException e) {
            return new GuestFacts("Linux", "", List.of());
        }
    }

    @Override
    public List<Long> threads(ProcessHandle process) {
        return vcpuThreads;
    }

    /** The OS shuts itself down through the agent; failing that, the ACPI power button. */
    @Override
    public List<StopStep> stopSteps(ProcessHandle process) {
        return List.of(new StopStep("the OS through the guest agent", () -> agent.shutdown("powerdown")),
                new StopStep("the ACPI power button", () -> monitor().systemPowerdown()));
    }

    @Override
    public void stopNow(ProcessHandle process) throws IOException {
        monitor().quit();
    }

    @Override
    public boolean restartRelaunches() {
        return false;
    }

    @Override
    public void reboot(boolean immediate, boolean agentActive) throws IOException {
        if (immediate || !agentActive) {
            monitor().systemReset();
        } else {
            agent.shutdown("reboot");
        }
    }

    @Override
    public boolean reload(ProcessHandle process) {
        return false;
    }

    @Override
    public LaunchException exitedUnexpectedly(ProcessHandle process) {
        return new LaunchException(RefCode.QEMU_EXITED, "QEMU (pid " + process.pid() + ") ended without a shutdown");
    }

    /**
     * Its log's last line is told apart from the cause: it may be from long before (a vhost-user
     * NIC's QEMU notes each switch disconnect of a daemon restart, "vhost VQ 1 ring restore failed").
     */
    @Override
    public LaunchException endedAfterAdoption(ProcessHandle process) {
        String last = QemuProcess.lastLogLine(spec);
        return new LaunchException(RefCode.QEMU_EXITED, "the partition's QEMU (pid " + process.pid() + "), left "
                + "running by an earlier daemon, ended after this daemon re-adopted it, without a shutdown"
                + (last.isEmpty() ? "" : "; the last line of its log, written while it ran: " + last));
    }

    @Override
    public Resized resize(Resize want, long deadline) throws IOException, InterruptedException {
        try {
            return new GuestHotplug(spec, monitor(), agent).apply(want, deadline);
        } finally {
            // New vCPU threads reach the dispatcher at its next interval.
            refreshThreads();
        }
    }

    @Override
    public void replug(LaunchSpec before, LaunchSpec after, long deadline) throws IOException, InterruptedException {
        new AdapterHotplug(spec, monitor(), this::deleteDevice).apply(before, after, deadline);
    }

    /** device_del, then the wait for DEVICE_DELETED (registered first: the event may come before device_del answers). */
    private boolean deleteDevice(String id, long deadline) throws IOException, InterruptedException {
        var done = new java.util.concurrent.CompletableFuture<Void>();
        deleting.put(id, done);
        try {
            monitor().deviceDel(id);
            done.get(Math.max(0, deadline - System.nanoTime()), java.util.concurrent.TimeUnit.NANOSECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException(e.getCause());
        } finally {
            deleting.remove(id, done);
        }
    }

    @Override
    public Resized current() throws IOException {
        return new GuestHotplug(spec, monitor(), agent).current(1);
    }

    private void refreshThreads() {
        try {
            vcpuThreads = List.copyOf(monitor().vcpuThreadIds());
        } catch (IOException e) {
            LOG.warn("partition {}: vCPU threads not refreshed: {}", spec.name(), e.getMessage());
        }
    }

    @Override
    public QemuMigration migration() throws IOException {
        return new QemuMigration(monitor(), migrationSignal, spec.runDir(), spec.qemuUser());
    }

    @Override
    public void pause(boolean pause) throws IOException {
        if (pause) {
            monitor().stop();
        } else {
            monitor().cont();
        }
    }

    @Override
    public boolean paused() {
        try {
            String status = monitor().status();
            if (status.equals("postmigrate") && java.nio.file.Files.exists(spec.runDir()
                    .resolve(StateFile.SUSPEND_SOCKET))) {
                // A daemon killed after a suspend's stream completed but before its record named the
                // file: the partition is not suspended (the file is only a .part), so its guest runs on.
                LOG.info("partition {}: an interrupted suspend is undone, the guest runs on", spec.name());
                monitor().cont();
                return false;
            }
            return status.equals("paused");
        } catch (IOException e) {
            LOG.warn("partition {}: run status unknown, taken as running: {}", spec.name(), e.getMessage());
            return false;
        }
    }

    @Override
    public boolean migratedAway() {
        try {
            return monitor().status().equals("postmigrate") && !java.nio.file.Files.exists(spec.runDir()
                    .resolve(StateFile.SUSPEND_SOCKET));
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void detach() {
        QmpClient q = qmp;
        if (q != null) {
            q.close();
        }
    }

    @Override
    public <T> T monitor(MonitorCall<T> call) throws IOException {
        return call.call(monitor());
    }

    private Qmp monitor() throws IOException {
        QmpClient q = qmp;
        if (q == null || q.isClosed()) {
            throw new QmpException("Disconnected", "partition " + spec.name() + " has no QEMU monitor");
        }
        return new Qmp(q);
    }
}
