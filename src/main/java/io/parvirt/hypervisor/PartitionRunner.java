package io.parvirt.hypervisor;

import io.parvirt.hypervisor.qga.GuestAgent;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * The mechanisms of one kind of partition, for its {@link PartitionSupervisor}: how its process
 * is started, reached and stopped. A QEMU guest ({@link QemuGuestRunner}) and a VIOS's storage
 * server ({@link StorageServerRunner}) differ only here; which step comes when, what state follows
 * and which reference code is shown is the supervisor's policy and is the same for both.
 *
 * <p>Methods that block ({@link #launch}, {@link #attach}) run on the supervisor's jobs, never on
 * its mailbox thread; the others return quickly.
 */
interface PartitionRunner {
    /** One step of a delayed shutdown: asks the partition to stop in a gentler way than killing it. */
    record StopStep(String name, StepAction action) {
    }

    /** What a stop step does; it may block, and is abandoned when its share of the timeout is over. */
    @FunctionalInterface
    interface StepAction {
        void run() throws IOException;
    }

    /** Starts the process: QEMU or the storage server in production, something else in tests. */
    @FunctionalInterface
    interface Launcher {
        ProcessHandle launch(LaunchSpec spec) throws LaunchException;
    }

    /** The reference code shown while the partition starts (CA00E1F0 for a guest). */
    RefCode startingRefCode();

    /** Starts the process and returns once it is up, with its handle. */
    ProcessHandle launch() throws LaunchException;

    /**
     * Connects to a started or adopted process's control channels; what the process reports
     * (panic, power-off, reset) goes to {@code events} as supervisor commands.
     */
    void attach(ProcessHandle process, Consumer<Command> events) throws LaunchException;

    /** True when the partition is Running only once its guest agent answers; else once it is attached. */
    boolean bootsWithAgent();

    /** The partition's guest agent (a VIOS has none: its calls fail). */
    GuestAgent agent();

    /** What the agent reports of the guest, read once it answers. */
    GuestFacts facts();

    /** The host threads the dispatcher treats as the partition's processors. */
    List<Long> threads(ProcessHandle process);

    /** The gentle ways to stop, in the order they are tried; the timeout is shared among them. */
    List<StopStep> stopSteps(ProcessHandle process);

    /** Asks the process to end at once (QMP quit, SIGTERM); the supervisor kills it if it does not. */
    void stopNow(ProcessHandle process) throws IOException;

    /** True when a restart is a new process (the storage server); false when it is a reboot in place. */
    boolean restartRelaunches();

    /** A reboot in place: a reset when immediate (or the agent is away), else the OS reboots itself. */
    void reboot(boolean immediate, boolean agentActive) throws IOException;

    /** Asks the process to re-read its configuration (a VIOS's exports); false when it cannot. */
    boolean reload(ProcessHandle process);

    /** The reference code and text of the process ending without having been asked to. */
    LaunchException exitedUnexpectedly(ProcessHandle process);

    /**
     * The reference code and text of a process an earlier daemon left running that ended before
     * this daemon could take control of it: it had started long ago, so this is no failed start.
     */
    default LaunchException endedAfterAdoption(ProcessHandle process) {
        return exitedUnexpectedly(process);
    }

    /**
     * DLPAR: brings the partition's processors and memory to {@code want} by {@code deadline}
     * (nanoTime), as far as the guest goes, and refreshes the threads the dispatcher sees. Blocks;
     * runs on a supervisor job.
     */
    Resized resize(Resize want, long deadline) throws IOException, InterruptedException;

    /**
     * Adapter DLPAR: brings the machine's virtual adapters from those of {@code before} to those of
     * {@code after} by {@code deadline} (nanoTime). Blocks; runs on a supervisor job.
     */
    void replug(LaunchSpec before, LaunchSpec after, long deadline) throws IOException, InterruptedException;

    /** What the partition has now (a re-adopted one: its run record may be behind); may block. */
    Resized current() throws IOException;

    /** The partition's side of a live migration (a QEMU guest's monitor); others cannot migrate. */
    default QemuMigration migration() throws IOException {
        throw new UnsupportedOperationException("this partition cannot be migrated live");
    }

    /** Runs {@code call} against the partition's QEMU monitor (a guest's; a VIOS has none to offer). */
    default <T> T monitor(MonitorCall<T> call) throws IOException {
        throw new UnsupportedOperationException("this kind of partition has no QEMU monitor for block jobs");
    }

    /** Stops ({@code true}) or continues the partition's processors in place; quick (one monitor command). */
    default void pause(boolean pause) throws IOException {
        throw new UnsupportedOperationException("this kind of partition cannot be paused");
    }

    /** Whether an attached process's processors are stopped (an adopted partition left paused); may block. */
    default boolean paused() {
        return false;
    }

    /**
     * Whether an attached process is the source of a migration whose stream completed (QEMU's
     * {@code postmigrate}): its guest may run on the destination now, so it is neither resumed nor
     * booted here until the migration is settled ({@code migrlpar -o r}); may block.
     */
    default boolean migratedAway() {
        return false;
    }

    /** Drops the control channels (the process is gone or being abandoned). */
    void detach();

    /** How long a process gets to end after {@link #stopNow} before it is killed. */
    Duration KILL_AFTER = Duration.ofSeconds(5);
}
