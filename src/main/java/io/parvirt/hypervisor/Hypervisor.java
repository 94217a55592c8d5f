package io.parvirt.hypervisor;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.parvirt.console.VirtualConsole;
import io.parvirt.durable.AtomicFile;
import io.parvirt.model.Allocation;
import io.parvirt.model.LparState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * All running partitions of the managed system: one {@link PartitionSupervisor} each. Keeps what a
 * supervisor needs to be re-adopted by the next daemon in the partition's run directory, and the
 * last error of partitions that are no longer running.
 */
public final class Hypervisor implements PartitionSupervisor.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(Hypervisor.class);
    /** Record fields only: derived getters such as ProcUnits.isWhole() are not state. */
    static final ObjectMapper JSON = new ObjectMapper()
            .setVisibility(com.fasterxml.jackson.annotation.PropertyAccessor.ALL,
                    com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility.NONE)
            .setVisibility(com.fasterxml.jackson.annotation.PropertyAccessor.FIELD,
                    com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility.ANY);

    /** Where and how partitions run. */
    public record Config(String qemuBinary, String accel, Path runRoot, Path consoleLogDir, Path vtermDir,
            String homeTag, Duration bootTimeout, String macPrefix, String qemuUser, boolean vhostUser,
            boolean vhostUserBlk) {
        /** Disks over NBD ({@code vios.disk_transport=nbd}). */
        public Config(String qemuBinary, String accel, Path runRoot, Path consoleLogDir, Path vtermDir, String homeTag,
                Duration bootTimeout, String macPrefix, String qemuUser, boolean vhostUser) {
            this(qemuBinary, accel, runRoot, consoleLogDir, vtermDir, homeTag, bootTimeout, macPrefix, qemuUser, vhostUser,
                    false);
        }

        /** Guest NICs on the stream transport ({@code vswitch.transport=stream}). */
        public Config(String qemuBinary, String accel, Path runRoot, Path consoleLogDir, Path vtermDir, String homeTag,
                Duration bootTimeout, String macPrefix, String qemuUser) {
            this(qemuBinary, accel, runRoot, consoleLogDir, vtermDir, homeTag, bootTimeout, macPrefix, qemuUser, false);
        }

        /** QEMU runs as the daemon's user. */
        public Config(String qemuBinary, String accel, Path runRoot, Path consoleLogDir, Path vtermDir, String homeTag,
                Duration bootTimeout, String macPrefix) {
            this(qemuBinary, accel, runRoot, consoleLogDir, vtermDir, homeTag, bootTimeout, macPrefix, null);
        }
    }

    /** What is told of every state change (the event log). */
    public interface EventSink {
        void transition(int lparId, LparState from, LparState to, RefCode ref, String detail);
    }

    /** Written beside a running partition so that a later daemon can take it over. */
    record RunRecord(LaunchSpec spec, String profile, Allocation allocation) {
    }

    /**
     * A suspended partition: the machine as it ran (its resume builds the same one, with the same
     * MACs), the profile it ran with, what it held, and its saved state file.
     */
    public record SavedState(LaunchSpec spec, String profile, Allocation allocation, Path file) {
    }

    /** How a partition's runner and cgroup are made: real ones, or test doubles that spawn no QEMU. */
    interface Parts {
        PartitionRunner runner(LaunchSpec spec);

        Placement placement(int lparId);

        /** The runner of a migration's target: its QEMU starts waiting for the incoming stream. */
        default PartitionRunner incomingRunner(LaunchSpec spec) {
            return runner(spec);
        }
    }

    private final Config config;
    private final EventSink sink;
    private final Parts parts;
    private final Map<Integer, PartitionSupervisor> running = new ConcurrentHashMap<>();
    private final Map<Integer, PartitionStatus> ended = new ConcurrentHashMap<>();
    /** Partitions in Error whose user has already asked to shut them down: they end Not Activated. */
    private final java.util.Set<Integer> clearing = ConcurrentHashMap.newKeySet();
    /** Suspended partitions' records, beside the run directories. */
    private final SavedStates saved;

    public Hypervisor(Config config, EventSink sink) {
        this(config, sink, new Parts() {
            @Override
            public PartitionRunner runner(LaunchSpec spec) {
                return spec.runsStorageServer() ? new StorageServerRunner(spec) : new QemuGuestRunner(spec);
            }

            @Override
            public Placement placement(int lparId) {
                return Placement.of(PartitionCgroup.of(config.homeTag(), lparId));
            }

            @Override
            public PartitionRunner incomingRunner(LaunchSpec spec) {
                return new QemuGuestRunner(spec, QemuProcess::launchIncoming);
            }
        });
    }

    Hypervisor(Config config, EventSink sink, Parts parts) {
        this.config = config;
        this.sink = sink;
        this.parts = parts;
        this.saved = new SavedStates(suspendDir(), JSON);
    }

    /**
     * {@code <home>/suspended}, beside {@code <home>/run} (whose {@code lpar} directory is the run
     * root): suspended partitions' records, and the saved state of those with no VIOS disk. Not
     * under {@code run}, which holds what lives only as long as a process.
     */
    public Path suspendDir() {
        Path run = config.runRoot().toAbsolutePath().getParent();
        return run.resolveSibling("suspended");
    }

    public Config config() {
        return config;
    }

    public Path runDir(int lparId) {
        return config.runRoot().resolve(Integer.toString(lparId));
    }

    /** Starts a partition; returns at once, the boot is followed by its supervisor. */
    public synchronized PartitionSupervisor activate(LaunchSpec spec, String profile, Allocation allocation)
            throws LaunchException {
        if (running.containsKey(spec.lparId())) {
            throw new LaunchException(RefCode.LAUNCH_INVALID, "partition " + spec.name() + " is already active");
        }
        if (spec.runsStorageServer()) {
            StorageServerProcess.validate(spec);
        } else {
            QemuProcess.validate(spec);
        }
        prepareRun(spec, profile, allocation);
        PartitionSupervisor s = supervisor(spec, profile, allocation, parts.runner(spec));
        running.put(spec.lparId(), s);
        sink.transition(spec.lparId(), LparState.NOT_ACTIVATED, LparState.STARTING, RefCode.STARTING, "activated");
        s.activate();
        return s;
    }

    /** How long a migration's target QEMU may take to start and listen. */
    private static final Duration RECEIVE_ANSWER = Duration.ofSeconds(150);

    /**
     * A migration's target: starts the partition's QEMU (the source's current configuration,
     * {@link LaunchSpec#current}, re-homed here) waiting for the stream, listening on {@code host};
     * returns the port once it listens. The partition is Migrating - Running here until the stream
     * has arrived whole and its guest runs; if the stream fails, its QEMU ends and it is in Error.
     * {@code key}: the stream's TLS key, as the source was given it (null: a plain stream).
     */
    public int receive(LaunchSpec spec, String profile, Allocation allocation, String host, StreamKey key)
            throws LaunchException {
        return receive(spec, profile, allocation, host, key, () -> { });
    }

    /**
     * The same; {@code beforeRun} runs once the whole stream has arrived and before the guest runs
     * here (the VIOS's storage server reads the disks' layers the source's wrote until then). A
     * failure in it fails the arrival: the source runs the partition on.
     */
    public int receive(LaunchSpec spec, String profile, Allocation allocation, String host, StreamKey key,
            Runnable beforeRun) throws LaunchException {
        PartitionSupervisor s;
        synchronized (this) {
            if (running.containsKey(spec.lparId())) {
                throw new LaunchException(RefCode.LAUNCH_INVALID, "partition id " + spec.lparId() + " is active here");
            }
            QemuProcess.validate(spec);
            prepareRun(spec, profile, allocation);
            s = supervisor(spec, profile, allocation, parts.incomingRunner(spec));
            running.put(spec.lparId(), s);
        }
        try {
            return await(s.post(new Command.Receive("tcp:" + host + ":0", key, false, beforeRun,
                    new CompletableFuture<>())), RECEIVE_ANSWER);
        } catch (IOException e) {
            throw new LaunchException(RefCode.QEMU_FAILED, "the migration's target could not listen: "
                    + e.getMessage());
        }
    }

    /** The run directory and its record, before the process starts; the partition's last error is forgotten. */
    private void prepareRun(LaunchSpec spec, String profile, Allocation allocation) throws LaunchException {
        try {
            Files.createDirectories(spec.runDir());
            writeRunRecord(new RunRecord(spec, profile, allocation));
        } catch (IOException e) {
            throw new LaunchException(RefCode.LAUNCH_INVALID, "cannot prepare " + spec.runDir() + ": " + e.getMessage());
        }
        ended.remove(spec.lparId());
        clearing.remove(spec.lparId());
    }

    private PartitionSupervisor supervisor(LaunchSpec spec, String profile, Allocation allocation,
            PartitionRunner runner) {
        // Logs are kept per partition UUID: a later partition of the same name never inherits them.
        VirtualConsole console = new VirtualConsole(spec.name(), spec.serialSocket(),
                config.consoleLogDir().resolve(spec.uuid()),
                config.vtermDir().resolve(spec.lparId() + ".sock"), 1 << 20);
        return new PartitionSupervisor(spec, profile, allocation, runner, parts.placement(spec.lparId()),
                console, this, config.bootTimeout());
    }

    /** Written whole and renamed into place: a daemon killed meanwhile finds the old record or the new one. */
    static void writeRunRecord(RunRecord r) throws IOException {
        // QEMU may write in the run directory (QemuUser): AtomicFile makes its temporary file afresh
        // (O_EXCL), so a file or link QEMU left there is never written through.
        AtomicFile.replace(r.spec().runDir().resolve("run.json"), JSON.writeValueAsBytes(r));
    }

    /**
     * Changes what a running partition holds (processor DLPAR: entitlement, weight, mode, pool),
     * recorded beside it before it takes effect, so a re-adopting daemon keeps the change.
     */
    public synchronized Allocation change(int lparId, java.util.function.UnaryOperator<Allocation> edit)
            throws IOException {
        PartitionSupervisor s = runningOrRefuse(lparId);
        Allocation next = edit.apply(s.status().allocation());
        writeRunRecord(new RunRecord(s.spec(), s.status().profile(), next));
        await(s.changeAllocation(next), PartitionSupervisor.QUICK_ANSWER);
        return next;
    }

    private PartitionSupervisor runningOrRefuse(int lparId) {
        PartitionSupervisor s = running.get(lparId);
        if (s == null) {
            throw new IllegalStateException("partition " + lparId + " is not running");
        }
        return s;
    }

    /** What a DLPAR did: the allocation the partition holds now, and what its guest reported. */
    public record DlparResult(Allocation allocation, Resized resized) {
    }

    /** How much longer than its own timeout a DLPAR job gets to undo what did not finish, and answer. */
    private static final Duration DLPAR_MARGIN = Duration.ofSeconds(60);

    /**
     * Processor (virtual processors, cores) and memory DLPAR. {@code check} gives the allocation
     * asked for, or refuses it (under this lock, so two changes never take the same free
     * resources). What is added is recorded (taken from the system) before the guest gets it and
     * what is removed only once the guest has let it go, so a daemon killed in between re-adopts
     * the partition holding at least what its guest has; then the partition holds what the guest
     * reported. One DLPAR of a partition at a time; its supervisor runs the guest's part as a job.
     */
    public DlparResult dlpar(int lparId, java.util.function.UnaryOperator<Allocation> check, long lmbMb,
            Duration timeout) throws IOException {
        PartitionSupervisor s = runningOrRefuse(lparId);
        synchronized (s.dlparLock) {
            Allocation before;
            Allocation next;
            synchronized (this) {
                before = s.status().allocation();
                next = check.apply(before);
                record(s, next.withVcpus(Math.max(before.vcpus(), next.vcpus()))
                        .withMemMb(Math.max(before.memMb(), next.memMb())));
            }
            Resized r;
            try {
                r = await(s.resize(new Resize(next.vcpus(), next.memMb(), lmbMb, timeout)),
                        timeout.plus(DLPAR_MARGIN));
            } catch (IOException | RuntimeException e) {
                synchronized (this) {
                    if (running.get(lparId) == s) {
                        record(s, s.status().allocation().withVcpus(before.vcpus()).withMemMb(before.memMb()));
                    }
                }
                throw e;
            }
            synchronized (this) {
                Allocation settled = s.status().allocation().withVcpus(r.vcpus()).withMemMb(r.memMb());
                record(s, settled);
                return new DlparResult(settled, r);
            }
        }
    }

    /**
     * Adapter DLPAR: {@code edit} gives the adapters the partition is to have, or refuses (under the
     * partition's DLPAR lock, so two changes never both take one slot); the supervisor's job plugs
     * and unplugs; then the new adapters are recorded beside the partition. Returns what it runs
     * with before and after. {@code needsAgent}: refused while the guest's agent does not answer.
     */
    public Replugged replug(int lparId, java.util.function.UnaryOperator<LaunchSpec> edit, Duration timeout,
            boolean needsAgent) throws IOException {
        PartitionSupervisor s = runningOrRefuse(lparId);
        synchronized (s.dlparLock) {
            LaunchSpec before = s.spec();
            LaunchSpec after = edit.apply(before);
            if (after.equals(before)) {
                return new Replugged(before, after);
            }
            await(s.replug(before, after, timeout, needsAgent), timeout.plus(DLPAR_MARGIN));
            synchronized (this) {
                s.spec(after);
                writeRunRecord(new RunRecord(after, s.status().profile(), s.status().allocation()));
            }
            return new Replugged(before, after);
        }
    }

    /** The adapters a partition ran with before an adapter DLPAR and runs with after it. */
    public record Replugged(LaunchSpec before, LaunchSpec after) {
    }

    private static void record(PartitionSupervisor s, Allocation a) throws IOException {
        writeRunRecord(new RunRecord(s.spec(), s.status().profile(), a));
        await(s.changeAllocation(a), PartitionSupervisor.QUICK_ANSWER);
    }

    /** Re-adopts every partition an earlier daemon left running; forgets the ones whose QEMU is gone. */
    public synchronized List<Integer> recover() {
        List<Integer> adopted = new ArrayList<>();
        if (!Files.isDirectory(config.runRoot())) {
            return adopted;
        }
        try (Stream<Path> dirs = Files.list(config.runRoot())) {
            for (Path d : dirs.toList()) {
                try {
                    RunRecord r = upgraded(JSON.readValue(d.resolve("run.json").toFile(), RunRecord.class));
                    if (suspendedWithFile(r.spec().lparId())) {
                        // Killed between the suspended record and the end of the QEMU that wrote it
                        // (or of one resuming from it before the record went): the record wins.
                        LOG.info("partition {} is suspended: its QEMU left running is stopped", r.spec().name());
                        stopOrphan(d);
                        PartitionSupervisor.deleteTree(d);
                        continue;
                    }
                    Optional<ProcessHandle> h = QemuProcess.find(r.spec().pidFile(), r.spec().uuid());
                    if (h.isPresent()) {
                        PartitionSupervisor s = supervisor(r.spec(), r.profile(), r.allocation(),
                                parts.runner(r.spec()));
                        running.put(r.spec().lparId(), s);
                        s.adopt(h.get());
                        reconcile(s);
                        adopted.add(r.spec().lparId());
                        LOG.info("re-adopted partition {} (pid {})", r.spec().name(), h.get().pid());
                        continue;
                    }
                } catch (IOException e) {
                    LOG.warn("run directory {} is unreadable: {}", d, e.getMessage());
                    stopOrphan(d);
                }
                PartitionSupervisor.deleteTree(d);
            }
        } catch (IOException e) {
            LOG.warn("cannot scan {}: {}", config.runRoot(), e.getMessage());
        }
        return adopted;
    }

    /**
     * A daemon killed during a DLPAR left a run record that may be behind what the guest has (the
     * added part is recorded first, the outcome after; a removal may have gone on). Once the
     * re-adopted partition runs again, what its monitor and agent report is recorded.
     */
    private void reconcile(PartitionSupervisor s) {
        Thread.ofVirtual().name("lpar-" + s.lparId() + "-reconcile").start(() -> {
            long deadline = System.nanoTime() + config.bootTimeout().toNanos();
            try {
                while (s.status().state() != LparState.RUNNING || !s.status().agentActive()) {
                    if (System.nanoTime() > deadline || running.get(s.lparId()) != s) {
                        return;
                    }
                    Thread.sleep(200);
                }
                Resized now = await(s.measure(), PartitionSupervisor.QUICK_ANSWER.multipliedBy(3));
                synchronized (s.dlparLock) {
                    synchronized (this) {
                        Allocation a = s.status().allocation();
                        long mem = Math.clamp(now.memMb(), a.minMemMb(), a.maxMemMb());
                        if (running.get(s.lparId()) == s && now.vcpus() >= 1
                                && (a.vcpus() != now.vcpus() || a.memMb() != mem)) {
                            LOG.info("partition {}: re-adopted with {} processors and {} MB, its run record said {} "
                                    + "and {} MB", s.spec().name(), now.vcpus(), mem, a.vcpus(), a.memMb());
                            record(s, a.withVcpus(now.vcpus()).withMemMb(mem));
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                LOG.info("partition {}: what it has could not be read after re-adoption: {}", s.spec().name(),
                        e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /**
     * A run record written before processor policy was recorded (parvirt before micro-partitioning)
     * gets the policy its partition had then: capped (or keep_idle_procs), default weight, default
     * pool, and its current units and processors as both its minimum and its maximum.
     */
    private static RunRecord upgraded(RunRecord r) {
        Allocation a = r.allocation();
        if (a == null || a.limits() != null) {
            return r;
        }
        io.parvirt.model.SharingMode mode = a.dedicated() ? io.parvirt.model.SharingMode.KEEP_IDLE_PROCS
                : io.parvirt.model.SharingMode.CAP;
        io.parvirt.model.ProcessorSettings limits = new io.parvirt.model.ProcessorSettings(a.dedicated()
                ? io.parvirt.model.ProcMode.DED : io.parvirt.model.ProcMode.SHARED, a.vcpus(), a.vcpus(), a.vcpus(),
                a.procUnits(), a.procUnits(), a.procUnits(), mode, io.parvirt.model.Limits.DEFAULT_UNCAP_WEIGHT, 0);
        return new RunRecord(r.spec(), r.profile(), new Allocation(a.lparId(), a.memMb(), a.procUnits(), a.vcpus(),
                a.dedicated(), mode, io.parvirt.model.Limits.DEFAULT_UNCAP_WEIGHT, 0, limits));
    }

    private boolean suspendedWithFile(int lparId) {
        try {
            return saved.find(lparId).map(x -> Files.isRegularFile(x.file())).orElse(false);
        } catch (IllegalStateException e) {
            LOG.warn("{}", e.getMessage());
            return false;
        }
    }

    /** A QEMU (or storage server) whose run record cannot be read cannot be supervised: stop it rather than leak it. */
    private static void stopOrphan(Path runDir) {
        for (String pid : new String[] {"qemu.pid", "storage.pid"}) {
            QemuProcess.find(runDir.resolve(pid), runDir.toString()).ifPresent(h -> {
                LOG.warn("stopping process {} of unreadable run directory {}", h.pid(), runDir);
                h.destroyForcibly();
            });
        }
    }

    public Optional<PartitionStatus> status(int lparId) {
        PartitionSupervisor s = running.get(lparId);
        return s != null ? Optional.of(s.status()) : Optional.ofNullable(ended.get(lparId));
    }

    public Optional<PartitionSupervisor> supervisor(int lparId) {
        return Optional.ofNullable(running.get(lparId));
    }

    /** The status of every partition that has a QEMU (starting, running, shutting down, or in Error). */
    public List<PartitionStatus> running() {
        List<PartitionStatus> out = new ArrayList<>();
        for (PartitionSupervisor s : running.values()) {
            out.add(s.status());
        }
        return out;
    }

    /** What active partitions hold, for the system's available capacity. */
    public List<Allocation> allocations() {
        List<Allocation> out = new ArrayList<>();
        for (PartitionSupervisor s : running.values()) {
            out.add(s.status().allocation());
        }
        return out;
    }

    /**
     * Asks the partition's supervisor to stop it and returns once it has taken the request up (the
     * partition shows Shutting Down), not when it has ended.
     */
    public void shutdown(int lparId, boolean immediate, Duration timeout) {
        PartitionSupervisor s = running.get(lparId);
        // Shutting down a partition in Error clears it to Not Activated, also when its QEMU is still going.
        ended.remove(lparId);
        if (s != null) {
            if (s.status().state() == LparState.ERROR) {
                clearing.add(lparId);
            }
            CompletableFuture<Void> accepted = new CompletableFuture<>();
            s.shutdown(immediate, timeout, accepted);
            try {
                await(accepted, PartitionSupervisor.QUICK_ANSWER);
            } catch (IOException e) {
                LOG.info("partition {}: the shutdown is still waiting for its supervisor: {}", lparId, e.getMessage());
            }
        }
    }

    /** Returns once the restart is under way (a reset sent, the OS asked, a storage server being stopped). */
    public void restart(int lparId, boolean immediate) throws IOException {
        PartitionSupervisor s = running.get(lparId);
        if (s != null) {
            await(s.restart(immediate), RESTART_ANSWER);
        }
    }

    /**
     * Stops ({@code pause}) or continues a running partition's vCPUs through its supervisor, so that
     * it never interleaves with a shutdown, a restart or a DLPAR; returns once done.
     */
    public void pause(int lparId, boolean pause) throws IOException {
        PartitionSupervisor s = running.get(lparId);
        if (s == null) {
            throw new IllegalStateException("partition " + lparId + " is not running");
        }
        await(pause ? s.pause() : s.resume(), RESTART_ANSWER);
    }

    /**
     * One quick monitor call of running partition {@code lparId}'s QEMU through its supervisor (so
     * that it never interleaves with a stop, a restart or a migration); returns its answer.
     */
    public <T> T monitor(int lparId, MonitorCall<T> call) throws IOException {
        PartitionSupervisor s = running.get(lparId);
        if (s == null) {
            throw new IllegalStateException("partition " + lparId + " is not running");
        }
        return await(s.monitor(call), RESTART_ANSWER);
    }

    /** A QMP command's own timeout and a little more. */
    private static final Duration RESTART_ANSWER = Duration.ofSeconds(35);

    /** Waits for a supervisor's answer; its failure, or no answer in time, is an IOException. */
    private static <T> T await(CompletableFuture<T> f, Duration timeout) throws IOException {
        try {
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("no answer from the partition's supervisor within " + timeout.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the partition's supervisor");
        }
    }

    // Suspend and resume (issue 14): the stream of a migration, to and from a file (StateFile)

    /** How long a suspend or resume waits for QEMU to close or take the saved state after its stream. */
    private static final Duration STATE_FILE_CLOSE = Duration.ofSeconds(60);

    /** The suspended partition's record, if {@code lparId} is suspended. */
    public Optional<SavedState> saved(int lparId) {
        return saved.find(lparId);
    }

    /**
     * Suspends running partition {@code lparId}: its QEMU streams memory and device state (as a
     * migration's source, the partition Suspending) into {@code file}; once the file is whole and
     * the record names it, the QEMU ends and the partition is Suspended, holding nothing. If the
     * stream or the file fails, the partition runs on as it was and the file is not kept.
     */
    public SavedState suspend(int lparId, Path file, long bandwidth, Duration timeout) throws IOException {
        PartitionSupervisor s = runningOrRefuse(lparId);
        LaunchSpec spec = await(s.configuration(), PartitionSupervisor.QUICK_ANSWER);
        Path socket = spec.runDir().resolve(StateFile.SUSPEND_SOCKET);
        try (StateFile.Recording rec = StateFile.record(socket, file, spec.qemuUser())) {
            try {
                await(s.suspend(new MigrationOrder("unix:" + socket, bandwidth, null, i -> { })), timeout);
            } catch (IOException e) {
                s.cancelMigration(); // timed out: the guest runs on here (nothing if the stream already failed)
                throw e;
            }
            SavedState st;
            try {
                rec.complete(STATE_FILE_CLOSE);
                st = new SavedState(spec, s.status().profile(), s.status().allocation(), file);
                saved.save(st);
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(file);
                await(s.endMigration(true), PartitionSupervisor.QUICK_ANSWER); // runs on here
                throw e;
            }
            // Past the record: the partition is Suspended whatever follows (recover stops this QEMU).
            await(s.endMigration(false), RESTART_ANSWER);
            return st;
        }
    }

    /**
     * Resumes suspended partition {@code lparId}: a QEMU of the same machine starts waiting for a
     * stream (Resuming), {@code listening} runs once it listens (its switch ports join), the saved
     * state is sent to it, and once its guest runs on the record and the file are removed. If the
     * resume fails, its QEMU ends and the partition stays Suspended.
     */
    public void resume(int lparId, Runnable listening, Duration timeout) throws IOException, LaunchException {
        SavedState st = saved.find(lparId).orElseThrow(() -> new IllegalStateException("partition " + lparId
                + " is not suspended"));
        startFrom(st, listening, timeout);
        saved.remove(st);
    }

    /**
     * Starts a partition from a memory snapshot (issue 19) as a resume does, from {@code st}'s
     * machine and file; the file is kept (the snapshot may be reverted to again). If the start
     * fails, its QEMU ends and the partition is Not Activated.
     */
    public void restore(SavedState st, Runnable listening, Duration timeout) throws IOException, LaunchException {
        startFrom(st, listening, timeout);
    }

    /**
     * A snapshot with memory of running partition {@code lparId} (issue 19): its vCPUs stop,
     * {@code atStop} takes the disk point, and QEMU's background snapshot writes the memory as it
     * was at that instant into {@code file} while the guest runs on ({@link BackgroundSnapshot}).
     * Returns the machine as it ran and the file; a failure leaves the guest running and no file.
     */
    public SavedState snapshot(int lparId, Path file, Runnable atStop, long bandwidth, Duration timeout)
            throws IOException {
        PartitionSupervisor s = runningOrRefuse(lparId);
        LaunchSpec spec = await(s.configuration(), PartitionSupervisor.QUICK_ANSWER);
        SavedState st = new SavedState(spec, s.status().profile(), s.status().allocation(), file);
        new BackgroundSnapshot(this, lparId).take(spec, file, atStop, bandwidth, timeout);
        return st;
    }

    /** A {@link SavedState} as JSON (a snapshot's machine, kept by its owner's records). */
    public static byte[] encode(Object record) throws IOException {
        return JSON.writeValueAsBytes(record);
    }

    /** Reads back what {@link #encode} wrote. */
    public static <T> T decode(byte[] bytes, Class<T> type) throws IOException {
        return JSON.readValue(bytes, type);
    }

    private void startFrom(SavedState st, Runnable listening, Duration timeout) throws IOException, LaunchException {
        int lparId = st.spec().lparId();
        LaunchSpec spec = st.spec();
        Path socket = spec.runDir().resolve("resume.sock");
        PartitionSupervisor s;
        synchronized (this) {
            if (running.containsKey(lparId)) {
                throw new LaunchException(RefCode.LAUNCH_INVALID, "partition " + spec.name() + " is active");
            }
            QemuProcess.validate(spec);
            prepareRun(spec, st.profile(), st.allocation());
            s = supervisor(spec, st.profile(), st.allocation(), parts.incomingRunner(spec));
            running.put(lparId, s);
        }
        try {
            await(s.post(new Command.Receive("unix:" + socket, null, true, () -> { }, new CompletableFuture<>())),
                    RECEIVE_ANSWER);
            listening.run();
            StateFile.replay(socket, st.file());
            await(s.arrival(), timeout);
        } catch (IOException | RuntimeException e) {
            abandon(s);
            throw e;
        }
    }

    /** A resume that failed: its QEMU ends, and no Error is left behind (the partition is still Suspended). */
    private void abandon(PartitionSupervisor s) {
        clearing.add(s.lparId());
        try {
            s.shutdown(true, Duration.ZERO).get(RESTART_ANSWER.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("partition {}: the failed resume's QEMU did not end: {}", s.spec().name(), e.getMessage());
        }
        ended.remove(s.lparId());
    }

    /**
     * A Suspended partition arrives by mobility (issue 14): {@code st} names the machine rebuilt for
     * this system and the saved state file the source wrote, which this system reaches (the SAN);
     * from this record on, the partition is Suspended here.
     */
    public void adoptSaved(SavedState st) throws IOException {
        saved.save(st);
    }

    /**
     * A Suspended partition left by mobility: its record goes, its saved state file stays (the
     * destination's record names it now).
     */
    public void releaseSaved(int lparId) throws IOException {
        saved.release(lparId);
    }

    /** A suspended partition shut down: its record and saved state go; it is Not Activated. */
    public void discard(int lparId) throws IOException {
        Optional<SavedState> st = saved.find(lparId);
        if (st.isPresent()) {
            saved.remove(st.get());
            sink.transition(lparId, LparState.SUSPENDED, LparState.NOT_ACTIVATED, RefCode.NONE,
                    "its saved state is deleted");
        }
    }

    /**
     * The daemon stops and leaves its partitions running for the next one: each supervisor lets go
     * of its partition's monitor and console (a process ending takes them with it anyway).
     */
    public void leave() {
        List<CompletableFuture<Void>> left = new ArrayList<>();
        synchronized (this) {
            running.values().forEach(s -> left.add(s.post(new Command.Leave(new CompletableFuture<>()))));
        }
        for (CompletableFuture<Void> f : left) {
            try {
                f.get(PartitionSupervisor.QUICK_ANSWER.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException | TimeoutException e) {
                LOG.warn("a partition's supervisor did not let go in time: {}", e.getMessage());
            }
        }
    }

    /** Forgets a removed partition's last error. */
    public void forget(int lparId) {
        ended.remove(lparId);
    }

    @Override
    public void transition(int lparId, LparState from, LparState to, RefCode ref, String detail) {
        sink.transition(lparId, from, to, ref, detail);
    }

    @Override
    public void ended(PartitionSupervisor s) {
        running.remove(s.lparId(), s);
        PartitionStatus st = s.status();
        if (st.state() == LparState.ERROR && !clearing.remove(s.lparId())) {
            ended.put(s.lparId(), new PartitionStatus(st.lparId(), LparState.ERROR, st.refCode(), st.refDetail(),
                    st.refTime(), st.profile(), null, GuestFacts.UNKNOWN, false, -1, List.of(), false));
        }
    }
}
