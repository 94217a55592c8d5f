/**
 * The POWER Hypervisor's part of running a partition: one QEMU process per active partition,
 * supervised by one owner ({@link io.parvirt.hypervisor.PartitionSupervisor}) that holds its
 * process, monitor, agent, console and state. Policy (states, reference codes) lives here; the
 * process is {@link io.parvirt.hypervisor.QemuProcess}; the protocols are in {@code qmp} and
 * {@code qga}. The QEMU command line is a pure function of a {@link io.parvirt.hypervisor.LaunchSpec}.
 */
package io.parvirt.hypervisor;
