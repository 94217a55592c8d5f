package io.parvirt.hypervisor;

import io.parvirt.console.ConsoleException;
import io.parvirt.console.VirtualConsole;
import io.parvirt.hypervisor.qga.GuestAgent;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one owner of an active partition: its process (through a {@link PartitionRunner}), monitor,
 * agent, console, cgroup and state. Its own virtual thread takes {@link Command}s from a mailbox one
 * at a time: requests from others (each answered through a future), what the process reports, and
 * the outcome of its {@link Job}s. Only that thread changes the state; others read {@link #status()}.
 *
 * <p>Ordering rules, the policy's core: a long job (the boot wait, a delayed shutdown) does not hold
 * up the mailbox; a shutdown cancels the boot wait, an immediate shutdown cancels a delayed one, a
 * restart waits behind a delayed shutdown (and so finds the partition gone). While the process is
 * being launched nothing else is handled, since it cannot be stopped before it is known; while it is
 * being hard-stopped, requests wait for that to end.
 */
public final class PartitionSupervisor {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionSupervisor.class);
    /** One agent ping; the boot wait repeats it until the boot timeout. */
    static final Duration AGENT_PING = Duration.ofSeconds(2);
    /** How long a caller of a quick request ({@link #reloadStorage()}) waits for the owner to get to it. */
    static final Duration QUICK_ANSWER = Duration.ofSeconds(10);

    /** What the owner of all supervisors hears: every state change, and the end of the partition's run. */
    public interface Listener {
        void transition(int lparId, LparState from, LparState to, RefCode ref, String detail);

        void ended(PartitionSupervisor s);
    }

    /** State, reference code and its time, published together. */
    private record Run(LparState state, RefCode refCode, String detail, Instant time) {
    }

    /** What the partition runs with; its adapters change with adapter DLPAR (under {@link #dlparLock}). */
    private volatile LaunchSpec spec;
    private final String profile;
    private final PartitionRunner runner;
    private final Placement placement;
    private final VirtualConsole console;
    private final Listener listener;
    private final Duration bootTimeout;
    private final LinkedBlockingQueue<Command> mailbox = new LinkedBlockingQueue<>();
    private final Object postLock = new Object();
    /** Held by {@link Hypervisor#dlpar} across one DLPAR's bookkeeping: reserve, resize, settle. */
    final Object dlparLock = new Object();
    private boolean closed; // guarded by postLock: the mailbox takes nothing more
    private Thread owner; // guarded by postLock

    // Written by the owner thread only; volatile for status().
    private volatile Run run;
    private volatile Allocation allocation;
    private volatile GuestFacts facts = GuestFacts.UNKNOWN;
    private volatile boolean agentActive;
    private volatile ProcessHandle process;
    private volatile boolean paused;

    /** A migration's target: done once the stream has arrived and the guest runs here; failed if it ended first. */
    private final CompletableFuture<Void> arrival = new CompletableFuture<>();

    // The owner thread's alone.
    private final SupervisorPolicy policy;

    PartitionSupervisor(LaunchSpec spec, String profile, Allocation allocation, PartitionRunner runner,
            Placement placement, VirtualConsole console, Listener listener, Duration bootTimeout) {
        this.spec = spec;
        this.profile = profile;
        this.allocation = allocation;
        this.runner = runner;
        this.placement = placement;
        this.console = console;
        this.listener = listener;
        this.bootTimeout = bootTimeout;
        this.run = new Run(LparState.STARTING, runner.startingRefCode(), "", Instant.now());
        this.policy = new SupervisorPolicy(this);
    }

    public int lparId() {
        return spec.lparId();
    }

    public LaunchSpec spec() {
        return spec;
    }

    void spec(LaunchSpec next) {
        spec = next;
    }

    /** The guest agent, for callers that talk to the guest themselves (a VIOS has none: its calls fail). */
    public GuestAgent agent() {
        return runner.agent();
    }

    public VirtualConsole console() {
        return console;
    }

    public PartitionStatus status() {
        Run r = run;
        ProcessHandle p = process;
        return new PartitionStatus(spec.lparId(), r.state(), r.refCode(), r.detail(), r.time(), profile, allocation,
                facts, agentActive, p == null ? -1 : p.pid(), p == null ? List.of() : runner.threads(p), paused);
    }

    /** Launches the process and follows the boot; completes once the process is up (not yet Running). */
    CompletableFuture<Void> activate() {
        return post(new Command.Activate(new CompletableFuture<>()));
    }

    /** Takes over a process left running by an earlier daemon. */
    CompletableFuture<Void> adopt(ProcessHandle h) {
        return post(new Command.Adopt(h, new CompletableFuture<>()));
    }

    /**
     * Stops the partition. Immediate: at once. Otherwise the gentle ways first (the OS through the
     * agent, then the ACPI power button; a VIOS's SIGTERM), sharing {@code timeout}, then at once.
     * Completes when the partition has ended.
     */
    public CompletableFuture<Void> shutdown(boolean immediate, Duration timeout) {
        return shutdown(immediate, timeout, new CompletableFuture<>());
    }

    /** As {@link #shutdown(boolean, Duration)}; {@code accepted} completes once the owner has taken it up. */
    CompletableFuture<Void> shutdown(boolean immediate, Duration timeout, CompletableFuture<Void> accepted) {
        CompletableFuture<Void> ended = post(new Command.Shutdown(immediate, timeout, accepted,
                new CompletableFuture<>()));
        ended.whenComplete((v, e) -> accepted.complete(null));
        return ended;
    }

    /**
     * Restart: immediate is a reset; otherwise the OS reboots itself through the agent. A VIOS's
     * storage server is stopped and started again. Completes once the restart is under way.
     */
    public CompletableFuture<Void> restart(boolean immediate) {
        return post(new Command.Restart(immediate, new CompletableFuture<>()));
    }

    /**
     * Tells a VIOS's storage server that its exports file changed (a mapping made or removed);
     * false when there is no server to tell.
     */
    public boolean reloadStorage() {
        try {
            return this.<Boolean>post(new Command.ReloadStorage(new CompletableFuture<>()))
                    .get(QUICK_ANSWER.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return false;
        }
    }

    /** Records what the partition now holds (processor DLPAR). */
    public CompletableFuture<Void> changeAllocation(Allocation next) {
        return post(new Command.ChangeAllocation(next, new CompletableFuture<>()));
    }

    /**
     * DLPAR: brings the partition's processors and memory to {@code want}, on a job; completes with
     * what the partition then has. Refused unless Running with its agent answering; waits behind
     * another DLPAR; a shutdown with {@code --immed} cancels it.
     */
    public CompletableFuture<Resized> resize(Resize want) {
        return post(new Command.Resize(want, new CompletableFuture<>()));
    }

    /** Adapter DLPAR: the machine's adapters from {@code before}'s to {@code after}'s, on a job. */
    CompletableFuture<Resized> replug(LaunchSpec before, LaunchSpec after, Duration timeout, boolean needsAgent) {
        return post(new Command.Replug(before, after, timeout, needsAgent, new CompletableFuture<>()));
    }

    /** What the partition's guest has now: processors online and memory (monitor and agent). */
    public CompletableFuture<Resized> measure() {
        return post(new Command.Measure(new CompletableFuture<>()));
    }

    /**
     * Live migration, source side: streams the partition to {@code order.uri()} on a job. Refused
     * unless Running; the state is Migrating - Running until {@link #endMigration} (or a failure,
     * which leaves it Running here). Completes once the stream is over.
     */
    public CompletableFuture<io.parvirt.hypervisor.qmp.Qmp.MigrationInfo> migrate(MigrationOrder order) {
        return post(new Command.Migrate(order, false, new CompletableFuture<>()));
    }

    /**
     * Suspend: streams the partition to its saved state ({@code order.uri()} leads to the file) as
     * {@link #migrate} does, the partition Suspending meanwhile; {@link #endMigration} then ends it
     * Suspended (or lets it run on here when the file could not be completed).
     */
    public CompletableFuture<io.parvirt.hypervisor.qmp.Qmp.MigrationInfo> suspend(MigrationOrder order) {
        return post(new Command.Migrate(order, true, new CompletableFuture<>()));
    }

    /** The running configuration as a launch: what QEMU holds now, after DLPAR too. */
    public CompletableFuture<LaunchSpec> configuration() {
        return post(new Command.Configuration(new CompletableFuture<>()));
    }

    /**
     * A migration's target: completes as soon as the partition runs here (the whole stream
     * arrived), fails when it ended or failed before that. Never completes on a partition that
     * was not started to receive one.
     */
    public CompletableFuture<Void> arrival() {
        return arrival.copy();
    }

    void arrived(Exception failure) {
        if (failure == null) {
            arrival.complete(null);
        } else {
            arrival.completeExceptionally(failure);
        }
    }

    /**
     * Whether this partition's guest executes now, as its QEMU says (run status {@code running}),
     * whatever the supervisor shows: a migration's destination that may have continued it asks
     * this before deciding who runs the partition. Fails when QEMU cannot be asked (not attached
     * yet after a restart): then nobody can tell, and the caller must not guess.
     */
    public boolean guestExecutes() throws IOException {
        return runner.monitor(io.parvirt.hypervisor.qmp.Qmp::status).equals("running");
    }

    /** Stops the migration stream in flight ({@code migrlpar -o s}); the guest runs on here. */
    public CompletableFuture<Void> cancelMigration() {
        return post(new Command.CancelMigration(new CompletableFuture<>()));
    }

    /**
     * After a completed stream: reclaims this side (QEMU, cgroup, run directory, switch ports go;
     * completes when the partition has ended here) or, when the target failed, resumes the guest here.
     */
    public CompletableFuture<Void> endMigration(boolean resumeHere) {
        return post(new Command.EndMigration(resumeHere, new CompletableFuture<>()));
    }

    /**
     * Stops the partition's vCPUs where they are (QMP {@code stop}); memory and devices stay. Only a
     * Running guest; waits behind a DLPAR; refused for a VIOS (its clients' disks would hang).
     */
    public CompletableFuture<Void> pause() {
        return post(new Command.Pause(true, new CompletableFuture<>()));
    }

    /** Lets a paused partition's vCPUs go on (QMP {@code cont}). */
    public CompletableFuture<Void> resume() {
        return post(new Command.Pause(false, new CompletableFuture<>()));
    }

    /** One quick monitor call of the running partition's QEMU (the steps of a block job). */
    @SuppressWarnings("unchecked")
    public <T> CompletableFuture<T> monitor(MonitorCall<T> call) {
        return (CompletableFuture<T>) (CompletableFuture<?>) this.<Object>post(new Command.Monitor(call,
                new CompletableFuture<>()));
    }

    /** Runs a program in the guest through its agent; fails at once when the agent is not answering. */
    public CompletableFuture<GuestAgent.ExecResult> exec(String path, List<String> args, Duration timeout) {
        return post(new Command.Exec(path, List.copyOf(args), timeout, new CompletableFuture<>()));
    }

    /** Puts a command in the mailbox (starting the owner thread on first use); a request after the end fails. */
    @SuppressWarnings("unchecked")
    <T> CompletableFuture<T> post(Command c) {
        synchronized (postLock) {
            if (!closed) {
                mailbox.add(c);
                if (owner == null) {
                    owner = Thread.ofVirtual().name("lpar-" + spec.lparId()).start(this::loop);
                }
                return c instanceof Command.Request r ? (CompletableFuture<T>) r.answer() : null;
            }
        }
        if (c instanceof Command.Request r) {
            r.answer().completeExceptionally(notRunning());
            return (CompletableFuture<T>) r.answer();
        }
        return null;
    }

    private void loop() {
        try {
            while (!policy.ended()) {
                policy.handle(mailbox.take());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("partition {}: supervisor failed", spec.name(), e);
        }
        List<Command> left = new ArrayList<>();
        synchronized (postLock) {
            closed = true;
            mailbox.drainTo(left);
        }
        left.addAll(policy.deferred());
        for (Command c : left) {
            if (c instanceof Command.Shutdown sd) {
                sd.answer().complete(null); // what it asked for has happened: the partition ended
            } else if (c instanceof Command.Request r) {
                r.answer().completeExceptionally(notRunning());
            }
        }
    }

    IllegalStateException notRunning() {
        return new IllegalStateException("partition " + spec.name() + " is not running");
    }

    // What SupervisorPolicy, on the owner thread, reads and changes.

    PartitionRunner runner() {
        return runner;
    }

    Placement placement() {
        return placement;
    }

    Listener listener() {
        return listener;
    }

    Duration bootTimeout() {
        return bootTimeout;
    }

    LparState state() {
        return run.state();
    }

    ProcessHandle process() {
        return process;
    }

    void process(ProcessHandle p) {
        process = p;
    }

    void allocation(Allocation a) {
        allocation = a;
    }

    void agentActive(boolean active, GuestFacts f) {
        agentActive = active;
        if (f != null) {
            facts = f;
        }
    }

    boolean agentActive() {
        return agentActive;
    }

    boolean paused() {
        return paused;
    }

    void paused(boolean p) {
        paused = p;
    }

    /** Moves from {@code from} (any state when null) to {@code to}; nothing when the state is no longer {@code from}. */
    void move(LparState from, LparState to, RefCode ref, String detail) {
        LparState now = run.state();
        if (from != null && now != from) {
            return;
        }
        Run next = new Run(to, ref, detail, Instant.now());
        // What a transition does around the partition (its switch ports leave with its process) is
        // done before anyone can read the new state: a listing that says Not Activated must not
        // find a trunk still bridging through it.
        listener.transition(spec.lparId(), now, to, ref, detail);
        run = next;
    }

    void fail(RefCode ref, String detail) {
        LOG.warn("partition {}: {} {}: {}", spec.name(), ref.code(), ref.text(), detail);
        move(null, LparState.ERROR, ref, detail);
    }

    /** The monitor and console connections close; the process, its cgroup and run directory stay (a daemon's stop). */
    void letGo() {
        agentActive = false;
        runner.detach();
        console.close();
    }

    /** The console, monitor, agent, cgroup and run directory go; the process is gone or being abandoned. */
    void release() {
        agentActive = false;
        paused = false;
        runner.detach();
        console.close();
        placement.remove();
        deleteTree(spec.runDir());
    }

    static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // already gone
        }
    }

    /** Starts the console once; its panic lines become commands. False when it cannot be set up. */
    boolean startConsole() {
        try {
            console.start();
            return true;
        } catch (ConsoleException e) {
            fail(RefCode.LAUNCH_INVALID, "the console could not be set up: " + e.getMessage());
            return false;
        }
    }

    void listenToConsole() {
        console.addListener(line -> {
            if (line.contains("Kernel panic")) {
                post(new Command.Panicked(line.strip()));
            }
        });
    }
}
