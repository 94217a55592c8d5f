/**
 * The POWER Hypervisor's part of running a partition: one process per active partition, owned by
 * one {@link io.parvirt.hypervisor.PartitionSupervisor}. Policy, process and protocol live apart:
 *
 * <ul>
 *   <li><b>Policy</b> — {@code PartitionSupervisor} owns a partition's process, monitor, agent,
 *       console and state; its one virtual thread takes {@code Command}s from a mailbox (requests
 *       answered through futures, process and monitor reports, job outcomes) and applies
 *       {@code SupervisorPolicy}: states, reference codes, which request waits for, cancels or
 *       pre-empts which long operation. Long operations ({@code Job}: launch, boot wait, delayed
 *       and hard stop; bodies in {@code SupervisorJobs}) run beside the mailbox and report to it,
 *       so {@code shutdown --immed} cuts a delayed shutdown, a boot wait or a DLPAR short. A DLPAR
 *       ({@code Command.Resize}, a {@code Job.Kind.DLPAR} running {@code GuestHotplug}) is taken
 *       only while Running with the agent answering; another DLPAR, a restart or a delayed
 *       shutdown waits behind it. A pause ({@code Command.Pause}: QMP {@code stop}/{@code cont},
 *       one quick monitor command on the owner's thread) waits behind a DLPAR; a paused guest
 *       takes no DLPAR or guest command; a delayed shutdown or a restart resumes it first; an
 *       adopted process found paused ({@code query-status}) is Running and paused at once.
 *       {@link io.parvirt.hypervisor.Hypervisor} holds all supervisors, run records and re-adoption.</li>
 *   <li><b>Process</b> — a {@code PartitionRunner} per kind of partition: {@code QemuGuestRunner}
 *       (QEMU from {@link io.parvirt.hypervisor.QemuProcess}, its launcher injectable so tests spawn
 *       none) and {@code StorageServerRunner} (a VIOS, whose operating system is parvirt's storage
 *       server, {@link io.parvirt.hypervisor.StorageServerProcess}: a JVM of its own in the
 *       partition's cgroup; SIGTERM is its shutdown, SIGHUP makes it re-read its exports). Both are
 *       detached and re-adopted by pid file and the partition's UUID on the command line. QEMU is
 *       confined (issue 12): its seccomp filter with every optional set denied, and under a root
 *       daemon the unprivileged {@link io.parvirt.hypervisor.QemuUser}, which may reach only its run
 *       directory, its image files and its VIOS's NBD sockets.</li>
 *   <li><b>Protocol</b> — {@code qmp} (one method per command) and {@code qga}. The QEMU command
 *       line is a pure function of a {@link io.parvirt.hypervisor.LaunchSpec}; a client's virtual
 *       SCSI devices are {@link io.parvirt.hypervisor.LaunchSpec.ScsiDevice}s (virtio-scsi with
 *       NBD-backed {@code scsi-hd}/{@code scsi-cd}).</li>
 * </ul>
 *
 * <p><b>Suspend and resume</b> (issue 14) reuse the migration steps: a suspend is
 * {@code Command.Migrate} with the partition Suspending, to a Unix socket where the daemon writes
 * the stream into the saved state file ({@code StateFile}: why not {@code fd:}, and why never a
 * half file); once the file is whole its record is written ({@code SavedStates}) and the QEMU
 * ends, leaving the partition Suspended; a resume is {@code Command.Receive} (Resuming) fed from
 * the file. Re-adoption stops a QEMU whose partition has a suspended record.
 *
 * <p>The tests run the policy against a monitor and an agent replaying what QEMU 7.2 and qemu-ga
 * answered here ({@code src/test/resources/qmp}, {@code qga}), with {@code sleep} as the process.
 */
package io.parvirt.hypervisor;
