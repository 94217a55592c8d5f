/**
 * Partition operations: everything that changes a partition's running state (activate, shut down,
 * restart, DLPAR; later mobility, suspend). {@code hmc} translates the HMC grammar into calls on
 * {@link io.parvirt.partition.PartitionOperations}; this package decides what to run and asks the
 * mechanisms below ({@code hypervisor}, {@code vswitch}, {@code vios}, {@code dispatch}) to do it.
 *
 * <p>The step from a profile plus the system's state to a QEMU launch is a pure function,
 * {@link io.parvirt.partition.LaunchPlanner#plan}: the service first gathers every fact it depends
 * on into a {@link io.parvirt.partition.LaunchEnvironment} (free capacity, images, MAC addresses in
 * use, the client's virtual SCSI mappings and their VIOSes' states), so golden files can pin the
 * result down and {@code chsysstate -o on --test} can show it without starting anything.
 *
 * <p><b>Snapshots</b> (issue 19, {@link io.parvirt.partition.PartitionSnapshots}): the VIOS's disk
 * layers ({@code vios.DiskSnapshots}) and, for a running partition, its memory at the same instant
 * ({@code Hypervisor.snapshot}); a revert with memory starts the partition from the memory file as
 * a resume does. The records are JSON files in the home, written whole. A partition removed with
 * {@code rmsyscfg -r lpar} takes its snapshots with it (records, memory files; the disk layers are
 * merged into disks that stay, or go with disks removed by {@code --vioscfg --vdisks}). Snapshots
 * of a partition on SAN LUNs move with it ({@code SnapshotMobility}: the layers beside each LUN and
 * the memory files in the SAN's reserved storage stay put, the records travel in the request and
 * the destination rebuilds each memory snapshot's machine for its host); snapshots in a storage
 * pool, and a linked clone not wholly on the SAN, are refused by mobility's source checks.
 *
 * <p><b>DLPAR</b> (issue 13). Processor policy (units, weight, mode, pool) only changes what the
 * dispatcher grants ({@code ProcessorDlpar}). Virtual processors, dedicated cores and memory need
 * the guest ({@code GuestDlpar}): the change is checked whole ({@code system.ProcessorChange.procs},
 * {@code system.MemoryChange}: curr_min/curr_max, 0.05..1.0 units per VP, free whole cores, LMB
 * multiples, free memory; a refusal changes nothing), then {@code Hypervisor.dlpar} records what
 * is added before the guest gets it, has the partition's supervisor run the guest's part as a job
 * (QMP hot-plug and the guest agent; {@code hypervisor.GuestHotplug}) and records what the guest
 * then has; what it did not finish within {@code -w} is undone (adds) or kept as far as it got
 * (memory removal), reported with {@code HSCL1310}, and in {@code lssvcevents} either way. Moves
 * ({@code -o m}) check both sides first, take from the source, give to the target, and give back
 * to the source if the target fails. A DLPAR change and a snapshot taken or reverted to do not overlap on
 * one partition ({@code PartitionActivity}): the second is refused naming the first, before it changes
 * anything.
 *
 * <p><b>Virtual adapters</b> ({@code AdapterDlpar}). A q35 guest takes a hot-plugged PCIe device
 * only on a root port, and ports cannot be added later, so a partition starts with one
 * {@code pcie-root-port} per possible virtual slot (bounded; {@code hypervisor.QemuCommandLine}
 * says how they are laid out) and its adapters sit on their slot's port from the start. An adapter
 * DLPAR is checked against the adapters the partition runs with (its {@code LaunchSpec}), then
 * {@code Hypervisor.replug} has the supervisor bring the machine from the old adapters to the new
 * ({@code hypervisor.AdapterHotplug}: back end then device on an add; {@code device_del}, the
 * guest's {@code DEVICE_DELETED}, then the back end on a removal) and records the new ones in the
 * run record; a NIC's switch port follows its device. A VIOS command reaches running clients the
 * same way ({@code LiveMappings}): unmapped devices leave the guest before the VIOS stops serving
 * them, new ones are plugged once it serves them. The profile is not changed (unless {@code sync_curr_profile=1}, below).
 *
 * <p><b>Profiles and DLPAR.</b> A DLPAR changes the partition's {@code curr_*} figures, never a
 * profile, unless the partition has {@code sync_curr_profile=1}: then, after every DLPAR that
 * changed something (a partial one included), the profile it runs with ({@code curr_profile}) is
 * rewritten from its current configuration ({@code CurrentProfile}); a profile the current figures
 * no longer fit (edited or removed since) is left as it is and the console log says so. {@code
 * mksyscfg -r prof -o save} writes the same current configuration (curr_min/curr/curr_max of
 * processors, units and memory as min/desired/max; weight, sharing mode, pool; the virtual Ethernet
 * adapters it runs with; the rest from the profile it runs with) into a new profile, or over an
 * existing one only with {@code --force} (else {@code HSCL1308}); only an active partition has a
 * current configuration ({@code HSCL130C}). {@code rsthwres -r proc|mem} ({@code ResourceRestore})
 * brings a running partition back to the desired figures of the profile it runs with, after a
 * DLPAR that failed half-way or a series of changes to be undone: every step of every partition is
 * checked first (units and virtual processors in the order whose step in between is valid, as for
 * {@code chhwres -o s --procs N [--procunits X]}: {@code ProcessorDlpar.plan}), then
 * each runs as an ordinary DLPAR, those giving resources back before those taking them; a target
 * outside {@code curr_min..curr_max} is refused whole. {@code -r io} has nothing to do: no physical
 * I/O slot is ever assigned here.
 *
 * <p>The memory engine is <b>virtio-mem</b>, not ACPI DIMMs or the balloon: it plugs and unplugs at
 * block granularity (2 MB here), the guest driver reports exactly what it has (QEMU's {@code size}
 * follows {@code requested-size}), so {@code run_mem} is never a guess; a removal the guest cannot
 * finish is visibly partial instead of a DIMM that never leaves; and unplugged memory goes back to
 * the host (holes punched in the backend). A balloon would leave the memory "assigned" and the
 * guest's MemTotal unchanged. DIMMs come in whole slots (8 at most) and an unplug is all or nothing.
 * The guest boots with its profile's {@code min_mem}; the rest up to {@code max_mem} is the device,
 * of which the activation requests what it gave above the minimum. virtio-mem can only take back
 * what it plugged, so this is what lets DLPAR go down to {@code curr_min_mem}; the kernel onlines
 * what it plugs into ZONE_MOVABLE ({@code memhp_default_state=online_movable}; the image has no
 * udev), where nothing unmovable lands, so it can be removed again. The kernel's own memory must
 * fit in {@code min_mem}. The backend is a memfd mapped shared (see {@code QemuCommandLine}), ready
 * for a vhost-user back end.
 *
 * <p><b>Lifecycle</b> (issue 19). Pause and resume go to the partition's supervisor (QMP
 * {@code stop}/{@code cont} from its mailbox); {@link io.parvirt.partition.RunState#runState} is
 * parvirt's run state ({@code Paused}) beside the HMC's. A system profile and the auto_start
 * partitions start in one order ({@code SystemProfileStart}): VIOSes first, each until Running,
 * then the clients; every member is planned before any starts, its clients planned as if their
 * VIOSes ran ({@code LaunchEnvironment.assumingRunning}).
 *
 * <p><b>Live Partition Mobility</b> (issue 14). {@link io.parvirt.partition.Mobility} is the
 * source's side of {@code migrlpar}: it checks the source (Running, agent answering, no VIOS, no
 * {@code migration_disabled}, its virtual SCSI disks whole SAN LUNs, no virtual FC, at most {@code mobility.max_active} at once,
 * {@link io.parvirt.partition.Mobility#MAX_ACTIVE} unless set) and asks the target to check itself (name and id free, memory, processing units, VPs,
 * the adapters' virtual switches, the same memory region size, the image). The target is reached
 * through the seam {@link io.parvirt.partition.MobilityTarget} ({@code validate}, {@code prepare},
 * {@code complete}, {@code abort}); {@link io.parvirt.partition.MobilityReceiver} is its side in
 * this process, and {@link io.parvirt.partition.RemoteMobilityTarget} reaches another daemon's
 * receiver through its API over this system's connection to it (the four steps' JSON:
 * {@link io.parvirt.partition.MigrationMessages}). The target's QEMU starts from the source's running configuration as QEMU itself
 * reports it ({@code hypervisor.LaunchSpec#current}: vCPUs plugged, virtio-mem size), on a pinned
 * machine type with fixed PCI addresses and the same MACs (written into the moved profiles), with
 * {@code -incoming defer}; the supervisors run the stream ({@code hypervisor.QemuMigration}
 * explains the steps and why auto-converge rather than post-copy). The source's guest stays
 * paused, not gone, until the target runs it; only then is the source reclaimed (QEMU, cgroup,
 * run directory, switch ports, definition). A stop or failure before that leaves it running on
 * the source and removes what the target was given. {@code migrlpar -o m} does not ask the target
 * to validate before its prepare step (which makes the same checks and leaves nothing behind when
 * it refuses): one round trip fewer; only a refusal asks for the target's whole list. The waits on
 * the path wake on QEMU's events and the supervisor's arrival, not on poll intervals. The target
 * keeps the partitions it is receiving in a file of its home ({@code IncomingMigrations}), so a
 * target daemon killed mid-migration comes back knowing them as arrivals that never completed:
 * shown migrating, never activated, resumed or completed there, removed by the source's
 * {@code migrlpar -o r}, or by the source's background retry of an unsettled migration (it asks
 * the target again with a growing wait until it answers, as {@code -o r} would).
 * {@code lslparmigr -r msp|procpool|virtualio} ({@link
 * io.parvirt.partition.MigrationOptions}) asks the target what it could give ({@code offer}).
 *
 * <p><b>Virtual SCSI disks in mobility</b> ({@code ScsiMobility}): a partition moves with disks
 * that are whole SAN LUNs ({@code vios.San}: every VIOS of both systems sees them, matched by unique
 * identifier); a pool's logical volume, a file-backed disk or an optical drive is refused
 * ({@code HSCLA24E}, parvirt's code), a destination none of whose running VIOSes can map an
 * adapter's LUNs too ({@code HSCLA319}, the HMC's as remembered). The destination gives its first
 * such VIOS a server adapter (lowest free slot, naming the client) and the mappings (the same LUN
 * indexes, the source's VTD names when free) through the VIOS service's change path, which makes
 * its storage server serve them, before the target QEMU starts on those exports; the moved profiles
 * name that VIOS. Success removes the source's mappings and the server adapters that paired with
 * the client; failure, stop and recovery the destination's (found by pairing, so a restarted
 * destination finds them too). Inactive mobility moves the mappings the same way.
 *
 * <p><b>Inactive mobility</b>: a Not Activated partition moves its definition and every profile
 * (with the default profile; parvirt keeps no record of the profile last activated). The target
 * defines it, both systems show {@code Migrating - Not Activated} and refuse to activate it until
 * the target completes, then the source removes it. At most {@code mobility.max_inactive} at once.
 *
 * <p><b>Suspend and resume</b> ({@code chlparstate}, {@code Suspension}): a migration whose target
 * is a saved state file on the storage of the VIOS that serves the partition's first disk (else in
 * the home). The supervisor streams it as a migration's source (Suspending), the hypervisor keeps
 * the record that makes it Suspended ({@code hypervisor.SavedStates}), and a resume is an incoming
 * migration from the file (Resuming) on a QEMU of the machine as it ran. A Suspended partition
 * holds nothing, is not activated or removed, and is shut down with {@code chlparstate -o shutdown}
 * (its saved state deleted). When its first disk is a SAN LUN its saved state is in the SAN's
 * reserved storage, and it moves by inactive mobility to a system on the same SAN, where it is
 * Suspended and resumes; any other saved state is this system's alone and is refused a move.
 */
package io.parvirt.partition;
