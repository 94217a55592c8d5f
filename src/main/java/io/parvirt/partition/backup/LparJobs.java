package io.parvirt.partition.backup;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.parvirt.durable.AtomicFile;
import io.parvirt.model.ModelException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The long partition operations in progress (backup, restore, clone, a disk's move to another pool): each with its bytes done of
 * its total, listed while it runs ({@code lslparjob}) and cancelled on request ({@code rmlparjob});
 * a cancelled one stops at its next block and undoes what it made. A finished job leaves the list
 * (its outcome is the command's answer and a console event).
 *
 * <p>The jobs in progress are also kept in a file of the home ({@link #keepIn}), rewritten whole
 * when one starts, changes phase, makes a partial file or ends, so a daemon killed mid-job comes
 * back knowing it: listed as {@code interrupted} with the phase it was in, the partial files it had
 * made (hidden archives, scratch copies, staged disks) deleted, until {@code rmlparjob} removes it
 * from the list. Nothing resumes: every job's partial state is only a file to delete, and the
 * command that started it had already been answered with the failure (its connection went with
 * the daemon).
 */
public final class LparJobs {
    public enum Kind { BACKUP, RESTORE, CLONE, DISK_MIGRATION }

    /** One operation: what, on which partition, to or from which file, and how far it got. */
    public static final class Job {
        private final int id;
        private final Kind kind;
        private final String partition;
        private final String file;
        private final Instant started = Instant.now();
        private final AtomicLong total = new AtomicLong();
        private final AtomicLong done = new AtomicLong();
        private volatile String phase = "starting";
        private volatile boolean cancelled;
        private final List<String> partials = new java.util.concurrent.CopyOnWriteArrayList<>();
        /** Null while it runs; why it ended without finishing (a daemon that stopped under it). */
        private volatile String interruption;
        private volatile LparJobs owner;

        Job(int id, Kind kind, String partition, String file) {
            this.id = id;
            this.kind = kind;
            this.partition = partition;
            this.file = file;
        }

        private Job(Saved s) {
            this(s.id(), s.kind(), s.partition(), s.file());
            this.phase = s.phase();
            this.partials.addAll(s.partials());
        }

        /** {@code running}, or {@code interrupted} for one a stopped daemon left. */
        public String status() {
            return interruption == null ? "running" : "interrupted";
        }

        /** Why an interrupted job ended; empty while it runs. */
        public String reason() {
            return interruption == null ? "" : interruption;
        }

        /** A file this job is making and would leave half-written: deleted if the daemon dies first. */
        void partial(Path f) {
            partials.add(f.toAbsolutePath().toString());
            save();
        }

        private void save() {
            LparJobs o = owner;
            if (o != null) {
                o.save();
            }
        }

        public int id() {
            return id;
        }

        public Kind kind() {
            return kind;
        }

        public String partition() {
            return partition;
        }

        public String file() {
            return file;
        }

        public Instant started() {
            return started;
        }

        public String phase() {
            return phase;
        }

        public long totalBytes() {
            return total.get();
        }

        public long doneBytes() {
            return done.get();
        }

        /** Whole percent of the current phase done, 0 to 100. */
        public int percent() {
            long t = total.get();
            return t <= 0 ? 0 : (int) Math.min(100, done.get() * 100 / t);
        }

        void phase(String p, long totalBytes) {
            phase = p;
            done.set(0);
            total.set(totalBytes);
            save();
        }

        void advance(long bytes) {
            done.addAndGet(bytes);
        }

        /** Progress reported by another process (the storage server copying a disk). */
        void progress(long doneBytes, long totalBytes) {
            total.set(totalBytes);
            done.set(doneBytes);
        }

        boolean cancelled() {
            return cancelled;
        }

        /** Throws when the job was cancelled: called between blocks, so a cancel stops it at once. */
        void check() {
            if (cancelled) {
                throw new Cancelled();
            }
        }
    }

    /** Thrown inside a job that was cancelled; the operation undoes what it made and reports it. */
    static final class Cancelled extends RuntimeException {
        Cancelled() {
            super("cancelled", null, false, false);
        }
    }

    /** A job as its file keeps it. */
    record Saved(int id, Kind kind, String partition, String file, String started, String phase,
            List<String> partials) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, Job> jobs = new ConcurrentHashMap<>();
    /** Jobs a stopped daemon left, by id: listed, never running. */
    private final Map<Integer, Job> interrupted = new ConcurrentHashMap<>();
    private volatile Path file;

    /**
     * Keeps the jobs in {@code f} from now on; the jobs a killed daemon left there become
     * interrupted ones, their partial files deleted, and new ids follow theirs.
     */
    public synchronized void keepIn(Path f) {
        if (Files.isRegularFile(f)) {
            try {
                for (Saved s : JSON.readValue(f.toFile(), Saved[].class)) {
                    Job j = new Job(s);
                    int removed = 0;
                    for (String p : s.partials()) {
                        try {
                            removed += remove(Path.of(p)) ? 1 : 0;
                        } catch (IOException e) {
                            // left for the operation's own stray sweep (hidden names)
                        }
                    }
                    j.interruption = "the daemon stopped during its " + s.phase() + " phase (started " + s.started()
                            + "); " + removed + " partial file" + (removed == 1 ? "" : "s") + " removed";
                    interrupted.put(j.id, j);
                    ids.accumulateAndGet(j.id, Math::max);
                }
            } catch (IOException | RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(LparJobs.class).warn("the job file {} is unreadable ({}): its "
                        + "jobs are forgotten", f, e.getMessage());
            }
        }
        file = f;
        save();
    }

    /**
     * A partial file a stopped job left, deleted; a directory with what it holds, except a backing
     * device's layer directory ({@code .NAME.snap}, a linked clone's) once device {@code NAME} exists:
     * the job was killed after committing it, and those layers are the device's now.
     */
    private static boolean remove(Path p) throws IOException {
        if (!Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return Files.deleteIfExists(p);
        }
        String n = p.getFileName().toString();
        if (n.startsWith(".") && n.endsWith(".snap") && n.length() > 6
                && Files.exists(p.resolveSibling(n.substring(1, n.length() - 5)))) {
            return false;
        }
        try (var s = Files.walk(p)) {
            for (Path f : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
        return true;
    }

    /** Writes the jobs in progress and the interrupted ones not yet removed, whole. */
    private synchronized void save() {
        Path f = file;
        if (f == null) {
            return;
        }
        List<Saved> all = new ArrayList<>();
        for (Job j : listAll()) {
            all.add(new Saved(j.id, j.kind, j.partition, j.file, j.started.toString(), j.phase, List.copyOf(j.partials)));
        }
        try {
            Files.createDirectories(f.getParent());
            AtomicFile.replace(f, JSON.writeValueAsBytes(all));
        } catch (IOException e) {
            org.slf4j.LoggerFactory.getLogger(LparJobs.class).warn("the job file {} could not be written: {}", f,
                    e.getMessage());
        }
    }

    private Job register(Job j) {
        j.owner = this;
        jobs.put(j.id, j);
        save();
        return j;
    }

    Job start(Kind kind, String partition, String file) {
        for (Job j : jobs.values()) {
            if (j.partition.equals(partition) && j.kind != Kind.RESTORE && j.kind != Kind.DISK_MIGRATION) {
                throw ModelException.of(ModelException.Kind.INVALID_STATE, "The partition " + partition + " is "
                        + "already being " + (j.kind == Kind.BACKUP ? "backed up" : "cloned") + " (job " + j.id
                        + "): wait for it or cancel it with rmlparjob.");
            }
        }
        return register(new Job(ids.incrementAndGet(), kind, partition, file));
    }

    /** A move of VIOS {@code vios}'s backing device {@code device}; refused while that device is being moved. */
    Job startMove(String vios, String device) {
        synchronized (jobs) {
            for (Job j : jobs.values()) {
                if (j.kind == Kind.DISK_MIGRATION && j.partition.equals(vios) && j.file.equals(device)) {
                    throw ModelException.of(ModelException.Kind.INVALID_STATE, "The backing device " + device + " of "
                            + vios + " is already being moved (job " + j.id + "): wait for it or cancel it with "
                            + "rmlparjob.");
                }
            }
            return register(new Job(ids.incrementAndGet(), Kind.DISK_MIGRATION, vios, device));
        }
    }

    void end(Job j) {
        jobs.remove(j.id);
        save();
    }

    /** The jobs in progress, oldest first. */
    public List<Job> list() {
        List<Job> out = new ArrayList<>(jobs.values());
        out.sort(java.util.Comparator.comparingInt(Job::id));
        return out;
    }

    /** The jobs in progress and those a stopped daemon interrupted, oldest first ({@code lslparjob}). */
    public List<Job> listAll() {
        List<Job> out = new ArrayList<>(jobs.values());
        out.addAll(interrupted.values());
        out.sort(java.util.Comparator.comparingInt(Job::id));
        return out;
    }

    /**
     * Asks job {@code id} to stop, or removes an interrupted one from the list; HSCL8012-style
     * refusal when there is no such job.
     */
    public void cancel(int id) {
        if (interrupted.remove(id) != null) {
            save();
            return;
        }
        Job j = jobs.get(id);
        if (j == null) {
            throw ModelException.of(ModelException.Kind.INVALID_VALUE, "There is no partition job " + id
                    + " in progress (lslparjob lists them).");
        }
        j.cancelled = true;
    }
}
