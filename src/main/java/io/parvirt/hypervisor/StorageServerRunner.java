package io.parvirt.hypervisor;

import io.parvirt.hypervisor.qga.GuestAgent;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * A VIOS, whose operating system is parvirt's storage server ({@link StorageServerProcess}). It
 * has no monitor and no agent: it is up once it serves, SIGTERM is its shutdown (it closes its
 * connections and syncs its files), SIGHUP makes it re-read its exports, and a restart is a new
 * server (its clients' NBD connections reconnect meanwhile).
 */
final class StorageServerRunner implements PartitionRunner {
    /** A JVM starts in about a second; this much allows for a host busy with partitions booting. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final LaunchSpec spec;
    private final Launcher launcher;
    private final GuestAgent agent;

    StorageServerRunner(LaunchSpec spec, Launcher launcher) {
        this.spec = spec;
        this.launcher = launcher;
        this.agent = new GuestAgent(spec.agentSocket());
    }

    StorageServerRunner(LaunchSpec spec) {
        this(spec, s -> StorageServerProcess.launch(s, START_TIMEOUT.toMillis()));
    }

    @Override
    public RefCode startingRefCode() {
        return RefCode.STORAGE_SERVER_STARTING;
    }

    @Override
    public ProcessHandle launch() throws LaunchException {
        return launcher.launch(spec);
    }

    @Override
    public void attach(ProcessHandle process, Consumer<Command> events) {
        // nothing to connect to: the server is the partition's operating system, not a machine
    }

    @Override
    public boolean bootsWithAgent() {
        return false;
    }

    @Override
    public GuestAgent agent() {
        return agent;
    }

    @Override
    public GuestFacts facts() {
        return GuestFacts.UNKNOWN;
    }

    /** Its threads come and go with its connections: read each time. */
    @Override
    public List<Long> threads(ProcessHandle process) {
        return StorageServerProcess.threads(process);
    }

    /** SIGTERM, with the whole timeout to close its connections and sync its files. */
    @Override
    public List<StopStep> stopSteps(ProcessHandle process) {
        return List.of(new StopStep("SIGTERM", process::destroy));
    }

    @Override
    public void stopNow(ProcessHandle process) {
        process.destroy();
    }

    @Override
    public boolean restartRelaunches() {
        return true;
    }

    @Override
    public void reboot(boolean immediate, boolean agentActive) {
        throw new UnsupportedOperationException("a storage server restarts as a new process");
    }

    @Override
    public boolean reload(ProcessHandle process) {
        return process.isAlive() && StorageServerProcess.reload(process);
    }

    @Override
    public LaunchException exitedUnexpectedly(ProcessHandle process) {
        return new LaunchException(RefCode.STORAGE_SERVER_EXITED, "the storage server (pid " + process.pid()
                + ") ended without a shutdown: activate the VIOS again; its clients' requests wait "
                + QemuCommandLine.NBD_RECONNECT_S + " s for it before they fail");
    }

    @Override
    public void detach() {
    }

    @Override
    public Resized resize(Resize want, long deadline) throws java.io.IOException {
        throw new java.io.IOException("a Virtual I/O Server's storage server has no processors or memory to change live");
    }

    @Override
    public void replug(LaunchSpec before, LaunchSpec after, long deadline) {
        throw new UnsupportedOperationException("partition " + spec.name() + " is a Virtual I/O Server: its "
                + "storage server has no virtual adapters to change live");
    }

    @Override
    public Resized current() throws java.io.IOException {
        throw new java.io.IOException("a Virtual I/O Server's storage server has no guest to ask");
    }
}
