package io.parvirt.partition.backup;

import io.parvirt.hypervisor.Hypervisor;
import io.parvirt.hypervisor.LaunchSpec;
import io.parvirt.hypervisor.QemuUser;
import io.parvirt.hypervisor.qmp.Qmp;
import io.parvirt.vios.nbd.Endpoint;
import io.parvirt.vios.nbd.Export;
import io.parvirt.vios.nbd.NbdServer;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A point-in-time copy of a running partition's disks, made by its own QEMU: one
 * {@code blockdev-backup sync=full} block job per disk, all started in one QMP {@code transaction}
 * (so every disk is copied as of the same instant), from the disk's {@code nbd} block node to an
 * NBD export served by this daemon on a sparse scratch file beside the disk (same file system, so
 * no space is counted twice against another). The guest runs on: a write it makes to a block not
 * yet copied first copies the old block (copy-before-write). Then the scratch files are archived
 * as a stopped partition's disks would be, and removed.
 *
 * <p>Why not the VIOS's own file: it changes while the archive is written, and an archive of a
 * disk that changed under it is not a disk the guest ever had.
 */
final class PointInTimeCopy implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PointInTimeCopy.class);
    private static final java.time.Duration POLL = java.time.Duration.ofMillis(200);

    /** A disk to copy: the QEMU block node (client slot, VTD), its size and where its scratch copy goes. */
    record Disk(int clientSlot, String vtd, long sizeBytes, Path scratch) {
    }

    private final Hypervisor hypervisor;
    private final int lparId;
    private final List<Disk> disks;
    private final String prefix;
    private NbdServer server;
    private final Map<String, String> nodes = new LinkedHashMap<>(); // job id -> target node
    private boolean jobsStarted;

    PointInTimeCopy(Hypervisor hypervisor, int lparId, List<Disk> disks, int jobId) {
        this.hypervisor = hypervisor;
        this.lparId = lparId;
        this.disks = List.copyOf(disks);
        this.prefix = "pvbk" + jobId + "-";
    }

    /** Copies every disk into its scratch file; returns the scratch files, in order. */
    List<Path> copy(LparJobs.Job job) throws IOException {
        LaunchSpec spec = hypervisor.supervisor(lparId).orElseThrow(() -> new IOException("partition " + lparId
                + " is not running")).spec();
        Path dir = spec.runDir();
        server = new NbdServer(dir);
        Map<String, String[]> backups = new LinkedHashMap<>();
        List<Path> out = new ArrayList<>();
        for (int i = 0; i < disks.size(); i++) {
            Disk d = disks.get(i);
            LaunchSpec.ScsiDevice dev = spec.scsi().stream().filter(x -> x.clientSlot() == d.clientSlot()
                    && d.vtd().equals(x.vtd()) && !x.cdrom()).findFirst().orElseThrow(() -> new IOException("disk "
                    + d.vtd() + " is not attached to the running partition"));
            Files.deleteIfExists(d.scratch());
            try (RandomAccessFile f = new RandomAccessFile(d.scratch().toFile(), "rw")) {
                f.setLength(d.sizeBytes());
            }
            String name = prefix + i;
            Endpoint e = server.serve(new Export(name, d.scratch(), false));
            if (spec.qemuUser() != null) {
                QemuUser.grant(spec.qemuUser(), e.socket(), true);
            }
            String node = name + "-target";
            var args = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()
                    .put("driver", "nbd").put("node-name", node).put("export", name);
            args.putObject("server").put("type", "unix").put("path", e.socket().toString());
            hypervisor.monitor(lparId, q -> {
                q.blockdevAdd(args);
                return null;
            });
            nodes.put(name, node);
            backups.put(name, new String[] {dev.node(), node});
            out.add(d.scratch());
        }
        hypervisor.monitor(lparId, q -> {
            q.blockdevBackups(backups);
            return null;
        });
        jobsStarted = true;
        long total = disks.stream().mapToLong(Disk::sizeBytes).sum();
        job.phase("copying", total);
        while (true) {
            job.check();
            List<Qmp.BlockJob> now = hypervisor.monitor(lparId, Qmp::blockJobs).stream()
                    .filter(j -> nodes.containsKey(j.id())).toList();
            long done = now.stream().mapToLong(Qmp.BlockJob::offset).sum();
            job.advance(done - job.doneBytes());
            if (now.stream().allMatch(Qmp.BlockJob::concluded)) {
                for (Qmp.BlockJob j : now) {
                    if (j.error() != null) {
                        throw new IOException("the copy of a running disk failed: " + j.error());
                    }
                }
                return out;
            }
            try {
                Thread.sleep(POLL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
        }
    }

    /** Ends the block jobs (cancelling unfinished ones), removes the target nodes and stops serving. */
    @Override
    public void close() {
        if (!nodes.isEmpty()) {
            try {
                hypervisor.monitor(lparId, q -> {
                    if (jobsStarted) {
                        for (Qmp.BlockJob j : q.blockJobs()) {
                            if (nodes.containsKey(j.id()) && !j.concluded()) {
                                q.blockJobCancel(j.id());
                            }
                        }
                    }
                    return null;
                });
                awaitConcluded();
                hypervisor.monitor(lparId, q -> {
                    for (Qmp.BlockJob j : q.blockJobs()) {
                        if (nodes.containsKey(j.id())) {
                            q.jobDismiss(j.id());
                        }
                    }
                    for (String node : nodes.values()) {
                        q.blockdevDel(node);
                    }
                    return null;
                });
            } catch (IOException | RuntimeException e) {
                LOG.warn("partition {}: backup block nodes not all removed: {}", lparId, e.getMessage());
            }
        }
        if (server != null) {
            server.close();
        }
        for (Disk d : disks) {
            try {
                Files.deleteIfExists(d.scratch());
            } catch (IOException e) {
                LOG.warn("scratch copy {} not removed: {}", d.scratch(), e.getMessage());
            }
        }
    }

    private void awaitConcluded() throws IOException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (hypervisor.monitor(lparId, Qmp::blockJobs).stream().filter(j -> nodes.containsKey(j.id()))
                    .allMatch(Qmp.BlockJob::concluded)) {
                return;
            }
            try {
                Thread.sleep(POLL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
