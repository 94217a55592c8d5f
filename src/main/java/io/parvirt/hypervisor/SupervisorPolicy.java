package io.parvirt.hypervisor;

import io.parvirt.hypervisor.qga.GuestAgent;
import io.parvirt.hypervisor.qmp.Qmp;
import io.parvirt.model.LparState;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lifecycle rules of one partition, run only on its supervisor's thread: which command does
 * what in which state, which job runs, what a job's outcome and the process's reports change, and
 * which reference code is shown. No locks: nothing here is touched by another thread.
 */
final class SupervisorPolicy {
    private static final Logger LOG = LoggerFactory.getLogger(SupervisorPolicy.class);

    private final PartitionSupervisor s;
    private final PartitionRunner runner;
    /** Commands waiting for the current job: all while launching, requests while hard-stopping, restarts behind a delayed shutdown. */
    private final ArrayDeque<Command> deferred = new ArrayDeque<>();
    /** Answers completed when the partition ends (shutdowns). */
    private final List<CompletableFuture<Void>> onEnd = new ArrayList<>();
    /** Answered once the process is up (the activation or adoption that asked for it). */
    private CompletableFuture<Void> starting;
    private Job job;
    /** The answer of the DLPAR job running, if one is. */
    private CompletableFuture<Resized> resizing;
    private boolean ended;
    private boolean consoleListened;
    /** Asked to stop, or the guest powered itself off: the process's exit is no failure. */
    private boolean cleanShutdown;
    /** The process whose end has been handled (seen by the hard stop or reported by its exit callback). */
    private ProcessHandle exitHandled;
    /** A storage server being restarted: its exit is followed by a new launch, not the end. */
    private boolean restarting;
    /** The answer of the migration stream being sent, if one is. */
    private CompletableFuture<Qmp.MigrationInfo> migrating;
    /** A migration's target: the host to listen on and who learns the port, until the stream is received. */
    private Command.Receive receiving;
    /**
     * The state while a stream is sent or received: Migrating - Running for mobility, Suspending or
     * Resuming for a saved state file.
     */
    private LparState streaming = LparState.MIGRATING_RUNNING;
    /** What a clean end leaves: Not Activated, or Suspended once the saved state is complete. */
    private LparState endState = LparState.NOT_ACTIVATED;

    SupervisorPolicy(PartitionSupervisor s) {
        this.s = s;
        this.runner = s.runner();
    }

    boolean ended() {
        return ended;
    }

    List<Command> deferred() {
        return List.copyOf(deferred);
    }

    void handle(Command c) {
        Job before = job;
        dispatch(c);
        if (job != before && !ended) {
            // What waited for the job that just changed gets its turn, in arrival order, once.
            for (int n = deferred.size(); n > 0 && !ended; n--) {
                dispatch(deferred.poll());
            }
        }
    }

