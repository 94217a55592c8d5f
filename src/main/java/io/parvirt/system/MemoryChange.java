package io.parvirt.system;

import static io.parvirt.model.ModelException.Kind.GRANULARITY;
import static io.parvirt.model.ModelException.Kind.INSUFFICIENT_RESOURCES;
import static io.parvirt.model.ModelException.Kind.OUT_OF_RANGE;

import io.parvirt.model.Allocation;
import io.parvirt.model.ModelException;
import io.parvirt.model.Partition;

/**
 * Memory DLPAR on a running partition ({@code chhwres -r mem -o a|r -q MB}): checked whole
 * against the memory region size, the partition's running minimum and maximum and the system's
 * free memory; a rejected change alters nothing.
 */
public final class MemoryChange {
    private MemoryChange() {
    }

    /** The memory after adding ({@code add}) or removing {@code mb}, checked. */
    public static Allocation memory(Capacity cap, long lmbMb, Partition p, Allocation a, boolean add, long mb) {
        if (mb <= 0 || mb % lmbMb != 0) {
            throw new ModelException(GRANULARITY, "mem", "The value " + mb + " for -q is not a multiple of the "
                    + "memory region size (" + lmbMb + " MB): memory is added and removed in whole logical memory "
                    + "blocks.");
        }
        long next = add ? a.memMb() + mb : a.memMb() - mb;
        if (next < a.minMemMb()) {
            throw new ModelException(OUT_OF_RANGE, "mem", "The memory of partition " + p.name() + " would be " + next
                    + " MB, below its current minimum of " + a.minMemMb() + " MB (curr_min_mem); it has "
                    + a.memMb() + " MB.");
        }
        if (next > a.maxMemMb()) {
            throw new ModelException(OUT_OF_RANGE, "mem", "The memory of partition " + p.name() + " would be " + next
                    + " MB, above its current maximum of " + a.maxMemMb() + " MB (curr_max_mem); it has "
                    + a.memMb() + " MB. Change max_mem in the profile and reactivate to go higher.");
        }
        if (add && mb > cap.availMemMb()) {
            throw ModelException.of(INSUFFICIENT_RESOURCES, "There is not enough memory available to add " + mb
                    + " MB to partition " + p.name() + ": the managed system has " + cap.availMemMb()
                    + " MB available (curr_avail_sys_mem).");
        }
        return a.withMemMb(next);
    }
}
