package io.parvirt.partition;

import io.parvirt.model.AttributeInput;
import io.parvirt.model.Partition;
import io.parvirt.model.ProcUnits;
import io.parvirt.model.SharedProcessorPool;
import io.parvirt.system.ProcessorChange;
import java.util.List;

/** A processor DLPAR change of a running partition ({@code chhwres -r proc}, {@code -r procpool -p}). */
public sealed interface ProcessorRequest {
    /** {@code -o a|r|s --procunits N}: entitlement added, removed or set. */
    record Units(ProcessorChange.Op op, ProcUnits units) implements ProcessorRequest {
    }

    /**
     * {@code -o a|r --procs N}: virtual processors (shared) or dedicated cores added or removed,
     * hot-plugged and brought online (or taken offline) in the guest within {@code timeout} ({@code -w}).
     */
    record Procs(ProcessorChange.Op op, int procs, java.time.Duration timeout) implements ProcessorRequest {
    }

    /**
     * {@code -o s --procs N [--procunits X]}: the partition's processors (and entitlement; null: as
     * it is) set to these counts, in whichever order keeps each step valid.
     */
    record SetProcs(int procs, ProcUnits units, java.time.Duration timeout) implements ProcessorRequest {
    }

    /** {@code -o m -t TARGET --procs N}: processors taken from this partition and given to another. */
    record MoveProcs(Partition target, int procs, java.time.Duration timeout) implements ProcessorRequest {
    }

    /** {@code -o m -t TARGET --procunits N}: entitlement moved to another running partition. */
    record MoveUnits(Partition target, ProcUnits units) implements ProcessorRequest {
    }

    /** {@code -o s -a "uncap_weight=…,sharing_mode=…,shared_proc_pool_…"}. */
    record Attributes(List<AttributeInput.Assignment> attributes) implements ProcessorRequest {
        public Attributes {
            attributes = List.copyOf(attributes);
        }

        /** As the user wrote them, for the event log. */
        public String text() {
            return String.join(",", attributes.stream().map(a -> a.name() + switch (a.op()) {
                case SET -> "=";
                case ADD -> "+=";
                case REMOVE -> "-=";
            } + a.value()).toList());
        }
    }

    /** {@code chhwres -r procpool -o s -p LPAR --poolname P}: the partition moves to another pool. */
    record Pool(SharedProcessorPool pool) implements ProcessorRequest {
    }
}