    private void dispatch(Command c) {
        switch (c) {
            case Command.Outcome o when o.job() != job -> LOG.debug("stale outcome {} of a cancelled job", o);
            case Command.Outcome o -> outcome(o);
            case Command.Exited e -> exited(e.process());
            case Command.Leave l -> leave(l);
            case Command c2 when job != null && job.kind() == Job.Kind.LAUNCH -> deferred.add(c2);
            case Command.Request r when job != null && job.kind() == Job.Kind.HARD_STOP -> deferred.add(r);
            // A DLPAR and a delayed shutdown, a restart or another DLPAR never interleave: they wait
            // for it. An immediate shutdown pre-empts it (below).
            case Command.Resize r when dlparRunning() -> deferred.add(r);
            case Command.Replug r when dlparRunning() -> deferred.add(r);
            case Command.Measure m when dlparRunning() -> deferred.add(m);
            case Command.Restart r when dlparRunning() -> deferred.add(r);
            case Command.Shutdown sd when dlparRunning() && !sd.immediate() -> deferred.add(sd);
            case Command.Pause p when dlparRunning() -> deferred.add(p);
            case Command.Activate a -> launch(null, a.answer());
            case Command.Receive r -> {
                receiving = r;
                streaming = r.resuming() ? LparState.RESUMING : LparState.MIGRATING_RUNNING;
                s.move(null, streaming, RefCode.NONE, r.resuming() ? "resuming from its saved state"
                        : "receiving a live migration");
                launch(null, null);
            }
            case Command.Migrate m -> migrate(m);
            case Command.CancelMigration cm -> cancelMigration(cm);
            case Command.EndMigration e -> endMigration(e);
            case Command.Configuration cf -> Thread.ofVirtual().start(() -> {
                try {
                    cf.answer().complete(runner.migration().current(s.spec()));
                } catch (IOException | RuntimeException e) {
                    cf.answer().completeExceptionally(e);
                }
            });
            case Command.Adopt a -> launch(a.process(), a.answer());
            case Command.Shutdown sd -> shutdown(sd);
            case Command.Restart r -> restart(r);
            case Command.ReloadStorage r -> r.answer().complete(s.process() != null && runner.reload(s.process()));
            case Command.ChangeAllocation a -> {
                s.allocation(a.allocation());
                a.answer().complete(null);
            }
            case Command.Resize r -> resize(r);
            case Command.Replug r -> replug(r);
            case Command.Measure m -> measure(m);
            case Command.Exec e -> exec(e);
            case Command.Pause p -> pause(p);
            case Command.Monitor m -> monitor(m);
            case Command.Panicked p -> panicked(p.detail());
            case Command.PoweredOff p -> cleanShutdown = true;
            case Command.Reset r -> reset();
        }
    }

    private void outcome(Command.Outcome o) {
        job = null;
        switch (o) {
            case Command.Started st -> started(st.process(), st.paused(), st.away());
            case Command.StartFailed f -> startFailed(f);
            case Command.Booted b -> {
                s.agentActive(true, b.facts());
                s.move(LparState.STARTING, LparState.RUNNING, RefCode.NONE, ""); // a migration's target already is
            }
            case Command.Migrated m -> migrated(m);
            case Command.Arrived a -> arrived(a);
            case Command.BootTimedOut t when s.state() == LparState.RUNNING ->
                    // Only after a migration's arrival: the guest runs; only its agent is silent.
                    LOG.warn("partition {}: its guest agent did not answer within {} s after the migration",
                            s.spec().name(), s.bootTimeout().toSeconds());
            case Command.BootTimedOut t -> {
                s.fail(RefCode.BOOT_TIMEOUT, "no answer from the guest agent within " + s.bootTimeout().toSeconds()
                        + " s");
                hardStop();
            }
            case Command.StopTimedOut t -> hardStop();
            case Command.Finished f -> {
                // The hard stop saw the process end; its Exited report may still be behind this one,
                // and what waited for the job must find the partition ended, not Shutting Down.
                ProcessHandle p = s.process();
                if (p != null && !p.isAlive()) {
                    exited(p);
                }
            }
            case Command.ResizeDone d -> resized(d);
        }
    }

    private boolean dlparRunning() {
        return job != null && job.kind() == Job.Kind.DLPAR;
    }

    // DLPAR

    /** Only a Running partition whose agent answers can take a DLPAR: the guest must bring it online. */
    private void resize(Command.Resize r) {
        if (!runner.bootsWithAgent()) {
            r.answer().completeExceptionally(new UnsupportedOperationException("partition " + s.spec().name()
                    + " is a Virtual I/O Server: its storage server has no processors or memory to change live"));
            return;
        }
        if (s.paused()) {
            r.answer().completeExceptionally(pausedRefusal());
            return;
        }
        if (s.state() != LparState.RUNNING || !s.agentActive()) {
            r.answer().completeExceptionally(new IllegalStateException("partition " + s.spec().name() + " is "
                    + s.state().hmcName() + (s.state() == LparState.RUNNING ? " but its guest agent is not answering"
                    : "")));
            return;
        }
        resizing = r.answer();
        job = SupervisorJobs.resize(s, r.want());
    }

