package io.parvirt.partition;

import io.parvirt.model.ModelException;
import io.parvirt.model.Partition;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The operations that must not overlap on one partition (issue 19): a snapshot taken or reverted
 * and a DLPAR change. A DLPAR during a snapshot would give the guest resources its memory state
 * does not have, or a revert would stop the QEMU the DLPAR is plugging into; a snapshot during a
 * DLPAR would record a machine half-way between two configurations. The second one is refused,
 * naming the first; a refusal changes nothing because it comes before anything else.
 */
final class PartitionActivity {
    private final Map<Integer, String> running = new HashMap<>();

    /** One marked operation; closing it unmarks the partitions. */
    interface Mark extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Marks {@code what} (e.g. "a DLPAR change") in progress on every partition of {@code ps}, or
     * refuses with "The partition P has X in progress: {@code refused}." when one has another.
     */
    synchronized Mark begin(List<Partition> ps, String what, String refused) {
        for (Partition p : ps) {
            String other = running.get(p.id());
            if (other != null) {
                throw ModelException.ofPartition(ModelException.Kind.INVALID_STATE, p.name(), "The partition "
                        + p.name() + " has " + other + " in progress: " + refused + ".");
            }
        }
        ps.forEach(p -> running.put(p.id(), what));
        return () -> {
            synchronized (PartitionActivity.this) {
                ps.forEach(p -> running.remove(p.id(), what));
            }
        };
    }

    Mark begin(Partition p, String what, String refused) {
        return begin(List.of(p), what, refused);
    }

    /** The operation marked on {@code lparId}, if any. */
    synchronized Optional<String> of(int lparId) {
        return Optional.ofNullable(running.get(lparId));
    }
}
