/**
 * Partition operations: everything that changes a partition's running state (activate, shut down,
 * restart; later DLPAR, mobility, suspend). {@code hmc} translates the HMC grammar into calls on
 * {@link io.parvirt.partition.PartitionOperations}; this package decides what to run and asks the
 * mechanisms below ({@code hypervisor}, {@code vswitch}, {@code vios}, {@code dispatch}) to do it.
 *
 * <p>The step from a profile plus the system's state to a QEMU launch is a pure function,
 * {@link io.parvirt.partition.LaunchPlanner#plan}: the service first gathers every fact it depends
 * on into a {@link io.parvirt.partition.LaunchEnvironment} (free capacity, images, MAC addresses in
 * use, the client's virtual SCSI mappings and their VIOSes' states), so golden files can pin the
 * result down and {@code chsysstate -o on --test} can show it without starting anything.
 */
package io.parvirt.partition;
