package io.parvirt.hypervisor;

import io.parvirt.hypervisor.qga.GuestAgent;
import io.parvirt.hypervisor.qga.GuestAgent.GuestVcpu;
import io.parvirt.hypervisor.qmp.Qmp;
import io.parvirt.hypervisor.qmp.Qmp.CpuSlot;
import io.parvirt.hypervisor.qmp.Qmp.VirtioMem;
import io.parvirt.hypervisor.qmp.QmpException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mechanism of processor and memory DLPAR in a QEMU guest: the monitor plugs, the guest agent
 * brings online. Runs on a supervisor job (it blocks and sleeps); decides nothing beyond the order
 * the steps must come in.
 *
 * <p>Processors: a VP is added by bringing a plugged but offline vCPU online, else by
 * {@code device_add} into a free slot of {@code query-hotpluggable-cpus} and then bringing the new
 * processor online ({@code guest-set-vcpus}: the image has no udev to do it). A VP is removed by
 * taking it offline in the guest first (the guest must stop scheduling on it before it can go);
 * under KVM it is then unplugged with {@code device_del}. Under TCG it stays plugged and offline:
 * QEMU 7.2 aborts when a vCPU is plugged after one was unplugged ({@code tcg_max_ctxs}), since TCG
 * never frees a removed vCPU's context. An offline vCPU's thread halts, so the dispatcher gives it
 * nothing.
 *
 * <p>Memory: the partition's hot-plug memory is one virtio-mem device ({@link #VIRTIO_MEM}); its
 * {@code requested-size} is set and its {@code size} follows as the guest driver plugs or unplugs
 * blocks. Added memory comes online by itself ({@code memhp_default_state=online_movable}), and the
 * add is done when the guest's {@code MemTotal} shows it. A removal the guest cannot finish in time
 * (memory in use that cannot move) is kept as far as it got, rounded up to whole LMBs; an add that
 * does not finish in time is rolled back.
 */
final class GuestHotplug {
    private static final Logger LOG = LoggerFactory.getLogger(GuestHotplug.class);
    /** The QOM path of the partition's virtio-mem device ({@link QemuCommandLine#VIRTIO_MEM_ID}). */
    static final String VIRTIO_MEM = "/machine/peripheral/" + QemuCommandLine.VIRTIO_MEM_ID;
    private static final long MIB = 1024 * 1024;
    private static final long POLL_MS = 50;
    /** After a timeout, how long an undo (re-plugging what was unplugged) is waited for. */
    private static final long UNDO_NANOS = 10_000_000_000L;
    /** How long a re-adopted partition's memory change in flight may take (within the re-adoption's read). */
    private static final long SETTLE_NANOS = 20_000_000_000L;

    private final LaunchSpec spec;
    private final Qmp qmp;
    private final GuestAgent agent;

    GuestHotplug(LaunchSpec spec, Qmp qmp, GuestAgent agent) {
        this.spec = spec;
        this.qmp = qmp;
        this.agent = agent;
    }

    /** Brings the guest to {@code want} by {@code deadline} (nanoTime), as far as it goes. */
    Resized apply(Resize want, long deadline) throws IOException, InterruptedException {
        List<String> notes = new ArrayList<>();
        List<GuestVcpu> guest = agent.vcpus();
        int vcpus = online(guest);
        if (want.vcpus() > vcpus) {
            vcpus = addVcpus(guest, want.vcpus() - vcpus, deadline, notes);
        } else if (want.vcpus() < vcpus) {
            vcpus = removeVcpus(guest, vcpus - want.vcpus(), deadline, notes);
        }
        long mem = memMb(want.lmbMb());
        if (want.memMb() != mem) {
            mem = resizeMemory(want, mem, deadline, notes);
        }
        return new Resized(vcpus, mem, vcpus == want.vcpus() && mem == want.memMb(), String.join("; ", notes));
    }

