package io.parvirt.hypervisor;

import io.parvirt.hypervisor.qga.GuestAgent;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bodies of a supervisor's long operations. Each runs on its {@link Job}'s thread, may block,
 * changes no state and reports its outcome through the supervisor's mailbox; the policy decides
 * which to start and what its outcome means.
 */
final class SupervisorJobs {
    private static final Logger LOG = LoggerFactory.getLogger(SupervisorJobs.class);

    private SupervisorJobs() {
    }

    /** Launches the process (or takes {@code adopted}) and attaches to it: {@link Command.Started} or a failure. */
    static Job launch(PartitionSupervisor s, ProcessHandle adopted) {
        PartitionRunner runner = s.runner();
        return Job.start(Job.Kind.LAUNCH, "lpar-" + s.lparId(), j -> {
            ProcessHandle p = adopted;
            try {
                if (p == null) {
                    p = runner.launch();
                }
                runner.attach(p, s::post);
                // Only an adopted process can be paused: this daemon starts none stopped.
                boolean away = adopted != null && runner.migratedAway();
                s.post(new Command.Started(j, p, !away && adopted != null && runner.paused(), away));
            } catch (LaunchException e) {
                // An adopted process that is gone ended on its own: not a start that failed (issue 17).
                boolean gone = adopted != null && !adopted.isAlive();
                s.post(new Command.StartFailed(j, gone ? runner.endedAfterAdoption(adopted) : e, p));
            }
        });
    }

    /** Pings the agent until it answers ({@link Command.Booted}) or {@code deadline} (nanoTime) passes. */
    static Job bootWait(PartitionSupervisor s, long deadline) {
        PartitionRunner runner = s.runner();
        GuestAgent agent = runner.agent();
        return Job.start(Job.Kind.BOOT, "lpar-" + s.lparId(), j -> {
            while (!Thread.currentThread().isInterrupted()) {
                if (agent.ping(PartitionSupervisor.AGENT_PING)) {
                    s.post(new Command.Booted(j, runner.facts()));
                    return;
                }
                if (System.nanoTime() > deadline) {
                    s.post(new Command.BootTimedOut(j));
                    return;
                }
                try {
                    Thread.sleep(250);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    /** Brings processors and memory to {@code want} within its timeout: {@link Command.ResizeDone}. */
    static Job resize(PartitionSupervisor s, Resize want) {
        long deadline = System.nanoTime() + want.timeout().toNanos();
        return Job.start(Job.Kind.DLPAR, "lpar-" + s.lparId(), j -> {
            try {
                s.post(new Command.ResizeDone(j, s.runner().resize(want, deadline), null));
            } catch (InterruptedException e) {
                // cancelled: the shutdown that pre-empted it answers the caller
            } catch (IOException | RuntimeException e) {
                s.post(new Command.ResizeDone(j, null, e));
            }
        });
    }

    /** Streams the partition to the target: {@link Command.Migrated}, also when interrupted (stopped). */
    static Job migrate(PartitionSupervisor s, MigrationOrder order) {
        return Job.start(Job.Kind.MIGRATE, "lpar-" + s.lparId(), j -> {
            try {
                s.post(new Command.Migrated(j, s.runner().migration().send(order), null));
            } catch (IOException | RuntimeException e) {
                s.post(new Command.Migrated(j, null, e));
            }
        });
    }

    /** Listens for the stream (the port goes to {@code listening}) and waits for it: {@link Command.Arrived}. */
    static Job receive(PartitionSupervisor s, String uri, StreamKey key, Runnable beforeRun,
            java.util.concurrent.CompletableFuture<Integer> listening) {
        return Job.start(Job.Kind.RECEIVE, "lpar-" + s.lparId(), j -> {
            try {
                s.runner().migration().receive(uri, key, beforeRun, listening::complete);
                s.post(new Command.Arrived(j, null));
            } catch (InterruptedException e) {
                listening.completeExceptionally(new IOException("the incoming migration was stopped"));
            } catch (IOException | RuntimeException e) {
                listening.completeExceptionally(e);
                s.post(new Command.Arrived(j, e));
            }
        });
    }

    /** Brings the machine's adapters from {@code before}'s to {@code after}'s: {@link Command.ResizeDone} (no result). */
    static Job replug(PartitionSupervisor s, LaunchSpec before, LaunchSpec after, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        return Job.start(Job.Kind.DLPAR, "lpar-" + s.lparId(), j -> {
            try {
                s.runner().replug(before, after, deadline);
                s.post(new Command.ResizeDone(j, null, null));
            } catch (InterruptedException e) {
                // cancelled: the shutdown that pre-empted it answers the caller
            } catch (IOException | RuntimeException e) {
                s.post(new Command.ResizeDone(j, null, e));
            }
        });
    }

    /** Each gentle step in turn with its share of {@code timeout}; then {@link Command.StopTimedOut}. */
    static Job gentleStop(PartitionSupervisor s, ProcessHandle p, Duration timeout) {
        List<PartitionRunner.StopStep> steps = s.runner().stopSteps(p);
        long share = timeout.toNanos() / steps.size();
        return Job.start(Job.Kind.STOP, "lpar-" + s.lparId(), j -> {
            for (PartitionRunner.StopStep step : steps) {
                // A step that hangs (a silent agent or monitor) must not hold up the next one.
                Thread t = Thread.ofVirtual().start(() -> runStep(s, step));
                try {
                    if (waitExit(p, share)) {
                        return; // the exit callback reports it
                    }
                } catch (InterruptedException e) {
                    return; // cancelled: an immediate shutdown took over
                } finally {
                    t.interrupt();
                }
            }
            s.post(new Command.StopTimedOut(j));
        });
    }

    private static void runStep(PartitionSupervisor s, PartitionRunner.StopStep step) {
        try {
            LOG.info("partition {}: stopping: {}", s.spec().name(), step.name());
            step.action().run();
        } catch (IOException e) {
            LOG.info("partition {}: {} failed: {}", s.spec().name(), step.name(), e.getMessage());
        }
    }

    /**
     * Asks the process to end at once and kills it when it has not after
     * {@link PartitionRunner#KILL_AFTER}, or at once when it cannot even be asked; then
     * {@link Command.Finished}.
     */
    static Job hardStop(PartitionSupervisor s, ProcessHandle p) {
        return Job.start(Job.Kind.HARD_STOP, "lpar-" + s.lparId(), j -> {
            Thread t = Thread.ofVirtual().start(() -> {
                try {
                    s.runner().stopNow(p);
                } catch (IOException e) {
                    // No monitor to ask (or it closed as QEMU quit): nothing gentler is left.
                    p.destroyForcibly();
                }
            });
            try {
                if (!waitExit(p, PartitionRunner.KILL_AFTER.toNanos())) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
            } finally {
                t.interrupt();
            }
            s.post(new Command.Finished(j));
        });
    }

    static boolean waitExit(ProcessHandle p, long nanos) throws InterruptedException {
        try {
            p.onExit().get(nanos, TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException | ExecutionException e) {
            return !p.isAlive();
        }
    }
}
