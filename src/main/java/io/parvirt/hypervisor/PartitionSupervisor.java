package io.parvirt.hypervisor;

import com.fasterxml.jackson.databind.JsonNode;
import io.parvirt.console.ConsoleException;
import io.parvirt.console.VirtualConsole;
import io.parvirt.hypervisor.qga.GuestAgent;
import io.parvirt.hypervisor.qmp.Qmp;
import io.parvirt.hypervisor.qmp.QmpClient;
import io.parvirt.model.Allocation;
import io.parvirt.model.LparState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one owner of a running partition: its QEMU process, monitor, agent, console, cgroup and
 * state. Others read its {@link #status()} and ask it to stop; everything else happens on its own
 * virtual thread or on the process-exit callback.
 */
public final class PartitionSupervisor {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionSupervisor.class);

    /** What the owner of all supervisors hears: every state change, and the end of the partition's run. */
    public interface Listener {
        void transition(int lparId, LparState from, LparState to, RefCode ref, String detail);

        void ended(PartitionSupervisor s);
    }

    private final LaunchSpec spec;
    private final String profile;
    private volatile Allocation allocation;
    private volatile List<Long> vcpuThreads = List.of();
    private final PartitionCgroup cgroup;
    private final VirtualConsole console;
    private final GuestAgent agent;
    private final Listener listener;
    private final Duration bootTimeout;
    private volatile LparState state = LparState.STARTING;
    private volatile RefCode refCode = RefCode.STARTING;
    private volatile String refDetail = "";
    private volatile Instant refTime = Instant.now();
    private volatile GuestFacts facts = GuestFacts.UNKNOWN;
    private volatile boolean agentActive;
    private volatile boolean cleanShutdown;
    private volatile ProcessHandle process;
    private volatile QmpClient qmp;
    /** A VIOS's storage server being restarted: its exit is followed by a new launch, not the end. */
    private volatile boolean restarting;

    PartitionSupervisor(LaunchSpec spec, String profile, Allocation allocation, PartitionCgroup cgroup,
            VirtualConsole console, Listener listener, Duration bootTimeout) {
        this.spec = spec;
        this.profile = profile;
        this.allocation = allocation;
        this.cgroup = cgroup;
        this.console = console;
        this.agent = new GuestAgent(spec.agentSocket());
        this.listener = listener;
        this.bootTimeout = bootTimeout;
    }

    public int lparId() {
        return spec.lparId();
    }

    public LaunchSpec spec() {
        return spec;
    }

    public GuestAgent agent() {
        return agent;
    }

    public VirtualConsole console() {
        return console;
    }

    public PartitionStatus status() {
        ProcessHandle p = process;
        // A storage server's threads come and go with its connections: read them each time.
        List<Long> threads = spec.runsStorageServer() && p != null ? StorageServerProcess.threads(p) : vcpuThreads;
        return new PartitionStatus(spec.lparId(), state, refCode, refDetail, refTime, profile, allocation, facts,
                agentActive, p == null ? -1 : p.pid(), threads);
    }

    void allocation(Allocation next) {
        allocation = next;
    }

    /** Launches QEMU (or a VIOS's storage server) and follows the boot, on the supervisor's own thread. */
    void activate() {
        Thread.ofVirtual().name("lpar-" + spec.lparId()).start(this::launch);
    }

    private void launch() {
        try {
            if (spec.runsStorageServer()) {
                refCode = RefCode.STORAGE_SERVER_STARTING;
                if (attach(StorageServerProcess.launch(spec, STORAGE_SERVER_START_MS))) {
                    move(LparState.STARTING, LparState.RUNNING, RefCode.NONE, "");
                }
            } else if (attach(QemuProcess.launch(spec))) {
                awaitAgent();
            }
        } catch (LaunchException e) {
            fail(e.refCode(), e.getMessage());
            cleanup();
        }
    }

    /** A JVM starts in about a second; this much allows for a host busy with partitions booting. */
    static final long STORAGE_SERVER_START_MS = 60_000;

    /** Takes over a QEMU (or storage server) left running by an earlier daemon. */
    void adopt(ProcessHandle h) {
        Thread.ofVirtual().name("lpar-" + spec.lparId()).start(() -> {
            if (attach(h)) {
                if (spec.runsStorageServer()) {
                    move(LparState.STARTING, LparState.RUNNING, RefCode.NONE, "");
                } else {
                    awaitAgent();
                }
            }
        });
    }

    /**
     * Tells a VIOS's storage server that its exports file changed (a mapping made or removed);
     * false when there is no server to tell.
     */
    public boolean reloadStorage() {
        ProcessHandle p = process;
        return spec.runsStorageServer() && p != null && p.isAlive() && StorageServerProcess.reload(p);
    }

    /** False when the partition could not be taken over; it is then in Error and its QEMU is stopped. */
    private boolean attach(ProcessHandle h) {
        process = h;
        cgroup.join(h.pid());
        h.onExit().thenRun(this::exited);
        if (restarting) {
            restarting = false;
            return true; // the console and its listener carry over, reconnecting by themselves
        }
        console.addListener(this::consoleLine);
        try {
            console.start();
        } catch (ConsoleException e) {
            fail(RefCode.LAUNCH_INVALID, "the console could not be set up: " + e.getMessage());
            kill();
            return false;
        }
        if (spec.runsStorageServer()) {
            return true; // no monitor: the server is the partition's operating system, not a machine
        }
        for (int i = 0; i < 50 && qmp == null; i++) {
            try {
                qmp = QmpClient.connect(spec.qmpSocket(), this::qmpEvent);
            } catch (IOException e) {
                sleep(100);
            }
        }
        if (qmp != null) {
            try {
                vcpuThreads = List.copyOf(new Qmp(qmp).vcpuThreadIds());
            } catch (IOException e) {
                LOG.warn("partition {}: vCPU threads unknown, its processors are not dispatched: {}", spec.name(),
                        e.getMessage());
            }
        }
        return true;
    }

    private void awaitAgent() {
        long deadline = System.nanoTime() + bootTimeout.toNanos();
        while (state == LparState.STARTING && process.isAlive()) {
            if (agent.ping(Duration.ofSeconds(2))) {
                agentActive = true;
                facts = readFacts();
                move(LparState.STARTING, LparState.RUNNING, RefCode.NONE, "");
                return;
            }
            if (System.nanoTime() > deadline) {
                fail(RefCode.BOOT_TIMEOUT, "no answer from the guest agent within " + bootTimeout.toSeconds() + " s");
                kill();
                return;
            }
            sleep(250);
        }
    }

    private GuestFacts readFacts() {
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

    private void consoleLine(String line) {
        if (line.contains("Kernel panic")) {
            panicked(line.strip());
        }
    }

    private void qmpEvent(JsonNode e) {
        switch (e.path("event").asText()) {
            case "GUEST_PANICKED" -> panicked("QEMU reported GUEST_PANICKED");
            case "SHUTDOWN" -> cleanShutdown = true;
            case "RESET" -> {
                if (state == LparState.RUNNING) {
                    agentActive = false;
                    move(LparState.RUNNING, LparState.STARTING, RefCode.STARTING, "guest reset");
                    Thread.ofVirtual().start(this::awaitAgent);
                }
            }
            default -> { }
        }
    }

    private void panicked(String detail) {
        if (state != LparState.ERROR) {
            fail(RefCode.GUEST_PANIC, detail);
            kill();
        }
    }

    /**
     * Stops the partition. Immediate: at once. Otherwise the OS is asked through the agent, then
     * the ACPI power button is pressed, then QEMU is stopped when {@code timeout} has passed.
     */
    void shutdown(boolean immediate, Duration timeout) {
        LparState from = state;
        if (from == LparState.ERROR || from == LparState.NOT_ACTIVATED) {
            kill();
            return;
        }
        move(from, LparState.SHUTTING_DOWN, RefCode.SHUTTING_DOWN, immediate ? "immediate" : "delayed");
        cleanShutdown = true;
        if (spec.runsStorageServer()) {
            // SIGTERM: the server closes its connections and syncs its files; a delayed shutdown
            // gives it the whole timeout, an immediate one the usual few seconds.
            Thread.ofVirtual().start(() -> terminate(immediate ? KILL_AFTER_NS : timeout.toNanos()));
            return;
        }
        if (immediate) {
            kill();
            return;
        }
        Thread.ofVirtual().start(() -> {
            long half = timeout.toNanos() / 2;
            try {
                agent.shutdown("powerdown");
            } catch (IOException e) {
                LOG.info("partition {}: agent shutdown failed ({}), using ACPI", spec.name(), e.getMessage());
            }
            if (waitExit(half)) {
                return;
            }
            try {
                new Qmp(qmp).systemPowerdown();
            } catch (IOException | NullPointerException e) {
                LOG.info("partition {}: ACPI power-down failed: {}", spec.name(), e.getMessage());
            }
            if (!waitExit(half)) {
                kill();
            }
        });
    }

    /**
     * Restart: immediate is a reset; otherwise the OS reboots itself through the agent. A VIOS's
     * storage server is stopped (SIGTERM) and started again; its clients' NBD connections
     * reconnect meanwhile.
     */
    void restart(boolean immediate) throws IOException {
        if (spec.runsStorageServer()) {
            restarting = true;
            move(state, LparState.STARTING, RefCode.STORAGE_SERVER_STARTING, "restart");
            Thread.ofVirtual().start(() -> terminate(KILL_AFTER_NS));
            return;
        }
        if (immediate || !agentActive) {
            new Qmp(qmp).systemReset();
        } else {
            agent.shutdown("reboot");
        }
    }

    private boolean waitExit(long nanos) {
        ProcessHandle p = process;
        long deadline = System.nanoTime() + nanos;
        while (p != null && p.isAlive() && System.nanoTime() < deadline) {
            sleep(100);
        }
        return p == null || !p.isAlive();
    }

    /** Five seconds for a process to end of its own accord before it is killed. */
    private static final long KILL_AFTER_NS = 5_000_000_000L;

    /** SIGTERM, then SIGKILL when the process has not ended within {@code graceNs}. */
    private void terminate(long graceNs) {
        ProcessHandle p = process;
        if (p != null) {
            p.destroy();
            if (!waitExit(graceNs)) {
                p.destroyForcibly();
            }
        }
    }

    private void kill() {
        ProcessHandle p = process;
        if (p == null) {
            return;
        }
        if (spec.runsStorageServer()) {
            terminate(KILL_AFTER_NS);
            return;
        }
        try {
            if (qmp != null && !qmp.isClosed()) {
                new Qmp(qmp).quit();
            }
        } catch (IOException e) {
            // quit closes the monitor under us; the exit callback follows either way
        }
        if (!waitExit(5_000_000_000L)) {
            p.destroyForcibly();
        }
    }

    private void exited() {
        if (restarting && state == LparState.STARTING) {
            Thread.ofVirtual().name("lpar-" + spec.lparId()).start(this::launch);
            return;
        }
        // Resources first, state after: once the partition shows as ended it can be activated
        // again, and that must not find its run directory being deleted.
        release();
        LparState from = state;
        if (from != LparState.ERROR) {
            if (cleanShutdown) {
                move(from, LparState.NOT_ACTIVATED, RefCode.NONE, "");
            } else if (spec.runsStorageServer()) {
                fail(RefCode.STORAGE_SERVER_EXITED, "the storage server (pid " + process.pid() + ") ended without "
                        + "a shutdown: activate the VIOS again; its clients' requests wait "
                        + QemuCommandLine.NBD_RECONNECT_S + " s for it before they fail");
            } else {
                fail(RefCode.QEMU_EXITED, "QEMU (pid " + process.pid() + ") ended without a shutdown");
            }
        }
        listener.ended(this);
    }

    private void cleanup() {
        release();
        listener.ended(this);
    }

    private void release() {
        agentActive = false;
        if (qmp != null) {
            qmp.close();
        }
        console.close();
        cgroup.remove();
        deleteTree(spec.runDir());
    }

    private void fail(RefCode ref, String detail) {
        LOG.warn("partition {}: {} {}: {}", spec.name(), ref.code(), ref.text(), detail);
        move(state, LparState.ERROR, ref, detail);
    }

    private synchronized void move(LparState from, LparState to, RefCode ref, String detail) {
        if (state != from && from != null) {
            return;
        }
        state = to;
        refCode = ref;
        refDetail = detail;
        refTime = Instant.now();
        listener.transition(spec.lparId(), from, to, ref, detail);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // already gone
        }
    }
}