    /**
     * What the partition has now: online processors and memory (whole LMBs), e.g. for a re-adopted
     * one. A memory change a killed daemon left in flight (the device's size still moving towards
     * its requested size) goes on without the daemon; it is given {@link #SETTLE_NANOS} to finish,
     * so what is read is what stays rather than a step on the way.
     */
    Resized current(long lmbMb) throws IOException {
        if (spec.hotplugMemory()) {
            long requested = device().requestedSize();
            try {
                awaitSize(requested, System.nanoTime() + SETTLE_NANOS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while the memory change in flight settled", e);
            }
        }
        return new Resized(online(agent.vcpus()), memMb(lmbMb), true, "");
    }

    private static int online(List<GuestVcpu> vcpus) {
        return (int) vcpus.stream().filter(GuestVcpu::online).count();
    }

    // Processors

    private int addVcpus(List<GuestVcpu> before, int n, long deadline, List<String> notes)
            throws IOException, InterruptedException {
        int had = online(before);
        // Plugged but offline first (under TCG, VPs removed earlier): no new vCPU context is needed.
        List<Integer> up = new ArrayList<>(before.stream().filter(v -> !v.online()).map(GuestVcpu::logicalId)
                .sorted().limit(n).toList());
        int plug = n - up.size();
        if (plug > 0) {
            up.addAll(plug(plug, before, deadline, notes));
        }
        if (!up.isEmpty()) {
            agent.setVcpus(up, true);
        }
        int now = online(agent.vcpus());
        if (now < had + n && System.nanoTime() > deadline) {
            // Not all came in time: the add is undone, the plugged ones stay offline.
            List<Integer> added = agent.vcpus().stream().filter(v -> v.online() && up.contains(v.logicalId()))
                    .map(GuestVcpu::logicalId).toList();
            agent.setVcpus(added, false);
            notes.add("only " + (now - had) + " of " + n + " processors came online in time; rolled back");
            return online(agent.vcpus());
        }
        return now;
    }

    /** Plugs {@code n} vCPUs into free slots and returns the guest's ids of the new processors. */
    private List<Integer> plug(int n, List<GuestVcpu> before, long deadline, List<String> notes)
            throws IOException, InterruptedException {
        List<CpuSlot> free = qmp.hotpluggableCpus().stream().filter(s -> !s.plugged())
                .sorted(Comparator.comparingInt((CpuSlot s) -> s.props().path("socket-id").asInt())
                        .thenComparingInt(s -> s.props().path("core-id").asInt())
                        .thenComparingInt(s -> s.props().path("thread-id").asInt()))
                .limit(n).toList();
        if (free.size() < n) {
            notes.add("only " + free.size() + " free processor slots of the " + n + " needed");
        }
        for (CpuSlot s : free) {
            qmp.addCpu(s, "vcpu-s" + s.props().path("socket-id").asInt() + "-c" + s.props().path("core-id").asInt()
                    + "-t" + s.props().path("thread-id").asInt());
        }
        // The guest learns of a new vCPU through ACPI and then lists it (offline): wait for that.
        Set<Integer> known = new HashSet<>(before.stream().map(GuestVcpu::logicalId).toList());
        while (true) {
            List<Integer> fresh = agent.vcpus().stream().map(GuestVcpu::logicalId).filter(id -> !known.contains(id))
                    .sorted().toList();
            if (fresh.size() >= free.size() || System.nanoTime() > deadline) {
                return fresh;
            }
            Thread.sleep(POLL_MS);
        }
    }

    private int removeVcpus(List<GuestVcpu> before, int n, long deadline, List<String> notes)
            throws IOException, InterruptedException {
        List<Integer> down = before.stream().filter(v -> v.online() && v.canOffline() && v.logicalId() != 0)
                .map(GuestVcpu::logicalId).sorted(Comparator.reverseOrder()).limit(n).toList();
        int done = down.isEmpty() ? 0 : agent.setVcpus(down, false);
        if (done < n) {
            notes.add("the guest took only " + done + " of " + n + " processors offline");
        }
        if (spec.accel() == Accelerator.KVM) {
            unplug(down.subList(0, done), deadline);
        }
        return online(agent.vcpus());
    }

    /**
     * Under KVM the offline vCPUs leave QEMU too. The guest numbers processors in the order QEMU
     * created them, so logical id N is cpu-index N. A vCPU QEMU will not unplug (one given by
     * {@code -smp} on some machine types) stays plugged and offline, as under TCG.
     */
    private void unplug(List<Integer> ids, long deadline) throws IOException, InterruptedException {
        List<String> paths = new ArrayList<>();
        for (Qmp.Vcpu v : qmp.vcpus()) {
            if (ids.contains(v.cpuIndex())) {
                try {
                    qmp.deviceDel(v.qomPath());
                    paths.add(v.qomPath());
                } catch (QmpException e) {
                    LOG.info("partition {}: vCPU {} stays plugged: {}", spec.name(), v.cpuIndex(), e.getMessage());
                }
            }
        }
        while (!paths.isEmpty() && System.nanoTime() < deadline) {
            Set<String> plugged = new HashSet<>(qmp.vcpus().stream().map(Qmp.Vcpu::qomPath).toList());
            paths.removeIf(p -> !plugged.contains(p));
            Thread.sleep(POLL_MS);
        }
    }

    // Memory

    private VirtioMem device() throws IOException {
        return qmp.virtioMem().stream().filter(d -> d.id().equals(QemuCommandLine.VIRTIO_MEM_ID)).findFirst()
                .orElseThrow(() -> new IOException("partition " + spec.name() + " was activated without memory "
                        + "hot-plug room (its max_mem was its memory)"));
    }

    /** Boot memory plus the device's plugged size, in whole LMBs (a partial unplug leaves a part). */
    private long memMb(long lmbMb) throws IOException {
        if (!spec.hotplugMemory()) {
            return spec.memMb();
        }
        return spec.bootMemMb() + roundUp(device().size(), lmbMb);
    }

    private static long roundUp(long bytes, long lmbMb) {
        long lmb = lmbMb * MIB;
        return (bytes + lmb - 1) / lmb * lmbMb;
    }

    private long resizeMemory(Resize want, long had, long deadline, List<String> notes)
            throws IOException, InterruptedException {
        boolean add = want.memMb() > had;
        long kbBefore = add ? agent.memTotalKb() : 0;
        long target = (want.memMb() - spec.bootMemMb()) * MIB;
        qmp.qomSet(VIRTIO_MEM, "requested-size", target);
        long size = awaitSize(target, deadline);
        if (size == target) {
            if (add && !awaitMemTotal(kbBefore + (want.memMb() - had) * 1024 * 99 / 100, deadline)) {
                notes.add("QEMU plugged the memory but the guest has not brought all of it online in time");
            }
            return want.memMb();
        }
        if (add) {
            // Undone: the device goes back to what it had; the guest unplugs the part it took.
            qmp.qomSet(VIRTIO_MEM, "requested-size", (had - spec.bootMemMb()) * MIB);
            size = awaitSize((had - spec.bootMemMb()) * MIB, System.nanoTime() + UNDO_NANOS);
            notes.add("the guest took only " + (spec.bootMemMb() + size / MIB - had) + " of " + (want.memMb() - had)
                    + " MB in time; rolled back");
        } else {
            // Kept as far as it got, in whole LMBs: the part of an LMB left is plugged back.
            long keep = roundUp(size, want.lmbMb()) * MIB;
            qmp.qomSet(VIRTIO_MEM, "requested-size", keep);
            size = awaitSize(keep, System.nanoTime() + UNDO_NANOS);
            notes.add("the guest released only " + (had - spec.bootMemMb() - roundUp(size, want.lmbMb())) + " of "
                    + (had - want.memMb()) + " MB in time (memory in use that cannot be moved)");
        }
        return spec.bootMemMb() + roundUp(size, want.lmbMb());
    }

    /** Waits for the device's plugged size to reach {@code target}; returns the size it has at the end. */
    private long awaitSize(long target, long deadline) throws IOException, InterruptedException {
        while (true) {
            long size = device().size();
            if (size == target || System.nanoTime() > deadline) {
                return size;
            }
            Thread.sleep(POLL_MS);
        }
    }

    private boolean awaitMemTotal(long kb, long deadline) throws IOException, InterruptedException {
        while (agent.memTotalKb() < kb) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(POLL_MS);
        }
        return true;
    }
}
