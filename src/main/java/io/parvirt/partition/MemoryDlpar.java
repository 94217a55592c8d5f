package io.parvirt.partition;

import io.parvirt.model.Allocation;
import io.parvirt.model.ModelException;
import io.parvirt.model.Partition;
import io.parvirt.model.ProcUnits;
import io.parvirt.system.Capacity;
import io.parvirt.system.ManagedSystem;
import io.parvirt.system.MemoryChange;

/**
 * Memory DLPAR of running partitions ({@code chhwres -r mem}): each change checked whole by
 * {@link MemoryChange}, then carried out through the partition's virtio-mem device and confirmed
 * by the guest (see {@code hypervisor.GuestHotplug}).
 */
final class MemoryDlpar {
    private final ManagedSystem sys;
    private final GuestDlpar guest;

    MemoryDlpar(ManagedSystem sys, GuestDlpar guest) {
        this.sys = sys;
        this.guest = guest;
    }

    void change(Partition p, MemoryRequest request, String user) {
        long lmb = sys.definition().lmbMb();
        switch (request) {
            case MemoryRequest.Change c -> guest.run(p, a -> MemoryChange.memory(sys.capacity(), lmb, p, a, c.add(),
                    c.mb()), c.timeout(), user, (c.add() ? "added " : "removed ") + c.mb() + " MB of memory");
            case MemoryRequest.Move m -> move(p, m, lmb, user);
        }
    }

    /**
     * {@code -o m}: both sides are checked first (the target as if the memory were already free);
     * the source's guest releases it, then the target's takes it. If the target fails, the source
     * gets the memory back.
     */
    private void move(Partition from, MemoryRequest.Move m, long lmb, String user) {
        Partition to = m.target();
        Allocation a = guest.running(from);
        Allocation b = guest.running(to);
        Capacity cap = sys.capacity();
        MemoryChange.memory(cap, lmb, from, a, false, m.mb());
        MemoryChange.memory(ProcessorDlpar.withFreed(cap, ProcUnits.ZERO, m.mb()), lmb, to, b, true, m.mb());
        guest.run(from, x -> MemoryChange.memory(sys.capacity(), lmb, from, x, false, m.mb()), m.timeout(), user,
                "moved " + m.mb() + " MB of memory to " + to.name());
        try {
            guest.run(to, x -> MemoryChange.memory(sys.capacity(), lmb, to, x, true, m.mb()), m.timeout(), user,
                    "received " + m.mb() + " MB of memory from " + from.name());
        } catch (ModelException e) {
            guest.run(from, x -> MemoryChange.memory(sys.capacity(), lmb, from, x, true, m.mb()), m.timeout(), user,
                    "took back " + m.mb() + " MB of memory that " + to.name() + " could not take");
            throw e;
        }
    }
}
