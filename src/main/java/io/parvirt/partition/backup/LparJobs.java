package io.parvirt.partition.backup;

import io.parvirt.model.ModelException;
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
 * (its outcome is the command's answer and a console event). Kept in memory: a job does not
 * outlive the daemon, and what a killed one left half-written is a hidden file replaced next time.
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

        Job(int id, Kind kind, String partition, String file) {
            this.id = id;
            this.kind = kind;
            this.partition = partition;
            this.file = file;
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
        }

        void advance(long bytes) {
            done.addAndGet(bytes);
        }

        /** Progress reported by another process (the storage server copying a disk). */
        void progress(long doneBytes, long totalBytes) {
            total.set(totalBytes);
            done.set(doneBytes);
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

    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, Job> jobs = new ConcurrentHashMap<>();

    Job start(Kind kind, String partition, String file) {
        for (Job j : jobs.values()) {
            if (j.partition.equals(partition) && j.kind != Kind.RESTORE && j.kind != Kind.DISK_MIGRATION) {
                throw ModelException.of(ModelException.Kind.INVALID_STATE, "The partition " + partition + " is "
                        + "already being " + (j.kind == Kind.BACKUP ? "backed up" : "cloned") + " (job " + j.id
                        + "): wait for it or cancel it with rmlparjob.");
            }
        }
        Job j = new Job(ids.incrementAndGet(), kind, partition, file);
        jobs.put(j.id, j);
        return j;
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
            Job j = new Job(ids.incrementAndGet(), Kind.DISK_MIGRATION, vios, device);
            jobs.put(j.id, j);
            return j;
        }
    }

    void end(Job j) {
        jobs.remove(j.id);
    }

    /** The jobs in progress, oldest first. */
    public List<Job> list() {
        List<Job> out = new ArrayList<>(jobs.values());
        out.sort(java.util.Comparator.comparingInt(Job::id));
        return out;
    }

    /** Asks job {@code id} to stop; HSCL8012-style refusal when there is no such job. */
    public void cancel(int id) {
        Job j = jobs.get(id);
        if (j == null) {
            throw ModelException.of(ModelException.Kind.INVALID_VALUE, "There is no partition job " + id
                    + " in progress (lslparjob lists them).");
        }
        j.cancelled = true;
    }
}
