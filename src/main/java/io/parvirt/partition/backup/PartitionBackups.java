package io.parvirt.partition.backup;

import io.parvirt.hypervisor.Hypervisor;
import io.parvirt.model.LparEnv;
import io.parvirt.model.LparState;
import io.parvirt.model.ModelException;
import io.parvirt.model.Partition;
import io.parvirt.model.ViosStorage;
import io.parvirt.partition.PartitionOperations;
import io.parvirt.partition.PartitionSnapshots;
import io.parvirt.partition.RunState;
import io.parvirt.system.ManagedSystem;
import io.parvirt.system.RestoredPartition;
import io.parvirt.vios.DiskPlacement;
import io.parvirt.vios.MappedDevice;
import io.parvirt.vios.OpticalPlacement;
import io.parvirt.vios.ViosException;
import io.parvirt.vios.ViosService;
import io.parvirt.vios.nbd.LinkedClones;
import io.parvirt.vios.nbd.Overlay;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Backup, restore and full clone of a partition (issue 19): its definition, every profile, the
 * VIOS mappings of its virtual SCSI disks and their contents. A backup of a running partition is
 * of one instant ({@link PointInTimeCopy}); a restore or clone checks everything it can before
 * creating anything (the archive whole, the name and id, the VIOS and its pools' room), writes the
 * disks into hidden files beside their places, and only then defines the partition and maps the
 * disks ({@link DiskPlacement}). Each runs as a {@link LparJobs job}: listed with its progress
 * while it runs, cancelled at its next block with what it made removed.
 */
public final class PartitionBackups {
    private final ManagedSystem sys;
    private final ViosService vios;
    private final PartitionOperations operations;
    private final Hypervisor hypervisor;
    private final LparJobs jobs = new LparJobs();
    private final DiskMigrations disks;
    private volatile Path dir;

    public PartitionBackups(ManagedSystem sys, ViosService vios, PartitionOperations operations,
            Hypervisor hypervisor) {
        this.sys = sys;
        this.vios = vios;
        this.operations = operations;
        this.hypervisor = hypervisor;
        this.disks = new DiskMigrations(sys, vios, operations, hypervisor, jobs);
    }

    /** Moves of backing devices between storage pools ({@code migrdisk}), jobs beside these. */
    public DiskMigrations diskMigrations() {
        return disks;
    }

    /**
     * Where archives are written and read: the home's {@code backups} directory (set by the daemon).
     * The jobs are kept beside it ({@code lparjobs.json}), so those a killed daemon left come back
     * interrupted.
     */
    public void directory(Path d) {
        dir = d;
        jobs.keepIn(d.resolveSibling("lparjobs.json"));
    }

    public LparJobs jobs() {
        return jobs;
    }

    /** Restores of archives kept here on another managed system ({@code rstlpar -m OTHER}). */
    public RemoteRestore remote() {
        return new RemoteRestore(this);
    }

    /** The archive {@code name} in the backups directory: a plain name, nothing that leaves it. */
    Path file(String name) {
        if (dir == null || vios == null) {
            throw ModelException.of(ModelException.Kind.NOT_SUPPORTED, "This console keeps no partition backups.");
        }
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
            throw new ModelException(ModelException.Kind.INVALID_VALUE, "-f", "The backup file name "
                    + io.parvirt.model.Values.quote(name) + " is not valid: use 1 to 128 letters, digits, '.', '-' or "
                    + "'_' (a name in the backup directory " + dir + ").");
        }
        return dir.resolve(name);
    }

    /** {@code bklpar}: partition {@code p} to archive {@code name}; an existing file only with {@code force}. */
    public void backup(Partition p, String name, boolean force, String user) {
        Path file = file(name);
        if (Files.exists(file) && !force) {
            throw new ModelException(ModelException.Kind.NAME_IN_USE, "-f", "The backup file " + name + " already "
                    + "exists: give --force to replace it.");
        }
        Optional<RunState> st = operations.state(p.id());
        boolean running = st.isPresent() && st.get().state() != LparState.NOT_ACTIVATED;
        if (running && (st.get().state() != LparState.RUNNING || p.env() == LparEnv.VIOSERVER)) {
            throw ModelException.of(ModelException.Kind.INVALID_STATE, "The partition " + p.name() + " is "
                    + st.get().state().hmcName() + (p.env() == LparEnv.VIOSERVER ? " and a Virtual I/O Server" : "")
                    + ": only a Not Activated or Running client partition can be backed up.");
        }
        List<Source> disks = disksOf(p, !running);
        BackupManifest m = new BackupManifest(BackupManifest.VERSION, sys.definition().settings().name(),
                Instant.now().toString(), running, p, List.copyOf(sys.definition().profiles(p.id())),
                disks.stream().map(Source::disk).toList(), opticalsOf(p));
        LparJobs.Job job = jobs.start(LparJobs.Kind.BACKUP, p.name(), name);
        Path tmp = file.resolveSibling("." + name + ".partial");
        PointInTimeCopy copy = null;
        try {
            job.partial(tmp);
            Files.createDirectories(dir);
            List<Path> files = disks.stream().map(Source::file).toList();
            if (running) {
                List<PointInTimeCopy.Disk> wanted = new ArrayList<>();
                for (Source s : disks) {
                    Path scratch = s.file().resolveSibling(".bk" + job.id() + "-" + s.disk().device());
                    job.partial(scratch);
                    wanted.add(new PointInTimeCopy.Disk(s.disk().clientSlot(), s.disk().vtd(), s.disk().sizeMb() << 20,
                            scratch));
                }
                copy = new PointInTimeCopy(hypervisor, p.id(), wanted, job.id());
                files = copy.copy(job);
            }
            BackupArchive.write(tmp, m, files, job);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            sys.logEvent(user, "backup", "Partition " + p.name() + " backed up to " + name + (running
                    ? " while running" : ""));
        } catch (LparJobs.Cancelled e) {
            throw cancelled(job, p.name());
        } catch (IOException e) {
            throw ModelException.of(ModelException.Kind.INTERNAL, "The partition " + p.name() + " could not be "
                    + "backed up to " + name + ": " + e.getMessage() + ". No backup file was written.");
        } finally {
            if (copy != null) {
                copy.close();
            }
            deleteQuietly(tmp);
            jobs.end(job);
        }
    }

    /** A disk of the partition and the file that holds it. */
    private record Source(BackupManifest.Disk disk, Path file) {
    }

    /**
     * The partition's disks; {@code asFiles}: they are to be read as their files (not through a
     * running QEMU), so a disk with snapshot layers (snapshots, or a linked clone's) is refused: its
     * file alone is not what its client sees.
     */
    private List<Source> disksOf(Partition p, boolean asFiles) {
        List<Source> out = new ArrayList<>();
        for (MappedDevice d : vios.mappedDevicesOf(p.id())) {
            if (d.kind() != MappedDevice.Kind.DISK) {
                continue; // an optical drive's medium stays in its repository
            }
            if (asFiles && d.file() != null && Overlay.hasChain(d.file())) {
                throw ModelException.of(ModelException.Kind.INVALID_STATE, "The disk " + d.vtd() + " of partition "
                        + p.name() + " has snapshot layers (snapshots, or it is a linked clone's): a Not Activated "
                        + "partition's disk is copied as its file, which is not what the partition sees. Copy it while "
                        + "it runs, or delete its snapshots first.");
            }
            ViosStorage s = vios.storage(d.viosId());
            ViosStorage.Target t = s.target(d.vtd()).orElseThrow();
            ViosStorage.BackingDevice bd = s.device(t.backing()).orElseThrow();
            if (!Files.exists(d.file())) {
                throw ModelException.of(ModelException.Kind.INVALID_STATE, "The backing device " + bd.name()
                        + " of partition " + p.name() + " has no file (Defined, not Available): it cannot be copied.");
            }
            String viosName = sys.definition().partition(d.viosId()).map(Partition::name).orElse("");
            out.add(new Source(new BackupManifest.Disk(viosName, d.viosId(), t.serverSlot(), d.clientSlot(),
                    d.vtd(), bd.name(), bd.pool(), bd.sizeMb(), 0), d.file()));
        }
        return out;
    }

    /** The partition's virtual optical drives and the media they hold (by name: media stay in their repository). */
    private List<BackupManifest.Optical> opticalsOf(Partition p) {
        List<BackupManifest.Optical> out = new ArrayList<>();
        for (MappedDevice d : vios.mappedDevicesOf(p.id())) {
            if (d.kind() == MappedDevice.Kind.OPTICAL) {
                ViosStorage.Target t = vios.storage(d.viosId()).target(d.vtd()).orElseThrow();
                out.add(new BackupManifest.Optical(sys.definition().partition(d.viosId()).map(Partition::name)
                        .orElse(""), d.viosId(), d.clientSlot(), d.vtd(), t.media()));
            }
        }
        return out;
    }

    /**
     * {@code rstlpar}: the partition in archive {@code name}, under {@code newName} (null: its own)
     * and {@code newId} (null: the lowest free). The archive is checked whole first.
     */
    public Partition restore(String name, String newName, Integer newId, String user) {
        Path file = file(name);
        LparJobs.Job job = jobs.start(LparJobs.Kind.RESTORE, newName == null ? "" : newName, name);
        try {
            return restore(file, name, newName, newId, user, job);
        } catch (LparJobs.Cancelled e) {
            throw cancelled(job, newName == null ? name : newName);
        } finally {
            jobs.end(job);
        }
    }

    /**
     * {@code rstlpar} of archive {@code name} sent by another console ({@link RemoteRestore}): the
     * stream is written into a hidden directory of the backups directory (a job's partial file, so a
     * daemon killed meanwhile deletes it), then restored as a file of its own would be (checked whole
     * before anything is created), and deleted whatever the outcome: the archive stays where it was
     * sent from. {@code newName}, when given, is checked before a byte is read.
     */
    public Partition receive(java.util.function.Supplier<java.io.InputStream> body, long length, String name,
            String newName, Integer newId, String user) {
        file(name);
        if (newName != null && sys.definition().partition(newName).isPresent()) {
            throw ModelException.of(ModelException.Kind.NAME_IN_USE, "A partition named " + newName + " already "
                    + "exists on managed system " + sys.definition().settings().name() + ".");
        }
        LparJobs.Job job = jobs.start(LparJobs.Kind.RESTORE, newName == null ? "" : newName, name);
        Path staged = dir.resolve(".incoming-" + job.id()).resolve(name);
        try {
            job.partial(staged);
            job.partial(staged.getParent());
            job.phase("receiving", Math.max(0, length));
            try (var out = Files.newOutputStream(Files.createDirectories(staged.getParent()).resolve(name))) {
                java.io.InputStream in = body.get();
                byte[] buf = new byte[1 << 20];
                for (int n; (n = in.read(buf)) > 0; ) {
                    job.check();
                    out.write(buf, 0, n);
                    job.advance(n);
                }
            } catch (IOException e) {
                throw new ModelException(ModelException.Kind.INVALID_VALUE, "-f", "The backup file " + name
                        + " could not be received: " + e.getMessage() + ". Nothing was created.");
            }
            return restore(staged, name, newName, newId, user, job);
        } catch (LparJobs.Cancelled e) {
            throw cancelled(job, newName == null ? name : newName);
        } finally {
            deleteQuietly(staged);
            deleteQuietly(staged.getParent());
            jobs.end(job);
        }
    }

    private Partition restore(Path file, String name, String newName, Integer newId, String user, LparJobs.Job job) {
        BackupManifest m = BackupArchive.verify(file, job);
        String target = newName == null ? m.partition().name() : newName;
        return define(m, target, newId, "restored from " + name, user, job, placed -> {
            try {
                BackupArchive.extract(file, m, placed.stream().map(DiskPlacement.Placed::staging).toList(), job);
            } catch (IOException e) {
                throw ModelException.of(ModelException.Kind.INVALID_VALUE, "The backup file " + name + " could "
                        + "not be restored: " + e.getMessage() + ". Nothing was created.");
            }
        });
    }

    /** {@code cplpar}: a full copy of Not Activated partition {@code src} named {@code newName}. */
    public Partition copy(Partition src, String newName, Integer newId, String user) {
        return copy(src, newName, newId, false, user);
    }

    /**
     * {@code cplpar [--linked]}. A linked copy's disks are copy-on-write layers over snapshot
     * {@code linked.NEWNAME} of the source's disks ({@link LinkedClones#link}), taken here (disk only,
     * as {@code mklparsnap --nomem}: a Running source is frozen through its agent for it and runs
     * on); nothing is copied. That snapshot is listed with the source's and cannot be deleted while
     * the copy's disks exist. A copy refused or failed deletes it again.
     */
    public Partition copy(Partition src, String newName, Integer newId, boolean linked, String user) {
        if (vios == null) {
            throw ModelException.of(ModelException.Kind.NOT_SUPPORTED, "This console cannot copy partitions.");
        }
        if (linked) {
            return linkedCopy(src, newName, newId, user);
        }
        if (operations.state(src.id()).map(s -> s.state() != LparState.NOT_ACTIVATED).orElse(false)) {
            throw ModelException.of(ModelException.Kind.INVALID_STATE, "The partition " + src.name() + " is not "
                    + "Not Activated: only a Not Activated partition can be cloned.");
        }
        if (src.env() == LparEnv.VIOSERVER) {
            throw ModelException.of(ModelException.Kind.NOT_SUPPORTED, "The partition " + src.name() + " is a "
                    + "Virtual I/O Server: its storage belongs to it and cannot be cloned.");
        }
        List<Source> disks = disksOf(src, true);
        BackupManifest m = new BackupManifest(BackupManifest.VERSION, sys.definition().settings().name(),
                Instant.now().toString(), false, src, List.copyOf(sys.definition().profiles(src.id())),
                disks.stream().map(Source::disk).toList());
        LparJobs.Job job = jobs.start(LparJobs.Kind.CLONE, src.name(), newName);
        try {
            return define(m, newName, newId, "cloned from " + src.name(), user, job, placed -> {
                try {
                    SparseCopy.copy(disks.stream().map(Source::file).toList(),
                            placed.stream().map(DiskPlacement.Placed::staging).toList(), job);
                } catch (IOException e) {
                    throw ModelException.of(ModelException.Kind.INTERNAL, "The disks of " + src.name() + " could "
                            + "not be copied: " + e.getMessage() + ". Nothing was created.");
                }
            });
        } catch (LparJobs.Cancelled e) {
            throw cancelled(job, newName);
        } finally {
            jobs.end(job);
        }
    }

    private Partition linkedCopy(Partition src, String newName, Integer newId, String user) {
        PartitionSnapshots snaps = operations.snapshots().orElseThrow(() -> ModelException.of(
                ModelException.Kind.NOT_SUPPORTED, "This console keeps no snapshots: it cannot make linked clones."));
        if (src.env() == LparEnv.VIOSERVER) {
            throw ModelException.of(ModelException.Kind.NOT_SUPPORTED, "The partition " + src.name() + " is a "
                    + "Virtual I/O Server: its storage belongs to it and cannot be cloned.");
        }
        if (sys.definition().partition(newName).isPresent()) {
            throw ModelException.of(ModelException.Kind.NAME_IN_USE, "A partition named " + newName + " already "
                    + "exists on managed system " + sys.definition().settings().name() + ".");
        }
        String base = "linked." + newName.replaceAll("[^A-Za-z0-9._-]", "_");
        base = base.substring(0, Math.min(64, base.length()));
        snaps.take(src, base, false, "the disks of linked clone " + newName); // its refusals change nothing
        List<Source> disks = disksOf(src, false);
        BackupManifest m = new BackupManifest(BackupManifest.VERSION, sys.definition().settings().name(),
                Instant.now().toString(), false, src, List.copyOf(sys.definition().profiles(src.id())),
                disks.stream().map(Source::disk).toList());
        List<Path> made = new ArrayList<>();
        String point = base;
        LparJobs.Job job = jobs.start(LparJobs.Kind.CLONE, src.name(), newName);
        try {
            return define(m, newName, newId, "cloned (linked) from " + src.name(), user, job, placed -> {
                try {
                    for (int i = 0; i < placed.size(); i++) {
                        made.add(Overlay.dirOf(placed.get(i).file()));
                        job.partial(made.getLast()); // a daemon killed before the device is named deletes it
                        LinkedClones.link(placed.get(i).file(), placed.get(i).staging(), disks.get(i).file(), point);
                    }
                } catch (IOException e) {
                    throw ModelException.of(ModelException.Kind.INTERNAL, "The disks of " + src.name() + " could "
                            + "not be linked: " + e.getMessage() + ". Nothing was created.");
                }
            });
        } catch (RuntimeException e) {
            made.forEach(PartitionBackups::deleteTree);
            try {
                snaps.delete(src, base);
            } catch (RuntimeException again) {
                e.addSuppressed(again);
            }
            throw e instanceof LparJobs.Cancelled ? cancelled(job, newName) : e;
        } finally {
            jobs.end(job);
        }
    }

    private static void deleteTree(Path dir) {
        try (var s = Files.walk(dir)) {
            for (Path f : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            // a hidden directory that no device names; the next device of that name replaces it
        }
    }

    /**
     * The common part of restore and clone: the serving VIOS chosen for each client slot with disks,
     * the definition and the disks' places checked, the disks filled ({@code fill}), then the
     * partition defined and the disks mapped. What a later step refuses undoes the earlier ones.
     */
    private Partition define(BackupManifest m, String name, Integer id, String how, String user, LparJobs.Job job,
            java.util.function.Consumer<List<DiskPlacement.Placed>> fill) {
        Map<Integer, Integer> serving = new LinkedHashMap<>();
        for (BackupManifest.Disk d : m.disks()) {
            serving.putIfAbsent(d.clientSlot(), viosFor(d.vios(), "the disk " + d.device()).id());
        }
        for (BackupManifest.Optical o : m.opticals()) {
            Partition v = viosFor(o.vios(), "the virtual optical device " + o.vtd());
            serving.putIfAbsent(o.clientSlot(), v.id());
            if (o.medium() != null) {
                try {
                    OpticalPlacement.requireLoadable(vios, serving.get(o.clientSlot()), v.name(), o.medium(), name);
                } catch (ViosException e) {
                    throw asModel(e);
                }
            }
        }
        RestoredPartition r = new RestoredPartition(m.partition(), m.profiles(), name, id, serving);
        RestoredPartition.Built check = sys.checkRestored(r);
        Map<Integer, List<DiskPlacement.Placed>> placed = new LinkedHashMap<>();
        List<DiskPlacement.Placed> all = new ArrayList<>();
        List<Path> order = new ArrayList<>();
        try {
            Map<Integer, List<DiskPlacement.Wanted>> wanted = new LinkedHashMap<>();
            for (BackupManifest.Disk d : m.disks()) {
                wanted.computeIfAbsent(serving.get(d.clientSlot()), k -> new ArrayList<>()).add(
                        new DiskPlacement.Wanted(d.pool(), d.device(), d.sizeMb(),
                                check.serverSlots().get(d.clientSlot())));
            }
            for (var e : wanted.entrySet()) {
                placed.put(e.getKey(), DiskPlacement.plan(vios, e.getKey(), e.getValue()));
            }
        } catch (ViosException e) {
            throw asModel(e);
        }
        // the manifest's disk order, as the archive stores them
        Map<Integer, Integer> next = new java.util.HashMap<>();
        for (BackupManifest.Disk d : m.disks()) {
            int v = serving.get(d.clientSlot());
            int i = next.merge(v, 1, Integer::sum) - 1;
            all.add(placed.get(v).get(i));
        }
        try {
            all.forEach(pl -> job.partial(pl.staging()));
            fill.accept(all);
            job.check();
            RestoredPartition.Built b = sys.addRestored(r, how, user);
            try {
                for (var e : placed.entrySet()) {
                    DiskPlacement.commit(vios, e.getKey(), e.getValue(), "partition " + name, user);
                    sys.definition().partition(e.getKey()).ifPresent(operations::viosChanged);
                }
                for (BackupManifest.Optical o : m.opticals()) {
                    int v = serving.get(o.clientSlot());
                    OpticalPlacement.commit(vios, v, b.serverSlots().get(o.clientSlot()), o.vtd(), o.medium(),
                            "partition " + name, user);
                    sys.definition().partition(v).ifPresent(operations::viosChanged);
                }
            } catch (RuntimeException e) {
                sys.removePartition(b.partition(), user);
                throw e instanceof ViosException v ? asModel(v) : e;
            }
            return b.partition();
        } finally {
            DiskPlacement.discard(all);
        }
    }

    /** The VIOS here that serves {@code what}: the one named {@code name}, else the only one. */
    private Partition viosFor(String name, String what) {
        List<Partition> all = sys.definition().partitions().stream().filter(p -> p.env() == LparEnv.VIOSERVER)
                .toList();
        return all.stream().filter(p -> p.name().equals(name)).findFirst().orElseGet(() -> {
            if (all.size() == 1) {
                return all.getFirst();
            }
            throw ModelException.of(ModelException.Kind.INVALID_REFERENCE, "The managed system "
                    + sys.definition().settings().name() + " has " + (all.isEmpty() ? "no Virtual I/O Server"
                    : "no Virtual I/O Server named " + name + " and more than one other") + " to serve " + what + ".");
        });
    }

    private static ModelException asModel(ViosException e) {
        ModelException.Kind k = switch (e.kind()) {
            case NO_SPACE -> ModelException.Kind.INSUFFICIENT_RESOURCES;
            case NOT_FOUND -> ModelException.Kind.INVALID_REFERENCE;
            case NAME_IN_USE, IN_USE -> ModelException.Kind.INVALID_STATE;
            default -> ModelException.Kind.INTERNAL;
        };
        return ModelException.of(k, e.getMessage());
    }

    private static ModelException cancelled(LparJobs.Job job, String what) {
        return ModelException.of(ModelException.Kind.INCOMPLETE, "The " + job.kind().name().toLowerCase(
                java.util.Locale.ROOT) + " of " + what + " (job " + job.id() + ") was cancelled; what it had made was "
                + "removed.");
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // a hidden leftover, replaced on the next backup of that name
        }
    }
}
