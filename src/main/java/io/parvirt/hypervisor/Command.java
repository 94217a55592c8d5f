package io.parvirt.hypervisor;

import io.parvirt.hypervisor.qga.GuestAgent;
import io.parvirt.model.Allocation;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What a {@link PartitionSupervisor}'s mailbox carries: requests from others (each with the future
 * its answer completes), what the partition's process and monitors report, and the outcome of the
 * supervisor's own jobs. The supervisor's thread handles them one at a time, in arrival order.
 */
sealed interface Command {
    /** A request from outside; failed with {@code IllegalStateException} when the partition has ended. */
    sealed interface Request extends Command {
        CompletableFuture<?> answer();
    }

    /** The outcome of a job; ignored when that job has been cancelled meanwhile. */
    sealed interface Outcome extends Command {
        Job job();
    }

    record Activate(CompletableFuture<Void> answer) implements Request {
    }

    record Adopt(ProcessHandle process, CompletableFuture<Void> answer) implements Request {
    }

    /**
     * The daemon stops and its successor takes the partition over: the process runs on, this
     * supervisor lets go of its monitor and console and handles nothing more.
     */
    record Leave(CompletableFuture<Void> answer) implements Request {
    }

    /** {@code accepted} completes once the supervisor has taken it up; {@code answer} once the partition ended. */
    record Shutdown(boolean immediate, Duration timeout, CompletableFuture<Void> accepted,
            CompletableFuture<Void> answer) implements Request {
    }

    record Restart(boolean immediate, CompletableFuture<Void> answer) implements Request {
    }

    record ReloadStorage(CompletableFuture<Boolean> answer) implements Request {
    }

    record ChangeAllocation(Allocation allocation, CompletableFuture<Void> answer) implements Request {
    }

    /** DLPAR: processors and memory to {@code want}; answered with what the partition then has. */
    record Resize(io.parvirt.hypervisor.Resize want, CompletableFuture<Resized> answer) implements Request {
    }

    /**
     * Adapter DLPAR: the machine's adapters from {@code before}'s to {@code after}'s; {@code needsAgent}
     * when the guest's operating system must take part (the HMC refuses it otherwise).
     */
    record Replug(LaunchSpec before, LaunchSpec after, Duration timeout, boolean needsAgent,
            CompletableFuture<Resized> answer) implements Request {
    }

    /** What the partition has now, asked of its monitor and agent (re-adoption). */
    record Measure(CompletableFuture<Resized> answer) implements Request {
    }

    /** {@code pause} true: QMP {@code stop}; false: {@code cont}. */
    record Pause(boolean pause, CompletableFuture<Void> answer) implements Request {
    }

    /** One quick monitor call of a Running partition's QEMU (a block job's steps), on the owner's thread. */
    record Monitor(MonitorCall<?> call, CompletableFuture<Object> answer) implements Request {
    }

    record Exec(String path, List<String> args, Duration timeout, CompletableFuture<GuestAgent.ExecResult> answer)
            implements Request {
    }

    /**
     * Live migration, source side ({@code suspend}: to the partition's saved state file, the
     * partition Suspending meanwhile): stream the partition to {@code order.uri()}; answered with
     * QEMU's last look once the stream has completed (the guest paused here, waiting for
     * {@link EndMigration}), or failed with why it failed or was stopped (the guest runs on here).
     */
    record Migrate(MigrationOrder order, boolean suspend,
            CompletableFuture<io.parvirt.hypervisor.qmp.Qmp.MigrationInfo> answer) implements Request {
    }

    /** Stops the migration stream in flight; answered once the stop is under way. */
    record CancelMigration(CompletableFuture<Void> answer) implements Request {
    }

    /**
     * After a completed stream: the target runs the partition (reclaim here: the process ends,
     * answered then) or it failed ({@code resumeHere}: the paused guest runs on here).
     */
    record EndMigration(boolean resumeHere, CompletableFuture<Void> answer) implements Request {
    }

    /**
     * Live migration, target side: launch QEMU waiting for a stream, listening on {@code uri}
     * ({@code tcp:HOST:0}, or {@code unix:PATH} for a resume from a saved state file, the
     * partition Resuming meanwhile); answered with the port once it listens (0 on a Unix socket).
     * {@code key}: the stream's TLS key (null: plain, a resume's local socket). {@code beforeRun}:
     * what runs once the stream has arrived whole, before the guest is continued.
     */
    record Receive(String uri, StreamKey key, boolean resuming, Runnable beforeRun, CompletableFuture<Integer> answer)
            implements Request {
    }

    /** The migration stream ended: QEMU's last look, or why it could not be followed. */
    record Migrated(Job job, io.parvirt.hypervisor.qmp.Qmp.MigrationInfo info, Exception failure) implements Outcome {
    }

    /** The incoming stream has arrived whole and the guest runs ({@code failure} null), or not. */
    record Arrived(Job job, Exception failure) implements Outcome {
    }

    /** The running configuration as a launch (a migration's target starts from it). */
    record Configuration(CompletableFuture<LaunchSpec> answer) implements Request {
    }

    /** The process ended (its exit callback). */
    record Exited(ProcessHandle process) implements Command {
    }

    /** The guest panicked (QEMU's GUEST_PANICKED or a panic seen on the console). */
    record Panicked(String detail) implements Command {
    }

    /** The guest powered itself off (QEMU's SHUTDOWN): its exit that follows is not a failure. */
    record PoweredOff() implements Command {
    }

    /** The guest was reset (QEMU's RESET): it boots again. */
    record Reset() implements Command {
    }

    /**
     * {@code paused}: an adopted process whose vCPUs an earlier daemon had stopped; {@code away}: an
     * adopted migration source whose stream had completed ({@link PartitionRunner#migratedAway}).
     */
    record Started(Job job, ProcessHandle process, boolean paused, boolean away) implements Outcome {
    }

    /** {@code process} is the one that was started but could not be attached to, else null. */
    record StartFailed(Job job, LaunchException cause, ProcessHandle process) implements Outcome {
    }

    record Booted(Job job, GuestFacts facts) implements Outcome {
    }

    record BootTimedOut(Job job) implements Outcome {
    }

    /** A DLPAR job ended: what the partition has now, or why the job failed. */
    record ResizeDone(Job job, Resized result, Exception failure) implements Outcome {
    }

    /** Every gentle stop step was tried and the process still runs. */
    record StopTimedOut(Job job) implements Outcome {
    }

    /** A job ended with nothing to report (a hard stop: its effect is the process's exit). */
    record Finished(Job job) implements Outcome {
    }
}
