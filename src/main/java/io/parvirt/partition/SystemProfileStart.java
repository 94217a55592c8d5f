package io.parvirt.partition;

import io.parvirt.model.LparEnv;
import io.parvirt.model.LparState;
import io.parvirt.model.ModelException;
import io.parvirt.model.Partition;
import io.parvirt.model.SystemDefinition;
import io.parvirt.model.SystemProfile;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The order in which partitions are started together (a system profile, or the auto_start
 * partitions at daemon start): every Virtual I/O Server first, in the order given, each waited
 * for until Running (its clients' disks are served only then); then the client partitions in the
 * order given. A VIOS that does not reach Running stops the start there: its clients would fail.
 */
final class SystemProfileStart {
    /** How long one VIOS gets to reach Running (its storage server starts in a few seconds). */
    static final Duration VIOS_WAIT = Duration.ofSeconds(60);

    /** One partition to start with the profile it starts with. */
    record Step(Partition partition, String profile) {
    }

    private SystemProfileStart() {
    }

    /** The members of {@code sp}, checked to exist, in start order. */
    static List<Step> steps(SystemDefinition def, SystemProfile sp) {
        List<Step> steps = new ArrayList<>();
        for (SystemProfile.Member m : sp.members()) {
            Partition p = def.partition(m.lparId()).orElseThrow(() -> ModelException.of(
                    ModelException.Kind.INVALID_REFERENCE, "The partition with ID " + m.lparId() + " of system "
                    + "profile " + sp.name() + " no longer exists."));
            if (def.profile(p.id(), m.profile()).isEmpty()) {
                throw ModelException.of(ModelException.Kind.PROFILE_NOT_FOUND, "The profile " + m.profile()
                        + " of partition " + p.name() + " in system profile " + sp.name() + " was not found.");
            }
            steps.add(new Step(p, m.profile()));
        }
        return ordered(steps);
    }

    /** VIOSes first, each group in the order given. */
    static List<Step> ordered(List<Step> steps) {
        List<Step> out = new ArrayList<>(steps.stream().filter(s -> s.partition().env() == LparEnv.VIOSERVER)
                .toList());
        out.addAll(steps.stream().filter(s -> s.partition().env() != LparEnv.VIOSERVER).toList());
        return out;
    }

    /** Waits until {@code p} is Running; refused when it ends or errs first, or the wait runs out. */
    static void awaitRunning(Partition p, IntFunction<LparState> state, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            LparState st = state.apply(p.id());
            if (st == LparState.RUNNING) {
                return;
            }
            if (st == LparState.ERROR || st == LparState.NOT_ACTIVATED || System.nanoTime() > deadline) {
                throw ModelException.ofPartition(ModelException.Kind.INVALID_STATE, p.name(), "The Virtual I/O Server "
                        + p.name() + " did not reach Running (it is " + st.hmcName() + "): its client partitions "
                        + "were not started.");
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw ModelException.of(ModelException.Kind.INVALID_STATE, "Interrupted while waiting for "
                        + p.name() + " to reach Running.");
            }
        }
    }
}
