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
 */
public record LaunchSpec(String qemuBinary, String name, int lparId, String uuid, long memMb, long maxMemMb,
        int vcpus, int maxVcpus, Accelerator accel, Path kernel, Path initramfs, Path disk, String cmdline,
        Path runDir, List<Nic> nics, List<ScsiDevice> scsi, StorageServer storageServer, long bootMemMb,
        String qemuUser) {

    /** A spec whose QEMU runs as the daemon's user. */
    public LaunchSpec(String qemuBinary, String name, int lparId, String uuid, long memMb, long maxMemMb, int vcpus,
            int maxVcpus, Accelerator accel, Path kernel, Path initramfs, Path disk, String cmdline, Path runDir,
            List<Nic> nics, List<ScsiDevice> scsi, StorageServer storageServer, long bootMemMb) {
        this(qemuBinary, name, lparId, uuid, memMb, maxMemMb, vcpus, maxVcpus, accel, kernel, initramfs, disk, cmdline,
                runDir, nics, scsi, storageServer, bootMemMb, null);
    }

    /**
     * A virtual Ethernet adapter: a virtio-net NIC whose frames QEMU exchanges over a stream socket
     * it listens on ({@code net<slot>.sock}), where the daemon's virtual switch connects as the
     * port. QEMU listening (not the switch) lets a restarted daemon reconnect to a running guest.
     */
    public record Nic(int slot, String mac, String vswitch, int pvid, boolean ieee8021q, List<Integer> addlVlanIds,
            int trunkPriority) {
        public Nic {
            addlVlanIds = List.copyOf(addlVlanIds);
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
     * no medium loaded. {@code lun} is 0-based (the VIOS's LUN 0x81... is 0).
     */
    public record ScsiDevice(int clientSlot, int lun, String vtd, Path socket, boolean cdrom, boolean readOnly) {
        /** The block node's name: unique in the partition, stable across restarts. */
        public String node() {
            return "vscsi" + clientSlot + "-lun" + lun;
        }
    }

    /**
     * A VIOS's operating system: parvirt's storage server, a JVM of its own instead of QEMU, run in
     * the partition's cgroup with a heap sized from the partition's memory. It serves the mappings
     * listed in {@code exportsFile} and reloads it on SIGHUP.
     */
    public record StorageServer(String java, String classPath, Path exportsFile) {
    }

    public LaunchSpec {
        nics = nics == null ? List.of() : List.copyOf(nics); // run records written before NICs existed
        scsi = scsi == null ? List.of() : List.copyOf(scsi);
        if (bootMemMb == 0) {
            bootMemMb = memMb; // a run record written before memory DLPAR: it booted with all its memory
        }
        if (bootMemMb > memMb || memMb > maxMemMb) {
            throw new IllegalArgumentException("memory " + bootMemMb + " <= " + memMb + " <= " + maxMemMb + " MB");
        }
    }

    /** True when the partition has a virtio-mem device: room above its boot memory. */
    public boolean hotplugMemory() {
        return maxMemMb > bootMemMb;
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