    /**
     * Adapter DLPAR: only on a Running partition, and with its agent answering when the guest must
     * take part; the same job kind as a resize, so the same ordering rules hold.
     */
    private void replug(Command.Replug r) {
        if (!runner.bootsWithAgent()) {
            r.answer().completeExceptionally(new UnsupportedOperationException("partition " + s.spec().name()
                    + " is a Virtual I/O Server: its storage server has no virtual adapters to change live"));
            return;
        }
        if (s.state() != LparState.RUNNING || (r.needsAgent() && !s.agentActive())) {
            r.answer().completeExceptionally(new IllegalStateException("partition " + s.spec().name() + " is "
                    + s.state().hmcName() + (s.state() == LparState.RUNNING ? " but its guest agent is not answering"
                    : "")));
            return;
        }
        resizing = r.answer();
        job = SupervisorJobs.replug(s, r.before(), r.after(), r.timeout());
    }

    /** A read of the monitor and the agent, beside the mailbox; only while the agent answers. */
    private void measure(Command.Measure m) {
        if (!runner.bootsWithAgent() || !s.agentActive() || s.paused()) {
            m.answer().completeExceptionally(new IllegalStateException("partition " + s.spec().name()
                    + " has no guest agent answering"));
            return;
        }
        Thread.ofVirtual().start(() -> {
            try {
                m.answer().complete(runner.current());
            } catch (IOException | RuntimeException e) {
                m.answer().completeExceptionally(e);
            }
        });
    }

    private void resized(Command.ResizeDone d) {
        CompletableFuture<Resized> answer = resizing;
        resizing = null;
        if (d.failure() != null) {
            answer.completeExceptionally(d.failure());
        } else {
            answer.complete(d.result());
        }
    }

    // Starting

    /** Launches (or, given a process, adopts) on a job; nothing else is handled until it reports. */
    private void launch(ProcessHandle adopted, CompletableFuture<Void> answer) {
        starting = answer;
        job = SupervisorJobs.launch(s, adopted);
    }

    private void started(ProcessHandle p, boolean paused, boolean away) {
        follow(p);
        boolean relaunch = restarting;
        restarting = false;
        if (!relaunch && !consoleReady()) {
            if (starting != null) {
                starting.completeExceptionally(new LaunchException(RefCode.LAUNCH_INVALID, "no console"));
            }
            hardStop();
            return;
        }
        if (starting != null) {
            starting.complete(null);
        }
        if (receiving != null) {
            job = SupervisorJobs.receive(s, receiving.uri(), receiving.key(), receiving.beforeRun(),
                    receiving.answer());
        } else if (away) {
            // A migration source whose stream completed while no daemon was here to hear the
            // destination: its guest may run there, so it stays stopped, Migrating - Running, until
            // the migration is settled (endMigration: reclaimed, or resumed when the destination has
            // no running copy). Its agent had answered before the stream.
            s.agentActive(true, null);
            s.move(LparState.STARTING, streaming, RefCode.NONE, "adopted after its migration's stream completed");
        } else if (paused) {
            // Left paused by an earlier daemon: it was Running (its agent had answered) and stays
            // paused; a boot wait would time out on an agent that cannot answer until it resumes.
            s.paused(true);
            s.agentActive(true, null);
            s.move(LparState.STARTING, LparState.RUNNING, RefCode.NONE, "adopted paused");
        } else if (runner.bootsWithAgent()) {
            awaitBoot();
        } else {
            s.move(LparState.STARTING, LparState.RUNNING, RefCode.NONE, "");
        }
    }

    /** The console carries over a storage server's restart, reconnecting by itself. */
    private boolean consoleReady() {
        if (!consoleListened) {
            consoleListened = true;
            s.listenToConsole();
        }
        return s.startConsole();
    }

    private void follow(ProcessHandle p) {
        s.process(p);
        s.placement().join(p.pid());
        p.onExit().thenRun(() -> s.post(new Command.Exited(p)));
    }

    private void startFailed(Command.StartFailed f) {
        s.fail(f.cause().refCode(), f.cause().getMessage());
        if (starting != null) {
            starting.completeExceptionally(f.cause());
        }
        if (f.process() != null) {
            // Up but not controllable: stopped rather than left running unsupervised.
            follow(f.process());
            hardStop();
        } else {
            s.release();
            end();
        }
    }

