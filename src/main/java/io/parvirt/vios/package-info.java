/**
 * The Virtual I/O Server's storage command layer (issue 6): what {@code viosvrcmd -c} runs on a
 * partition with {@code lpar_env=vioserver}, as state and output. The data path, the NBD server
 * that serves the files to client partitions, is {@link io.parvirt.vios.nbd}; {@link io.parvirt.vios.ViosService#mappedDevicesOf}
 * is what a client's activation asks: each device it sees, with its client slot, LUN, file, kind,
 * read-only; {@link io.parvirt.vios.ViosService#exportsOf} is what the VIOS's storage server serves.
 *
 * <h2>Decisions (where the reference does not settle it)</h2>
 * <ul>
 * <li><b>The VIOS need not run.</b> A real HMC needs RMC to the VIOS; here storage configuration
 *     is the daemon's own, so every command works whether the VIOS partition runs or not.</li>
 * <li><b>Adapters.</b> {@code vhostN} are the server entries of the VIOS's <em>default
 *     profile's</em> {@code virtual_scsi_adapters}, numbered in slot order. A vhost pairs with the
 *     client adapter (in another partition's default profile) that names this VIOS and slot, and
 *     whose partition and slot the server adapter names when it names them. Mappings are stored by
 *     server slot, so adding an adapter in a lower slot renumbers vhosts but keeps mappings.
 *     {@code lsmap} prints the paired client's id whether or not that client runs (a real VIOS
 *     prints 0x00000000 for a client that is not running), and 0x00000000 when none pairs.</li>
 * <li><b>rootvg</b> ({@link io.parvirt.vios.RootVg}): every VIOS has it from the start, as a real
 *     one does, an LVPOOL of 32704 MB (511 partitions of 64 MB on hdisk0) of which the VIOS's own
 *     logical volumes take 12288 MB (20416 MB free); its backing devices are sparse files in
 *     {@code <home>/vios/<id>/pools/rootvg/}, sized in whole 64 MB partitions. It is the default
 *     pool until {@code chsp -default} names another; {@code rmsp rootvg} is refused.</li>
 * <li><b>Other pools are file pools</b> (FBPOOL): a directory {@code <home>/vios/<id>/pools/<name>}
 *     with a capacity. {@code mksp -fb NAME -size S}; the parent form {@code -sp PARENT} is refused
 *     (file pools stand alone, not inside rootvg). {@code rmsp} of the default makes the first
 *     remaining pool (rootvg) the default. {@code rmsp} only removes a pool with no backing devices
 *     and no repository. {@code lssp}'s Alloc Size(mb) is 1 for a file pool.</li>
 * <li><b>Thin files, full accounting.</b> A backing device is a sparse file; the pool's free space
 *     counts every device's full size and the repository's size, so the sum never exceeds the pool.
 *     Sizes are whole MB ({@code 512}, {@code 512M}) or GB ({@code 10G}), 1 MB to 16 TB.</li>
 * <li><b>Names.</b> Pools, backing devices, VTDs (and vhostN) share one name space per VIOS, 1 to
 *     15 characters of {@code [A-Za-z0-9_.-]} not starting with '.'; media names up to 64. Names
 *     are file names, so nothing can point outside the VIOS's directory.</li>
 * <li><b>rmbdsp.</b> {@code rmbdsp -bd NAME} refuses a mapped backing device (the VIOS removes it
 *     and a client using it sees I/O errors; parvirt asks for {@code rmvdev} first).
 *     {@code rmbdsp -vtd VTD [-savebd]} removes the mapping and, without -savebd, the device, as
 *     IBM documents. {@code rmvdev} removes only the mapping. A removed device's snapshot layers
 *     ({@code .NAME.snap/}) go with its file.</li>
 * <li><b>Mappings.</b> A backing device is mapped once. Default names are vtscsiN and vtoptN with
 *     the lowest free N; a new target takes the lowest LUN free on its adapter (0x81..., 0x82...).
 *     {@code mkvdev} prints {@code <vtd> Available}.</li>
 * <li><b>A backing file deleted under a mapping</b> is not an error: lsmap, lsdev and lssp -bd show
 *     the device with status {@code Defined} instead of {@code Available}; lssp's accounting is
 *     unchanged (the device is still defined). The same holds for a loaded medium's file.</li>
 * <li><b>Media.</b> One repository per VIOS ({@code <home>/vios/<id>/repository}), its size taken
 *     from a pool. {@code mkvopt -file} copies the host file into it (a partial copy is never seen:
 *     it is moved into place); {@code -size} makes a blank sparse medium. A read-write medium loads
 *     in one drive; read-only ones in several. {@code rmvopt} refuses a loaded medium unless -f,
 *     which unloads it. {@code unloadopt} of an empty drive is an error.</li>
 * <li><b>Errors.</b> A refused VIOS command prints one line {@code <command>: <sentence>} (which
 *     {@code viosvrcmd} prints after the HMC's {@code HSCL2970 The IOServer command has failed because
 *     of the following reason: }, as an HMC does) naming
 *     the device and the rule, exits 1 and changes nothing (state and files). An unknown command
 *     lists the valid ones. HMC-side errors (unknown partition, not a VIOS) are HSCL lines.</li>
 * <li><b>lsdev -virtual</b> lists only vhostN and the virtual target devices (plain {@code lsdev}
 *     lists every device); descriptions
 *     "Virtual Target Device - File-backed Disk" / "- File-backed Optical".</li>
 * <li><b>Devices tools inventory</b> (issue 15, {@code DeviceCommands}): {@code hdisk0} is the
 *     VIOS's boot disk in rootvg (32768 MB, PVID derived from the partition's UUID; {@code lspv
 *     -free} lists nothing), {@code entN} are the default profile's virtual Ethernet adapters in
 *     slot order, then one Shared Ethernet Adapter per trunk adapter ({@code real_adapter} names
 *     its host TAP), {@code vsa0}, the vhosts and the VTDs. {@code entstat} counts from the
 *     switch port, turned to the adapter's side. No Fibre Channel: {@code fcstat} and {@code lsmap
 *     -npiv} answer as a VIOS without it. {@code ioslevel} is 3.1.4.30. {@code -fmt D} output has
 *     no header and a blank for an empty field.</li>
 * <li><b>The SAN</b> ({@link io.parvirt.vios.San}, issue 14): the daemon setting {@code vios.san=DIR}
 *     names a directory that plays the SAN; each regular file in it (a medium-like name, not starting
 *     with '.') is a LUN every VIOS of the system sees as a physical volume {@code hdisk1},
 *     {@code hdisk2}, ... in the order of the LUNs' names. The file name is the LUN's identity: the
 *     identifier {@code chkdev} prints and the PVID derive from it, so two systems on the same
 *     directory see the same disk under the same identifier (what mobility matches; a real site
 *     zones multipath block devices to both). {@code lspv} lists them in no VG ({@code -free}: those
 *     no VIOS of the system maps). {@code mkvdev -vdev hdiskN} maps a whole LUN (a target of kind
 *     PV, stored by LUN name so it follows the LUN when hdisks renumber; the store's backing
 *     column, which refers to pool devices, stays empty for it), once per VIOS and, across the
 *     system's VIOSes, for one client only; {@code hdisk0} (rootvg) is refused. The storage server
 *     serves the LUN's file like a backing device's, snapshots too ({@code DiskSnapshots}: the
 *     layers in {@code .LUN.snap/} beside it, on the SAN, so they move with the partition). A LUN
 *     whose file is gone leaves its mapping Defined, named by its LUN.</li>
 * <li><b>Removing a VIOS partition's definition</b> keeps its storage rows and files.</li>
 * <li><b>What a running VIOS serves</b> ({@link io.parvirt.vios.ViosService#exportsOf}): one NBD
 *     export per mapping on a server adapter that pairs with a client, named by its VTD (so its
 *     socket is {@code nbd/<vtd>.sock}, one per mapping); every disk, and every optical drive with
 *     a medium loaded, always read-only (a CD drive does not write, whatever the medium's access).
 *     A mapping on an unpaired adapter is served by nobody. The daemon rewrites the exports after
 *     each viosvrcmd that changes them and signals the server; clients see the change at their
 *     next activation.</li>
 * <li><b>Disks that arrive whole</b> ({@link io.parvirt.vios.DiskPlacement}, issue 19: a restored or
 *     cloned partition's disks): planned first (pool of the same name, else the default; a name in
 *     use gets {@code _N}; the pool's room checked), written into hidden {@code .NAME.incoming}
 *     files beside their places by the caller, then renamed into place in the same change that adds
 *     the backing devices and maps them ({@code vtscsiN}, lowest free LUN) on the given server slot.</li>
 * <li><b>rmvdev or unloadopt while the client runs</b> withdraw the export at once: the running
 *     client's requests to it wait for the reconnect delay and then fail (a real VIOS gives the
 *     client errors too). parvirt does not refuse it; hot-remove belongs to DLPAR.</li>
 * </ul>
 *
 * <h2>The disk data path: who owns it (issue 17 measured it, issue 19 builds on it)</h2>
 * Measured with fio inside a TCG partition ({@code bench/guest-fio.sh}, figures and command in
 * {@code bench/RESULTS.md}): the same QEMU, the same file, the same cache mode (host page cache,
 * flushes honoured) through the VIOS (NBD) against the file attached directly under the same
 * {@code scsi-hd} and under virtio-blk. Medians of 3 interleaved rounds on a quiet host
 * (2026-12-05 00:40 UTC), VIOS / direct {@code scsi-hd}: 4 KiB random read 0.92 (depth 1) and 1.09
 * (depth 16), random write 0.89 and 1.06, 1 MiB sequential read 0.97 and write 0.41 (at depth 4).
 * Every virtio-scsi controller now runs in the partition's I/O thread, and QEMU's NBD client with
 * it, instead of the main loop under QEMU's global lock (two A/B runs on a loaded host: depth-1
 * write 0.74 and 0.78 without it, 0.85 and 0.88 with it; 1 MiB read 0.81 and 0.70, 0.89 and 0.93;
 * depth-1 read 0.99 and 0.84, 0.84 and 0.84, within the runs' noise). The row under 0.8 is the large write: the server copies each byte twice
 * (socket to its buffer, buffer to the page cache) on the connection's one thread, which
 * {@code perf} finds busy with those copies and ext4's work around them, where the direct file
 * copies once, on four worker threads. A second thread per connection writing each piece while
 * the next arrives was measured slower on these 2 cores (more CPU per byte for the hand-offs,
 * none to spare). The payload is now spliced from the socket into the file ({@code vios.nbd}'s
 * {@code PayloadPipe}; the socket's descriptor through {@code --add-exports java.base/sun.nio.ch}),
 * which saves one of the server's two copies (about a fifth of its thread's CPU, bench/RESULTS.md);
 * a copy-free path (the guest's buffers in shared
 * memory, {@code vhost-user-scsi} served by the VIOS) is what would close it.
 * <ul>
 * <li><b>Where the time goes.</b> Not in the server's code: its JVM used 0.01-0.04 of a core
 *     during the VIOS runs (0.10 at most), and a JFR recording of it over the measured rounds
 *     (1067 s) caught Java code running in 33 execution samples; of its 43,927 native samples
 *     43,701 wait in {@code epoll} for a request, 146 in the socket's {@code write} (a 1 MiB READ
 *     reply did not fit the Unix socket's default 208 KiB send buffer, so the server waited for
 *     QEMU to drain it; a large READ now goes by {@code sendfile} through a 4 MiB send buffer, see
 *     {@code vios.nbd}), 40 in {@code pwrite}, 26 in socket {@code read}, 11 in
 *     {@code pread}. The server syncs only on FLUSH and FUA (no {@code fdatasync} per write; the
 *     guest's {@code scsi-hd} has its write cache on, so {@code --direct=1} writes send neither,
 *     and JFR saw no {@code force}). QEMU 7.2's NBD client keeps
 *     one connection per device and has no multi-conn ({@code multi-conn} is an unknown
 *     {@code -blockdev} parameter), so the server's CAN_MULTI_CONN serves only libnbd clients; a
 *     second connection per device would need a second block node the guest cannot stripe over.
 *     A write's payload is copied three times (guest memory to the socket, socket to the server's
 *     buffer, buffer to the page cache) where the direct path copies once (a large READ's data
 *     once, as there: the server's {@code sendfile} hands page-cache pages to the socket by
 *     reference and QEMU's receive copies them into guest memory); at these rates (at most
 *     a few hundred MiB/s, TCG-bound) that is well under a millisecond per second of I/O. What a
 *     request pays on top is one more process to wake on each side of the socket, on a host whose
 *     2 cores carry load 15-19 from other sessions: that is a scheduling cost, and any
 *     out-of-process back end pays it (see below). The spread between rounds (on
 *     one path from one round to the next, up to 10x) is larger than the difference between the paths.</li>
 * <li><b>Recommendation: keep NBD as the transport and parvirt's server as the data path's
 *     owner; build issue 19 on the client QEMU's block jobs and on the server's file.</b>
 *     <ul>
 *     <li><i>Mirroring for disk migration</i> and <i>backup</i> need nothing new from the VIOS: the
 *         client QEMU holds an {@code nbd} block node, so {@code blockdev-mirror} to the target
 *         VIOS's export (an NBD client node on its socket) and {@code blockdev-backup} (or a pull
 *         backup through dirty bitmaps) run in the client's block layer as for any disk. The server
 *         already gives what a mirror target needs: FLUSH durable across connections, WRITE_ZEROES
 *         with NO_HOLE and FAST_ZERO, TRIM as holes.</li>
 *     <li><i>Snapshots</i> belong to the VIOS (it owns the storage; a client must not see or keep
 *         them). Copy-on-write there is cheapest as the file system's: {@code FICLONE}
 *         (reflink) gives a frozen copy of a backing file at once on XFS and btrfs; on ext4 (this
 *         host) there is none. <b>Built (issue 19):</b> an overlay of parvirt's own,
 *         {@link io.parvirt.vios.nbd.Overlay} beside {@code BackingFile}: the file frozen as the
 *         base, a delta file and a written-block bitmap per layer, flushed data before bits, the
 *         layers a tree (revert puts a new top over a snapshot and keeps the others), deleting a
 *         snapshot merges the boundary it leaves. Served through the same export; the running
 *         server is asked on its control socket ({@code StorageServerProcess.controlSocket}).
 *         The export's pause is about 25 ms at 4 GiB and 16 GiB alike (bench/RESULTS.md), so a
 *         running partition's disk point costs QEMU's {@code stop} (drain and flush) plus that.
 *         Its memory state: QEMU 7.2's {@code background-snapshot} migration capability works
 *         here under TCG (checked by hand on a 256 MB q35 machine: {@code migrate "exec:cat > FILE"}
 *         completed in 1.0 s with 13 ms of downtime, the machine running after), so a partition
 *         need be paused only for the disk point and writes its RAM while it runs. Only where QEMU
 *         may open a userfaultfd: a QEMU confined to {@code qemu.user} may not while
 *         {@code vm.unprivileged_userfaultfd} is 0 (this host), and QEMU 7.2 refuses the capability;
 *         then a pre-copy migration to the file is used and the disk point is taken in its final
 *         stop ({@code hypervisor.BackgroundSnapshot}; the partition side is
 *         {@code partition.PartitionSnapshots}).</li>
 *     <li><i>qemu-storage-daemon as the owner</i> would bring qcow2, snapshots and every block
 *         job, but QEMU 7.2's daemon runs one NBD server per process: the exports of a VIOS would
 *         share one socket, and a mapping's isolation, which rests on each mapping having its own
 *         socket file (all partitions' QEMUs run as one user), would need one daemon per mapping.
 *         It also drops the per-export counters and status lines {@code lsmap} and the console
 *         show. Worth it only if parvirt wants qcow2 files in its pools.</li>
 *     <li><i>vhost-user-scsi</i> (keeps the virtual SCSI model; vhost-user-blk would not) saves a
 *         copy and QEMU's main loop, but under TCG there is no ioeventfd or irqfd in a kernel:
 *         every kick and completion still goes through QEMU's threads, so it saves no wake-up,
 *         which is what the hop costs here. It needs a SCSI target (INQUIRY, READ CAPACITY, MODE
 *         SENSE, READ/WRITE, UNMAP, SYNCHRONIZE CACHE, VPD pages, unit attentions) in the VIOS, and
 *         it takes the disk out of the client's block layer: mirroring and backup would then be
 *         the back end's to write as well. Revisit it with KVM, and share its vhost-user code
 *         with the switch's (issue 17's network half).</li>
 *     </ul></li>
 * </ul>
 */
package io.parvirt.vios;
