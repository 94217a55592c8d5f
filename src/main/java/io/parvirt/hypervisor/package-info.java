/**
 * The POWER Hypervisor's part of running a partition: one QEMU process per active partition,
 * supervised by one owner ({@link io.parvirt.hypervisor.PartitionSupervisor}) that holds its
 * process, monitor, agent, console and state. Policy (states, reference codes) lives here; the
 * process is {@link io.parvirt.hypervisor.QemuProcess}; the protocols are in {@code qmp} and
 * {@code qga}. The QEMU command line is a pure function of a {@link io.parvirt.hypervisor.LaunchSpec}.
 *
 * <p>A VIOS is the one partition that runs no QEMU: its operating system is parvirt's storage
 * server ({@link io.parvirt.hypervisor.StorageServerProcess}), a JVM of its own in the
 * partition's cgroup, whose threads the dispatcher treats as the partition's processors. It is
 * detached and re-adopted like QEMU; SIGTERM is its shutdown, SIGHUP makes it re-read its exports.
 * A client partition's virtual SCSI devices are {@link io.parvirt.hypervisor.LaunchSpec.ScsiDevice}s:
 * virtio-scsi controllers and NBD-backed {@code scsi-hd}/{@code scsi-cd} on the command line.
 */
package io.parvirt.hypervisor;