    /** Running once the agent answers; the wait is a job so that a shutdown or a reset can cut it short. */
    private void awaitBoot() {
        job = SupervisorJobs.bootWait(s, System.nanoTime() + s.bootTimeout().toNanos());
    }

    private void reset() {
        LparState st = s.state();
        if (runner.bootsWithAgent() && (st == LparState.RUNNING || st == LparState.STARTING)) {
            cancelJob();
            s.agentActive(false, null);
            s.move(st, LparState.STARTING, RefCode.STARTING, "guest reset");
            awaitBoot();
        }
    }

    // Stopping

    private void shutdown(Command.Shutdown sd) {
        onEnd.add(sd.answer());
        LparState st = s.state();
        if (st == LparState.ERROR) {
            // Its process may still be going: stopped, and the partition ends (cleared by the hypervisor).
            hardStop();
        } else if (st == LparState.SHUTTING_DOWN) {
            if (sd.immediate() && job != null && job.kind() == Job.Kind.STOP) {
                hardStop(); // pre-empts the delayed shutdown in progress
            }
        } else {
            cleanShutdown = true;
            restarting = false;
            if (!sd.immediate()) {
                resumeToStop(); // a stopped guest can hear neither its agent nor the power button
            }
            s.move(st, LparState.SHUTTING_DOWN, RefCode.SHUTTING_DOWN, sd.immediate() ? "immediate" : "delayed");
            if (sd.immediate()) {
                hardStop();
            } else {
                gentleStop(sd.timeout());
            }
        }
        sd.accepted().complete(null);
    }

    private void gentleStop(Duration timeout) {
        cancelJob();
        job = SupervisorJobs.gentleStop(s, s.process(), timeout);
    }

    /** The last word: the process is asked to end at once, and killed when it does not. */
    private void hardStop() {
        if (job != null && job.kind() == Job.Kind.HARD_STOP) {
            return;
        }
        cancelJob();
        job = SupervisorJobs.hardStop(s, s.process());
    }

    private void panicked(String detail) {
        LparState st = s.state();
        if (st != LparState.ERROR && st != LparState.NOT_ACTIVATED) {
            s.fail(RefCode.GUEST_PANIC, detail);
            hardStop();
        }
    }

    private void exited(ProcessHandle p) {
        if (p != s.process() || p == exitHandled) {
            return; // a storage server replaced by its restart, or an exit already seen by the hard stop
        }
        exitHandled = p;
        cancelJob();
        if (restarting && s.state() == LparState.STARTING) {
            launch(null, null);
            return;
        }
        // Resources first, state after: once the partition shows as ended it can be activated
        // again, and that must not find its run directory being deleted.
        s.release();
        if (s.state() != LparState.ERROR) {
            if (cleanShutdown) {
                s.move(null, endState, RefCode.NONE, endState == LparState.SUSPENDED ? "its state is saved" : "");
            } else {
                LaunchException why = runner.exitedUnexpectedly(p);
                s.fail(why.refCode(), why.getMessage());
            }
        }
        end();
    }

    /**
     * The daemon stops (issue 17): QEMU's monitor takes one client at a time, so a daemon that
     * stopped in a process that lives on (tests run daemons in one JVM) kept its successor from
     * re-adopting the partition; the process is left as it is, nothing is released.
     */
    private void leave(Command.Leave l) {
        cancelJob();
        s.letGo();
        ended = true;
        l.answer().complete(null);
    }

    private void end() {
        ended = true;
        s.arrived(new IOException("partition " + s.spec().name() + " ended before the migration arrived"));
        if (receiving != null) {
            receiving.answer().completeExceptionally(new LaunchException(RefCode.QEMU_FAILED, "partition "
                    + s.spec().name() + " ended before it could receive the migration"));
        }
        s.listener().ended(s);
        onEnd.forEach(f -> f.complete(null));
    }

    private void cancelJob() {
        if (job != null) {
            job.cancel();
            job = null;
        }
        if (migrating != null) {
            migrating.completeExceptionally(new java.util.concurrent.CancellationException("partition "
                    + s.spec().name() + " is shutting down: the migration was stopped"));
            migrating = null;
        }
        if (resizing != null) {
            // Wrapped, so that the caller's get() reports it as the DLPAR's failure, not as its own cancellation.
            resizing.completeExceptionally(new java.util.concurrent.CompletionException(
                    new java.util.concurrent.CancellationException("partition " + s.spec().name()
                            + " is shutting down or restarting: the DLPAR was stopped where it was")));
            resizing = null;
        }
    }

