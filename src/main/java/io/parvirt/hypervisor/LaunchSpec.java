package io.parvirt.hypervisor;

import java.nio.file.Path;
import java.util.List;

/**
 * Everything the QEMU command line is made from: what the profile grants, the image, its virtual
 * Ethernet adapters, and where the partition's sockets live. {@link QemuCommandLine#of} turns it
 * into arguments and nothing else. Memory: the guest boots with {@code bootMemMb} (the profile's
 * minimum) and is given up to {@code memMb} at once, and may grow to {@code maxMemMb}, through
 * its virtio-mem device; memory DLPAR moves between {@code bootMemMb} and {@code maxMemMb}.
 * {@code qemuUser} is the unprivileged user QEMU runs as ({@link QemuUser}), or null for the
 * daemon's own user (a daemon that is not root, or {@code qemu.user=} empty).
 *
 * <p>{@code sharedMemory}: the guest's memory is a shared memfd the switch maps (vhost-user NICs),
 * decided at activation and kept for the run: a DLPAR that removes the last vhost-user NIC leaves
 * QEMU's memory as it was, so a suspend or a migration's target must still build it shared, and a
 * NIC added later is vhost-user again. Null (a run record written before the field) is derived
 * from the NICs, as it was then.
 *
 * <p>{@code diskPorts}: PCIe root ports ({@link #diskPortId}) for virtual SCSI disks attached as
 * vhost-user-blk devices ({@code vios.disk_transport=vhost-user-blk}, issue 17), made at
 * activation so that a disk mapped later can be hot-plugged into one; 0 (and null, a run record
 * from before) when the partition's disks go over NBD only.
 */
