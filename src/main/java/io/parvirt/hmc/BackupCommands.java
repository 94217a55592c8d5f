package io.parvirt.hmc;

import io.parvirt.hmc.command.BackupCommand;
import io.parvirt.hmc.command.BackupCommand.BackupPartition;
import io.parvirt.hmc.command.BackupCommand.CancelJob;
import io.parvirt.hmc.command.BackupCommand.ClonePartition;
import io.parvirt.hmc.command.BackupCommand.ListJobs;
import io.parvirt.hmc.command.BackupCommand.RestorePartition;
import io.parvirt.model.ModelException;
import io.parvirt.partition.PartitionOperations;
import io.parvirt.partition.backup.LparJobs;
import io.parvirt.partition.backup.PartitionBackups;
import io.parvirt.system.ManagedSystem;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Partition backup, restore, clone, disk moves between pools and their jobs, carried out by {@link PartitionBackups}. */
final class BackupCommands {
    /** {@code lslparjob}'s attributes, in order. */
    static final Set<String> JOB_ATTRIBUTES = new java.util.LinkedHashSet<>(List.of("job_id", "operation",
            "lpar_name", "file", "phase", "percent_done", "bytes_done", "bytes_total", "start_time", "status", "reason"));

    private final ManagedSystem sys;
    private final PartitionOperations operations;

    BackupCommands(ManagedSystem sys, PartitionOperations operations) {
        this.sys = sys;
        this.operations = operations;
    }

    HmcResult run(BackupCommand command, String user) {
        Systems.check(sys, command.system());
        PartitionBackups backups = operations.backups().orElseThrow(() -> ModelException.of(
                ModelException.Kind.NOT_SUPPORTED, "This console cannot back up, restore or clone partitions: it "
                + "serves no Virtual I/O Server storage."));
        switch (command) {
            case BackupPartition b -> backups.backup(Systems.partition(sys, b.partition()), b.file(), b.force(), user);
            case RestorePartition r when r.sent() != null -> backups.receive(r.sent().in(), r.sent().length(),
                    r.file(), r.name(), r.id(), user);
            case RestorePartition r -> backups.restore(r.file(), r.name(), r.id(), user);
            case ClonePartition c -> backups.copy(Systems.partition(sys, c.source()), c.name(), c.id(), c.linked(),
                    user);
            case CancelJob c -> backups.jobs().cancel(c.id());
            case BackupCommand.MigrateDisk m -> backups.diskMigrations().migrate(Systems.partition(sys, m.vios()),
                    m.device(), m.pool(), m.mbPerSecond(), user);
            case ListJobs l -> {
                return list(backups.jobs(), l);
            }
        }
        return HmcResult.OK;
    }

    /**
     * {@code rstlpar -m OTHER} where {@code OTHER} is a connected system: when the archive is in this
     * console's backups directory it is sent to that system's daemon and restored there (its refusal
     * relayed as it gave it); empty when it is not here, so the command line goes whole to that
     * daemon, which looks in its own.
     */
    java.util.Optional<HmcResult> restoreOn(io.parvirt.remote.PeerClient peer, RestorePartition r)
            throws io.parvirt.remote.RemoteException {
        var backups = operations.backups();
        if (backups.isEmpty() || !backups.get().remote().holds(r.file())) {
            return java.util.Optional.empty();
        }
        try {
            backups.get().remote().restoreOn(peer, r.file(), r.name(), r.id());
        } catch (io.parvirt.remote.RemoteException e) {
            if (e.kind() != io.parvirt.remote.RemoteException.Kind.REFUSED || e.status() == 401) {
                throw e;
            }
            return java.util.Optional.of(HmcResult.failed(HsclCode.relayed((e.code() == null ? "" : e.code() + " ")
                    + e.getMessage())));
        }
        return java.util.Optional.of(HmcResult.OK);
    }

    private static HmcResult list(LparJobs jobs, ListJobs l) {
        List<Row> rows = new ArrayList<>();
        for (LparJobs.Job j : jobs.listAll()) {
            rows.add(new Row().put("job_id", j.id()).put("operation", j.kind().name().toLowerCase(java.util.Locale.ROOT))
                    .put("lpar_name", j.partition()).put("file", j.file()).put("phase", j.phase())
                    .put("percent_done", j.percent()).put("bytes_done", j.doneBytes())
                    .put("bytes_total", j.totalBytes()).put("start_time", j.started().toString())
                    .put("status", j.status()).put("reason", j.reason()));
        }
        return Listing.render(rows, l.format().fields(), l.format().header(), JOB_ATTRIBUTES);
    }
}