    // Live migration (issue 14; the steps in QemuMigration)

    /** Only a Running QEMU guest moves; its state is Migrating - Running until the stream is over. */
    private void migrate(Command.Migrate m) {
        if (s.paused()) {
            // The target would run a guest its user paused here; resuming is theirs to decide.
            m.answer().completeExceptionally(pausedRefusal());
            return;
        }
        if (!runner.bootsWithAgent() || s.state() != LparState.RUNNING || job != null) {
            m.answer().completeExceptionally(new IllegalStateException("partition " + s.spec().name() + " is "
                    + s.state().hmcName() + (job != null ? " and busy (" + job + ")" : "")
                    + ": only a running guest with nothing else in progress can be migrated"));
            return;
        }
        migrating = m.answer();
        streaming = m.suspend() ? LparState.SUSPENDING : LparState.MIGRATING_RUNNING;
        s.move(LparState.RUNNING, streaming, RefCode.NONE, m.suspend() ? "saving its state"
                : "migrating to " + m.order().uri());
        job = SupervisorJobs.migrate(s, m.order());
    }

    /** The stream job is interrupted but keeps its place: it reports once QEMU says the stream is over. */
    private void cancelMigration(Command.CancelMigration c) {
        if (job == null || job.kind() != Job.Kind.MIGRATE) {
            c.answer().completeExceptionally(new IllegalStateException("partition " + s.spec().name()
                    + " has no migration stream in flight"));
            return;
        }
        job.cancel();
        c.answer().complete(null);
    }

    private void migrated(Command.Migrated m) {
        CompletableFuture<Qmp.MigrationInfo> answer = migrating;
        migrating = null;
        if (m.failure() == null && m.info().status().equals("completed")) {
            answer.complete(m.info()); // paused here until the target is known to run it
            return;
        }
        // Failed or stopped before completion: QEMU keeps (or restarts) the guest here.
        s.move(streaming, LparState.RUNNING, RefCode.NONE, "");
        answer.completeExceptionally(m.failure() != null ? m.failure() : new IOException("the migration stream "
                + m.info().status() + (m.info().error().isEmpty() ? "" : ": " + m.info().error())));
    }

    private void endMigration(Command.EndMigration e) {
        if (s.state() != streaming || streaming == LparState.RESUMING || job != null) {
            e.answer().completeExceptionally(new IllegalStateException("partition " + s.spec().name()
                    + " has no completed migration to end"));
            return;
        }
        if (!e.resumeHere()) {
            cleanShutdown = true;
            endState = streaming == LparState.SUSPENDING ? LparState.SUSPENDED : LparState.NOT_ACTIVATED;
            onEnd.add(e.answer());
            hardStop();
            return;
        }
        Thread.ofVirtual().start(() -> {
            try {
                runner.migration().resume();
                e.answer().complete(null);
            } catch (IOException | RuntimeException ex) {
                e.answer().completeExceptionally(ex);
            }
        });
        s.move(streaming, LparState.RUNNING, RefCode.NONE, streaming == LparState.SUSPENDING
                ? "its state could not be saved" : "resumed after the target failed");
    }

    /**
     * Target: the stream arrived and the guest runs, so the partition is Running here at once (its
     * users are back); its agent is looked for as after a boot, but a late answer fails nothing.
     */
    private void arrived(Command.Arrived a) {
        receiving = null;
        if (a.failure() != null) {
            s.fail(RefCode.QEMU_FAILED, (streaming == LparState.RESUMING ? "the resume from its saved state failed: "
                    : "the incoming migration failed: ") + a.failure().getMessage());
            s.arrived(a.failure());
            hardStop();
            return;
        }
        s.move(streaming, LparState.RUNNING, RefCode.NONE, "");
        s.arrived(null);
        awaitBoot();
    }

    // Pause and resume

