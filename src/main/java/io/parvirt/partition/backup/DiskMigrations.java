package io.parvirt.partition.backup;

import io.parvirt.hypervisor.Hypervisor;
import io.parvirt.hypervisor.StorageServerProcess;
import io.parvirt.model.LparEnv;
import io.parvirt.model.LparState;
import io.parvirt.model.ModelException;
import io.parvirt.model.Partition;
import io.parvirt.partition.PartitionOperations;
import io.parvirt.partition.RunState;
import io.parvirt.system.ManagedSystem;
import io.parvirt.vios.DiskRelocation;
import io.parvirt.vios.ViosService;
import io.parvirt.vios.nbd.SnapshotControl;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A backing device moved to another storage pool of its VIOS (issue 19, FusionCompute's disk
 * migration; {@code migrdisk}), as a {@link LparJobs job}: listed by {@code lslparjob} with the
 * bytes copied, cancelled by {@code rmlparjob}.
 *
 * <p>A device its running VIOS serves is moved by that storage server while its client runs
 * ({@link io.parvirt.vios.nbd.DiskMove}: background copy of its data extents, every write mirrored
 * to both files, then committed); this daemon only starts it, follows it on the server's control
 * socket, and once the target is synced records the device in its new pool
 * ({@link DiskRelocation#commit}) and has the server serve it from there (its client's NBD
 * connection reconnects, as at a storage server restart: QEMU retries the requests in flight). A
 * device nobody serves (the VIOS not running, or the device not mapped to a client) is copied
 * here, sparse. Any failure before the commit (the target pool's file system full, a cancel, the
 * storage server or this daemon killed) leaves the device where it was, whole and served; the
 * partial target is a hidden {@code .NAME.moving} file, deleted at once or at the next start.
 */
public final class DiskMigrations {
    private static final long POLL_MILLIS = 100;
    private static final long SWITCH_SECONDS = 30;
    private final ViosService vios;
    private final PartitionOperations operations;
    private final Hypervisor hypervisor;
    private final LparJobs jobs;

    DiskMigrations(ManagedSystem sys, ViosService vios, PartitionOperations operations, Hypervisor hypervisor,
            LparJobs jobs) {
        this.vios = vios;
        this.operations = operations;
        this.hypervisor = hypervisor;
        this.jobs = jobs;
        for (Partition p : sys.definition().partitions()) {
            if (p.env() == LparEnv.VIOSERVER) {
                DiskRelocation.removeStrays(vios, p.id()); // left by a daemon killed mid-move
            }
        }
    }

    /**
     * {@code migrdisk}: moves backing device {@code device} of VIOS {@code v} into pool {@code pool},
     * copying at most {@code mbPerSecond} (0: no cap); returns when it is done. Refusals (unknown
     * device or pool, the same pool, no room, snapshots, a move of it already running) change nothing.
     */
    public void migrate(Partition v, String device, String pool, long mbPerSecond, String user) {
        if (v.env() != LparEnv.VIOSERVER) {
            throw ModelException.ofPartition(ModelException.Kind.INVALID_VALUE, v.name(), "The partition " + v.name()
                    + " is not a Virtual I/O Server: it has no storage pools.");
        }
        LparJobs.Job job = jobs.startMove(v.name(), device);
        DiskRelocation.Plan plan = null;
        try {
            plan = DiskRelocation.plan(vios, v.id(), device, pool);
            job.partial(plan.staging());
            Optional<Path> control = servingControl(v, plan);
            if (control.isPresent()) {
                live(control.get(), plan, mbPerSecond << 20, job);
            } else {
                job.phase("copying", 0);
                SparseCopy.copy(List.of(plan.source()), List.of(plan.staging()), job);
            }
            job.phase("switching", 0);
            DiskRelocation.commit(vios, plan, user);
            operations.viosChanged(v); // the server serves the device from its new file
            if (control.isPresent()) {
                try {
                    awaitServedAnew(control.get(), plan);
                } catch (IOException e) {
                    throw ModelException.of(ModelException.Kind.INVALID_STATE, "The backing device " + device + ": "
                            + e.getMessage() + ".");
                }
            }
        } catch (LparJobs.Cancelled e) {
            throw ModelException.of(ModelException.Kind.INCOMPLETE, "The move of backing device " + device
                    + " (job " + job.id() + ") was cancelled; it stays in storage pool " + plan.fromPool() + ".");
        } catch (IOException e) {
            throw ModelException.of(ModelException.Kind.INVALID_STATE, "The backing device " + device
                    + " could not be moved: " + e.getMessage() + "; it stays in storage pool " + plan.fromPool() + ".");
        } finally {
            if (plan != null) {
                DiskRelocation.discard(plan); // nothing once committed: the file was renamed into place
            }
            jobs.end(job);
        }
    }

    /** The control socket of the storage server that serves the device now, if one does. */
    private Optional<Path> servingControl(Partition v, DiskRelocation.Plan plan) {
        if (plan.mapping() == null || hypervisor == null
                || vios.exportsOf(v.id()).stream().noneMatch(e -> e.name().equals(plan.mapping()))) {
            return Optional.empty();
        }
        Optional<RunState> st = operations.state(v.id());
        if (st.isEmpty() || st.get().state() == LparState.NOT_ACTIVATED) {
            return Optional.empty();
        }
        return hypervisor.supervisor(v.id()).filter(s -> s.spec().runsStorageServer())
                .map(s -> StorageServerProcess.controlSocket(s.spec()));
    }

    /**
     * The server re-reads its exports on a signal, on its own time: the command returns once the
     * export is served from the new file (a new endpoint has no move), so that what follows (another
     * move, a snapshot) reaches the device where it now is.
     */
    private void awaitServedAnew(Path control, DiskRelocation.Plan plan) throws IOException {
        long deadline = System.nanoTime() + SWITCH_SECONDS * 1_000_000_000L;
        while (true) {
            String st;
            try {
                st = SnapshotControl.call(control, "move-status", plan.mapping());
            } catch (IOException e) {
                st = e.getMessage(); // between the old endpoint and the new one
            }
            if (st.equals("none")) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("the device was moved to storage pool " + plan.toPool() + " but its storage "
                        + "server still serves the old file after " + SWITCH_SECONDS + " s (" + st + ")");
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The server copies and mirrors; this follows it until the target is synced, then commits it there. */
    private void live(Path control, DiskRelocation.Plan plan, long rate, LparJobs.Job job) throws IOException {
        String export = plan.mapping();
        String where = "the storage server";
        try {
            SnapshotControl.call(control, "move-cancel", export); // a move a killed daemon left mirroring
            SnapshotControl.call(control, "move", export, Long.toString(rate), plan.staging().toString());
            job.phase("copying", 0);
            while (true) {
                String[] st = SnapshotControl.call(control, "move-status", export).split(" ", 4);
                switch (st[0]) {
                    case "COPYING", "SYNCED" -> job.progress(Long.parseLong(st[1]), Long.parseLong(st[2]));
                    default -> throw new IOException(st.length == 4 ? st[3] : "the move ended (" + st[0] + ")");
                }
                if (st[0].equals("SYNCED")) {
                    break;
                }
                try {
                    job.check();
                } catch (LparJobs.Cancelled c) {
                    SnapshotControl.call(control, "move-cancel", export);
                    throw c;
                }
                Thread.sleep(POLL_MILLIS);
            }
            SnapshotControl.call(control, "move-finish", export);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            SnapshotControl.call(control, "move-cancel", export);
            throw new IOException("interrupted");
        } catch (java.net.SocketException | java.nio.channels.ClosedChannelException e) {
            throw new IOException(where + " stopped during the copy");
        }
    }
}
