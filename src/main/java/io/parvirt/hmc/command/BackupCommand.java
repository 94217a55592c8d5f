package io.parvirt.hmc.command;

import java.util.Objects;

/**
 * parvirt's own commands for partition backup, restore and full clone (issue 19), in the HMC's
 * style: {@code bklpar}, {@code rstlpar}, {@code cplpar}, {@code migrdisk} (a VIOS's disk moved to
 * another storage pool), and the long operations they run,
 * {@code lslparjob} and {@code rmlparjob}. Archive files are plain names in the home's backup
 * directory.
 */
public sealed interface BackupCommand extends HmcCommand {
    String system();

    /** {@code bklpar -m SYS {-p NAME | --id N} -f FILE [--force]}. */
    @Verb("bklpar")
    record BackupPartition(String system, PartitionRef partition, String file, boolean force)
            implements BackupCommand {
        public BackupPartition {
            Objects.requireNonNull(system);
            Objects.requireNonNull(partition);
            Objects.requireNonNull(file);
        }
    }

    /**
     * {@code rstlpar -m SYS -f FILE [-n NEW_NAME] [--newid N]}: null name and id keep the archive's
     * name, take a free id. {@code sent}: the archive comes with the request (another console's
     * {@code rstlpar -m} this system, {@code POST /api/v1/backups/FILE/receive}), not from the backups
     * directory; null otherwise.
     */
    @Verb("rstlpar")
    record RestorePartition(String system, String file, String name, Integer id, SentArchive sent)
            implements BackupCommand {
        public RestorePartition {
            Objects.requireNonNull(system);
            Objects.requireNonNull(file);
        }

        public RestorePartition(String system, String file, String name, Integer id) {
            this(system, file, name, id, null);
        }
    }

    /**
     * An archive's bytes as a request brings them, read once, and how many (-1: not said). The stream
     * is opened only once the request is accepted: opening it answers a client's
     * {@code Expect: 100-continue}, and a refusal after that would close a connection the client is
     * still sending on, so it would get no answer at all.
     */
    record SentArchive(java.util.function.Supplier<java.io.InputStream> in, long length) {
        public SentArchive {
            Objects.requireNonNull(in);
        }
    }

    /**
     * {@code cplpar -m SYS {-p NAME | --id N} -n NEW_NAME [--newid N] [--linked]}: {@code linked},
     * disks that are copy-on-write layers over a snapshot of the source's.
     */
    @Verb("cplpar")
    record ClonePartition(String system, PartitionRef source, String name, Integer id, boolean linked)
            implements BackupCommand {
        public ClonePartition {
            Objects.requireNonNull(system);
            Objects.requireNonNull(source);
            Objects.requireNonNull(name);
        }

        public ClonePartition(String system, PartitionRef source, String name, Integer id) {
            this(system, source, name, id, false);
        }
    }

    /**
     * {@code migrdisk -m SYS {-p VIOS | --id N} -bd DEVICE -sp POOL [--rate MB_PER_S]}: moves a
     * backing device to another storage pool of its VIOS while its client runs; 0: no rate cap.
     */
    @Verb("migrdisk")
    record MigrateDisk(String system, PartitionRef vios, String device, String pool, int mbPerSecond)
            implements BackupCommand {
        public MigrateDisk {
            Objects.requireNonNull(system);
            Objects.requireNonNull(vios);
            Objects.requireNonNull(device);
            Objects.requireNonNull(pool);
        }
    }

    /** {@code lslparjob -m SYS [-F ...] [--header]}. */
    @Verb("lslparjob")
    record ListJobs(String system, Format format) implements BackupCommand {
        public ListJobs {
            Objects.requireNonNull(system);
            Objects.requireNonNull(format);
        }
    }

    /** {@code rmlparjob -m SYS --id N}: cancels job N. */
    @Verb("rmlparjob")
    record CancelJob(String system, int id) implements BackupCommand {
        public CancelJob {
            Objects.requireNonNull(system);
        }
    }
}