public record LaunchSpec(String qemuBinary, String name, int lparId, String uuid, long memMb, long maxMemMb,
        int vcpus, int maxVcpus, Accelerator accel, Path kernel, Path initramfs, Path disk, String cmdline,
        Path runDir, List<Nic> nics, List<ScsiDevice> scsi, StorageServer storageServer, long bootMemMb,
        int maxVirtualSlots, List<ScsiClient> scsiClients, String qemuUser, Boolean sharedMemory, Integer diskPorts) {

    /**
     * How many virtual slots get a PCIe root port at activation, at most (from slot 2, the first
     * after the serial adapters'): 8 PCI devices of 8 functions each. Adapters are hot-plugged only
     * into a port, and a q35 root port cannot be added later, so the ports must all be there from
     * the start; more would only cost bus numbers and firmware time.
     */
    public static final int MAX_HOTPLUG_PORTS = 64;
    /** The first virtual slot that may hold an adapter (0 and 1 are the serial adapters'). */
    public static final int FIRST_ADAPTER_SLOT = 2;

    /**
     * A virtual Ethernet adapter: a virtio-net NIC whose frames QEMU exchanges over a stream socket
     * it listens on ({@code net<slot>.sock}), where the daemon's virtual switch connects as the
     * port. QEMU listening (not the switch) lets a restarted daemon reconnect to a running guest.
     */
    public record Nic(int slot, String mac, String vswitch, int pvid, boolean ieee8021q, List<Integer> addlVlanIds,
            int trunkPriority, String qosPriority, boolean vhostUser) {
        public Nic {
            addlVlanIds = List.copyOf(addlVlanIds);
            qosPriority = qosPriority == null ? "none" : qosPriority; // a run record from before DLPAR
        }

        /** The NIC's QEMU device id (device_del takes it). */
        public String deviceId() {
            return "vnic" + slot;
        }

        /** The chardev of a vhost-user NIC: its socket, on which QEMU listens and the switch connects. */
        public String chardevId() {
            return "vhu" + slot;
        }

        /** The NIC's QEMU netdev id. */
        public String netdevId() {
            return "net" + slot;
        }

        public Nic withVlans(boolean ieee, List<Integer> addl, String qos) {
            return new Nic(slot, mac, vswitch, pvid, ieee, addl, trunkPriority, qos, vhostUser);
        }

        /** A trunk adapter (a VIOS's): bridged to the host by the daemon, not given to the guest. */
        public boolean trunk() {
            return trunkPriority > 0;
        }

        /** {@code 0E5056000001} as QEMU wants it: {@code 0e:50:56:00:00:01}. */
        public String qemuMac() {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < 12; i += 2) {
                b.append(i > 0 ? ":" : "").append(mac.substring(i, i + 2).toLowerCase(java.util.Locale.ROOT));
            }
            return b.toString();
        }
    }

    /**
     * A device on one of the partition's virtual SCSI client adapters: a {@code scsi-hd} (or
     * {@code scsi-cd}) on the adapter's virtio-scsi controller, backed by QEMU's NBD client on the
     * serving VIOS's socket for this one mapping. {@code socket} is null for an optical drive with
     * no medium loaded. {@code lun} is 0-based (the VIOS's LUN 0x81... is 0). A disk with a
     * {@code diskPort} (0 and up) is instead a {@code vhost-user-blk-pci} device on that disk port,
     * served by the same storage server from the guest's memory (issue 17); -1: over NBD.
     */
    public record ScsiDevice(int clientSlot, int lun, String vtd, Path socket, boolean cdrom, boolean readOnly,
            Integer diskPort) {
        /** The name of a disk's vhost-user-blk socket beside its NBD socket ({@code <vtd>.sock}). */
        public static final String VHOST_SUFFIX = ".vhost";

        public ScsiDevice {
            diskPort = diskPort == null ? -1 : diskPort; // a run record (or a peer) from before disk ports: NBD
        }

        /** A device over NBD. */
        public ScsiDevice(int clientSlot, int lun, String vtd, Path socket, boolean cdrom, boolean readOnly) {
            this(clientSlot, lun, vtd, socket, cdrom, readOnly, -1);
        }

        /** Attached as a vhost-user-blk device on disk port {@link #diskPort} (else over NBD, the port -1). */
        public boolean vhostUser() {
            return diskPort >= 0;
        }

        /** How the guest reaches the mapping: {@code vhost-user-blk} or {@code nbd} (parvirt's API shows it). */
        public String transport() {
            return vhostUser() ? "vhost-user-blk" : "nbd";
        }

        /** The storage server's vhost-user-blk socket for this mapping, beside its NBD socket. */
        public Path vhostSocket() {
            return socket == null ? null : socket.resolveSibling(vtd + VHOST_SUFFIX);
        }

        /** The same device attached as vhost-user-blk on disk port {@code port}. */
        public ScsiDevice onDiskPort(int port) {
            return new ScsiDevice(clientSlot, lun, vtd, socket, cdrom, readOnly, port);
        }

        /** The chardev of a vhost-user-blk device: QEMU is the client of the storage server's socket. */
        public String chardevId() {
            return "vblk" + clientSlot + "-" + lun;
        }

        /** The block node's name: unique in the partition, stable across restarts. */
        public String node() {
            return "vscsi" + clientSlot + "-lun" + lun;
        }

        /** The SCSI device's QEMU id (device_del and the tray commands take it). */
        public String deviceId() {
            return "sd" + clientSlot + "-" + lun;
        }
    }

    /**
     * A virtual SCSI client adapter: a virtio-scsi controller in its slot, whether or not a VIOS maps
     * anything to it yet (a mapping made while the partition runs is plugged into it).
     */
    public record ScsiClient(int slot, int remoteLparId, int remoteSlot) {
        /** The controller's QEMU id; its bus is {@code <id>.0}. */
        public String deviceId() {
            return controllerId(slot);
        }

        public static String controllerId(int slot) {
            return "vscsi" + slot;
        }
    }

    /**
     * A VIOS's operating system: parvirt's storage server, a JVM of its own instead of QEMU, run in
     * the partition's cgroup with a heap sized from the partition's memory. It serves the mappings
     * listed in {@code exportsFile} and reloads it on SIGHUP.
     */
    public record StorageServer(String java, String classPath, Path exportsFile) {
    }

    /** Ports for vhost-user-blk disks a partition gets (when the setting asks for them): more disks go over NBD. */
    public static final int MAX_DISK_PORTS = 8;

    /** A launch whose disks all go over NBD (no disk ports). */
    public LaunchSpec(String qemuBinary, String name, int lparId, String uuid, long memMb, long maxMemMb,
            int vcpus, int maxVcpus, Accelerator accel, Path kernel, Path initramfs, Path disk, String cmdline,
            Path runDir, List<Nic> nics, List<ScsiDevice> scsi, StorageServer storageServer, long bootMemMb,
            int maxVirtualSlots, List<ScsiClient> scsiClients, String qemuUser, Boolean sharedMemory) {
        this(qemuBinary, name, lparId, uuid, memMb, maxMemMb, vcpus, maxVcpus, accel, kernel, initramfs, disk, cmdline,
                runDir, nics, scsi, storageServer, bootMemMb, maxVirtualSlots, scsiClients, qemuUser, sharedMemory, 0);
    }

    public LaunchSpec {
        diskPorts = diskPorts == null ? 0 : diskPorts;
        nics = nics == null ? List.of() : List.copyOf(nics); // run records written before NICs existed
        scsi = scsi == null ? List.of() : List.copyOf(scsi);
        scsiClients = scsiClients == null ? List.of() : List.copyOf(scsiClients);
        if (sharedMemory == null) {
            sharedMemory = sharedFor(nics);
        }
        if (bootMemMb == 0) {
            bootMemMb = memMb; // a run record written before memory DLPAR: it booted with all its memory
        }
        if (bootMemMb > memMb || memMb > maxMemMb) {
            throw new IllegalArgumentException("memory " + bootMemMb + " <= " + memMb + " <= " + maxMemMb + " MB");
        }
    }

    /**
     * The running configuration after DLPAR as a launch: {@code vcpus} plugged (under TCG a removed
     * VP stays plugged and offline, so this is what QEMU has, not what the OS uses) and
     * {@code memMb} the boot memory plus the virtio-mem device's requested size. Everything else
     * (machine, PCI addresses, MACs, maxmem, maxcpus, CPU model) is the activation's, so a
     * migration's target builds the same machine device for device.
     */
    public LaunchSpec current(int pluggedVcpus, long currentMemMb) {
        return new LaunchSpec(qemuBinary, name, lparId, uuid, currentMemMb, maxMemMb, pluggedVcpus, maxVcpus, accel,
                kernel, initramfs, disk, cmdline, runDir, nics, scsi, storageServer, bootMemMb, maxVirtualSlots,
                scsiClients, qemuUser, sharedMemory, diskPorts);
    }

    /**
     * The same partition on another system: its run directory (and so every socket) and its QEMU
     * binary there; the kernel and initramfs are those the target has under the same image, and its
     * QEMU runs confined as the target's own unprivileged user ({@code targetQemuUser}, or null).
     */
    public LaunchSpec rehomed(String targetQemu, Path targetRunDir, Path targetKernel, Path targetInitramfs,
            String targetQemuUser) {
        return new LaunchSpec(targetQemu, name, lparId, uuid, memMb, maxMemMb, vcpus, maxVcpus, accel,
                targetKernel, targetInitramfs, disk, cmdline, targetRunDir, nics, scsi, storageServer, bootMemMb,
                maxVirtualSlots, scsiClients, targetQemuUser, sharedMemory, diskPorts);
    }

    /** True when the guest's memory is a shared memfd (it had a vhost-user NIC at activation): see {@code sharedMemory}. */
    public boolean sharesMemory() {
        return sharedMemory;
    }

    /** The memory sharing a launch with {@code nics} starts with: shared when a guest NIC is served over vhost-user. */
    public static boolean sharedFor(List<Nic> nics) {
        return nics != null && nics.stream().anyMatch(n -> n.vhostUser() && !n.trunk());
    }

    /** True when the partition has a virtio-mem device: room above its boot memory. */
    public boolean hotplugMemory() {
        return maxMemMb > bootMemMb;
    }

    /**
     * The slots that have a PCIe root port, in order: from slot 2 below {@code max_virtual_slots},
     * at most {@link #MAX_HOTPLUG_PORTS}. None for a run record written before root ports (its
     * adapters sit on the root bus and cannot be hot-plugged).
     */
    public List<Integer> portSlots() {
        int end = Math.min(maxVirtualSlots, FIRST_ADAPTER_SLOT + MAX_HOTPLUG_PORTS);
        return java.util.stream.IntStream.range(FIRST_ADAPTER_SLOT, Math.max(FIRST_ADAPTER_SLOT, end)).boxed().toList();
    }

    /** True when an adapter in {@code slot} sits on its own root port (and so can be hot-plugged). */
    public boolean hasPort(int slot) {
        return slot >= FIRST_ADAPTER_SLOT && slot < Math.min(maxVirtualSlots, FIRST_ADAPTER_SLOT + MAX_HOTPLUG_PORTS);
    }

    /** The QEMU id of the root port of {@code slot}: the bus its adapter is plugged into. */
    public static String portId(int slot) {
        return "vslot" + slot;
    }

    public LaunchSpec withNics(List<Nic> next) {
        return new LaunchSpec(qemuBinary, name, lparId, uuid, memMb, maxMemMb, vcpus, maxVcpus, accel, kernel,
                initramfs, disk, cmdline, runDir, next, scsi, storageServer, bootMemMb, maxVirtualSlots, scsiClients, qemuUser,
                sharedMemory, diskPorts);
    }

    public LaunchSpec withScsi(List<ScsiClient> clients, List<ScsiDevice> devices) {
        return new LaunchSpec(qemuBinary, name, lparId, uuid, memMb, maxMemMb, vcpus, maxVcpus, accel, kernel,
                initramfs, disk, cmdline, runDir, nics, devices, storageServer, bootMemMb, maxVirtualSlots, clients, qemuUser,
                sharedMemory, diskPorts);
    }

    /** The QEMU id of disk port {@code i}: the root port a vhost-user-blk disk is plugged into. */
    public static String diskPortId(int i) {
        return "vdisk" + i;
    }

    /** A VIOS whose operating system is the storage server, not a QEMU guest. */
    public boolean runsStorageServer() {
        return storageServer != null;
    }

    /** The directory of the storage server's per-mapping NBD sockets ({@code <vtd>.sock}). */
    public Path nbdDir() {
        return runDir.resolve("nbd");
    }

    public Path nicSocket(Nic n) {
        return runDir.resolve("net" + n.slot() + ".sock");
    }

    public Path qmpSocket() {
        return runDir.resolve("qmp.sock");
    }

    public Path agentSocket() {
        return runDir.resolve("qga.sock");
    }

    public Path serialSocket() {
        return runDir.resolve("serial.sock");
    }

    public Path pidFile() {
        return runDir.resolve(runsStorageServer() ? "storage.pid" : "qemu.pid");
    }
}