    /**
     * QMP {@code stop}/{@code cont} on the owner's thread: one quick monitor command, and doing it
     * here is what keeps it from interleaving with a shutdown, a restart or a DLPAR (they wait in
     * the mailbox behind it, or it waits behind a DLPAR job).
     */
    private void pause(Command.Pause p) {
        LparState st = s.state();
        if (!runner.bootsWithAgent()) {
            p.answer().completeExceptionally(new UnsupportedOperationException("partition " + s.spec().name()
                    + " is a Virtual I/O Server: pausing it would stop its clients' disks"));
            return;
        }
        if (st != LparState.RUNNING || p.pause() == s.paused()) {
            p.answer().completeExceptionally(new IllegalStateException("partition " + s.spec().name() + " is "
                    + (s.paused() ? "paused" : st.hmcName()) + (p.pause() ? ": only a running partition can be paused"
                    : ": only a paused partition can be resumed")));
            return;
        }
        try {
            runner.pause(p.pause());
            s.paused(p.pause());
            p.answer().complete(null);
        } catch (IOException | RuntimeException e) {
            p.answer().completeExceptionally(e);
        }
    }

    /** A monitor call on the owner's thread, so that it never interleaves with a stop or a migration. */
    private void monitor(Command.Monitor m) {
        LparState st = s.state();
        if (st != LparState.RUNNING) {
            m.answer().completeExceptionally(new IllegalStateException("partition " + s.spec().name() + " is "
                    + st.hmcName() + ": only a running partition's disks can be copied"));
            return;
        }
        try {
            m.answer().complete(runner.monitor(m.call()));
        } catch (IOException | RuntimeException e) {
            m.answer().completeExceptionally(e);
        }
    }

    /** A stop or restart of a paused partition lets its processors go on first. */
    private void resumeToStop() {
        if (s.paused()) {
            try {
                runner.pause(false);
                s.paused(false);
            } catch (IOException | RuntimeException e) {
                LOG.warn("partition {}: not resumed before being stopped: {}", s.spec().name(), e.getMessage());
            }
        }
    }

    private IllegalStateException pausedRefusal() {
        return new IllegalStateException("partition " + s.spec().name() + " is paused: resume it first");
    }

    // Requests that do not change the lifecycle

    private void restart(Command.Restart r) {
        LparState st = s.state();
        if (st == LparState.SHUTTING_DOWN && job != null && job.kind() == Job.Kind.STOP) {
            deferred.add(r); // behind the shutdown in progress, whose end then refuses it
            return;
        }
        if (st != LparState.RUNNING && st != LparState.STARTING) {
            r.answer().completeExceptionally(new IllegalStateException("partition " + s.spec().name() + " is "
                    + st.hmcName() + ": only a running partition can be restarted"));
            return;
        }
        resumeToStop(); // a reset of a stopped VM leaves it stopped, and a paused OS cannot reboot itself
        if (runner.restartRelaunches()) {
            restarting = true;
            s.move(st, LparState.STARTING, runner.startingRefCode(), "restart");
            hardStop();
            r.answer().complete(null);
            return;
        }
        // The reset's effect comes back as QEMU's RESET event; the call itself only waits on I/O.
        boolean agentUp = s.agentActive();
        Thread.ofVirtual().start(() -> {
            try {
                runner.reboot(r.immediate(), agentUp);
                r.answer().complete(null);
            } catch (IOException | RuntimeException e) {
                r.answer().completeExceptionally(e);
            }
        });
    }

    /** The policy is whether the agent may be asked; the exchange itself runs beside the mailbox. */
    private void exec(Command.Exec e) {
        if (s.paused()) {
            e.answer().completeExceptionally(pausedRefusal());
            return;
        }
        if (!s.agentActive()) {
            e.answer().completeExceptionally(new IllegalStateException("partition " + s.spec().name() + " is "
                    + s.state().hmcName() + ": its guest agent is not answering"));
            return;
        }
        GuestAgent agent = runner.agent();
        Thread.ofVirtual().start(() -> {
            try {
                e.answer().complete(agent.exec(e.path(), e.args(), e.timeout()));
            } catch (IOException ex) {
                e.answer().completeExceptionally(ex);
            }
        });
    }
}
