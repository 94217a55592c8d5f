/**
 * Backup, restore and full clone of a partition (issue 19), as parvirt's own commands in the HMC's
 * style ({@code bklpar}, {@code rstlpar}, {@code cplpar}, {@code lslparjob}, {@code rmlparjob}) and
 * the REST API; and a VIOS's disk moved to another storage pool while it is served ({@code migrdisk},
 * {@link io.parvirt.partition.backup.DiskMigrations}), a job like them.
 *
 * <h2>Decisions</h2>
 * <ul>
 * <li><b>One archive file</b> ({@link io.parvirt.partition.backup.BackupArchive}): the partition's
 *     definition and every profile, the VIOS mappings of its virtual SCSI disks (VIOS, server and
 *     client slot, pool, backing device, size) and the disks' contents, sparse (only ranges that
 *     hold data, found with {@code SEEK_DATA}/{@code SEEK_HOLE}, and of those only blocks that are
 *     not all zeros) and compressed (zstd level 1 on its own thread, as {@code tar -S | zstd -1}).
 *     A footer at a fixed place gives the lengths and a SHA-256 of the whole: a truncated or
 *     damaged file is refused with one line before anything is created. Archives live in the
 *     home's {@code backups/} directory under plain names (as {@code bkprofdata}'s files live in
 *     {@code profiles/}): a command names a file there, never a host path. To restore on another
 *     managed system, an HMC connected to it sends its own copy over that system's API
 *     ({@link io.parvirt.partition.backup.RemoteRestore}: streamed, checked whole on both sides,
 *     not kept there); else the file is copied into that host's {@code backups/} by other means.</li>
 * <li><b>A running partition</b> is backed up as of one instant without stopping it: its QEMU
 *     copies every disk with {@code blockdev-backup sync=full} (one QMP transaction for all disks)
 *     from its {@code nbd} block node into an NBD export this daemon serves on a scratch file
 *     beside the disk ({@link io.parvirt.partition.backup.PointInTimeCopy}); the VIOS stays the
 *     owner of the disk's data path. Snapshots of the storage server are not used.</li>
 * <li><b>Restore and clone</b> make a partition from the archived (or the source's) definition:
 *     the given name or its own, the given id or the lowest free. Under a new name it gets a new
 *     UUID and the system's MAC addresses; under its own name (a partition gone from here, or on
 *     another system) it keeps them. Each virtual SCSI client adapter with disks is served by the
 *     VIOS of the same name here, else by the only VIOS; a new server adapter is added to that
 *     VIOS's default profile in its lowest free slot, naming the new partition (so it pairs with
 *     nothing else), and the disks are new backing devices in the pool of the same name (else the
 *     default pool; a name in use gets {@code _N}) mapped on it as {@code vtscsiN}. A restored
 *     partition's virtual optical drives are made again on the same VIOS as its disks would be,
 *     each loaded with the medium it held, by name, from that VIOS's repository
 *     ({@code vios.OpticalPlacement}; a missing medium is refused before anything is made): media are
 *     not archived (install images, shared by partitions, as large as they are). A clone's client
 *     adapters without disks are not carried over, nor its source's drives.</li>
 * <li><b>Linked clones</b> ({@code cplpar --linked}, {@code ?linked=true}): the source (Not Activated or
 *     Running: disk-only, frozen through its agent) gets snapshot {@code linked.NEWNAME}, listed with its
 *     others, and the copy's disks are new backing devices whose layers lie over that snapshot's
 *     ({@code vios.nbd.LinkedClones#link}): nothing is copied, the source writes on, the copy sees the point.
 *     While the copy's disks exist, that snapshot, the source's disk ({@code rmbdsp}) and the source
 *     partition ({@code rmsyscfg}) are refused with one line; removing the copy with
 *     {@code --vioscfg --vdisks} frees them. Name, id, UUID and MACs as for a full copy.</li>
 * <li><b>Order: check, write, then define.</b> The archive whole, the name and id, every profile
 *     (as {@code mksyscfg} checks one), the VIOS, the pools' room: all before a byte is written.
 *     The disks are written into hidden files beside their places and renamed into place with the
 *     VIOS change that adds them; the partition is defined just before. A cancel or failure removes
 *     the hidden files and leaves nothing.</li>
 * <li><b>Jobs.</b> The command returns when the operation is over (silent success, as an HMC
 *     command); while it runs {@code lslparjob} lists it with its phase ({@code copying},
 *     {@code writing}, {@code verifying}, {@code restoring}) and bytes done of the phase's total,
 *     and {@code rmlparjob --id N} cancels it (the command then answers HSCL1310 and removes what
 *     it made). The jobs in progress are kept in the home ({@code lparjobs.json}, rewritten whole at
 *     each start, phase and end, never per block): a daemon killed mid-job comes back listing it
 *     {@code interrupted} (with the phase it was in) and having deleted the partial files it had
 *     named there (a linked copy's layer directory {@code .NAME.snap} too, unless device
 *     {@code NAME} was committed before the kill); {@code rmlparjob} then removes it from the list.
 *     Nothing resumes.</li>
 * </ul>
 */
package io.parvirt.partition.backup;
