package io.parvirt.hypervisor;

import java.util.ArrayList;
import java.util.List;

/**
 * The QEMU command line of a partition, a pure function of its {@link LaunchSpec} (golden files in
 * the tests pin it down, as libvirt's qemuxmlconfdata does). q35 because the guest kernel needs
 * ACPI; sockets instead of ttys so the process can outlive the daemon and be re-adopted.
 */
public final class QemuCommandLine {
    private QemuCommandLine() {
    }

    /** The id of the partition's virtio-mem device: its memory above the boot memory, for memory DLPAR. */
    public static final String VIRTIO_MEM_ID = "vmem0";

    public static List<String> of(LaunchSpec s) {
        List<String> a = new ArrayList<>(confinement(s));
        a.add(s.qemuBinary());
        a.addAll(List.of("-name", "guest=" + s.name() + ",debug-threads=on", "-uuid", s.uuid()));
        a.addAll(List.of("-machine", "q35,accel=" + s.accel().qemuName()));
        // -cpu host fails under TCG; max is the richest model either accelerator offers.
        a.addAll(List.of("-cpu", s.accel() == Accelerator.KVM ? "host" : "max"));
        // virtio-mem needs maxmem (QEMU 7.2 refuses the device without it) but no DIMM slots.
        a.addAll(List.of("-m", s.hotplugMemory() ? "size=" + s.bootMemMb() + "M,maxmem=" + s.maxMemMb() + "M"
                : s.memMb() + "M"));
        a.addAll(List.of("-smp", s.vcpus() + ",maxcpus=" + Math.max(s.vcpus(), s.maxVcpus())));
        a.addAll(List.of("-nodefaults", "-no-user-config", "-display", "none", "-sandbox", SANDBOX));
        if (s.kernel() != null) {
            a.addAll(List.of("-kernel", s.kernel().toString()));
            if (s.initramfs() != null) {
                a.addAll(List.of("-initrd", s.initramfs().toString()));
            }
            a.addAll(List.of("-append", s.cmdline()));
        }
        if (s.disk() != null) {
            a.addAll(List.of("-drive", "file=" + s.disk() + ",if=virtio,format=" + format(s.disk().toString())));
        }
        a.addAll(List.of("-chardev", "socket,id=serial0,path=" + s.serialSocket() + ",server=on,wait=off",
                "-serial", "chardev:serial0"));
        a.addAll(List.of("-chardev", "socket,id=qmp,path=" + s.qmpSocket() + ",server=on,wait=off",
                "-mon", "chardev=qmp,mode=control"));
        a.addAll(List.of("-device", "virtio-serial-pci,id=vser0",
                "-chardev", "socket,id=qga0,path=" + s.agentSocket() + ",server=on,wait=off",
                "-device", "virtserialport,bus=vser0.0,chardev=qga0,name=org.qemu.guest_agent.0"));
        hotplugMemory(s, a);
        // NICs in slot order at fixed PCI addresses, so the guest names them eth0, eth1, ... by slot.
        // A VIOS's trunk adapters are no guest NICs: the daemon bridges them to the host (the SEA).
        int i = 0;
        for (LaunchSpec.Nic n : s.nics()) {
            if (n.trunk()) {
                continue;
            }
            a.addAll(List.of("-netdev", "stream,id=net" + n.slot() + ",server=on,addr.type=unix,addr.path="
                    + s.nicSocket(n), "-device", "virtio-net-pci,netdev=net" + n.slot() + ",mac=" + n.qemuMac()
                    + ",bus=pcie.0,addr=0x" + Integer.toHexString(0x10 + i++)));
        }
        scsi(s, a);
        // pvpanic lets QEMU report a guest panic as an event, beside the console text.
        a.addAll(List.of("-device", "pvpanic"));
        a.addAll(List.of("-pidfile", s.pidFile().toString()));
        return a;
    }

    /** QEMU's own seccomp filter: every optional set denied (see {@link #confinement}). */
    static final String SANDBOX = "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny";

    /**
     * What a guest escaping into QEMU would hold (issue 12): QEMU's seccomp filter with every
     * optional set denied ({@code -sandbox}), started as the
     * unprivileged {@link QemuUser} by {@code setpriv} when there is one. QEMU 7.2 cannot do both
     * itself: its filter is loaded before {@code -runas} changes the uid (so elevateprivileges
     * would have to stay allowed), and {@code -daemonize} forks and calls setsid (spawn and
     * elevateprivileges again). So QEMU is started in the foreground in a session of its own
     * ({@code setsid}: nobody's terminal; the daemon's children outlive it) and already as its
     * user, as libvirt starts it.
     */
    static List<String> confinement(LaunchSpec s) {
        List<String> a = new ArrayList<>(List.of("setsid"));
        if (s.qemuUser() != null) {
            a.addAll(List.of("setpriv", "--reuid=" + s.qemuUser(), "--regid=" + s.qemuUser(), "--init-groups",
                    "--no-new-privs", "--"));
        }
        return a;
    }

    /**
     * Memory DLPAR room: the guest boots with its minimum memory, and everything between that and
     * max_mem is one virtio-mem device at a fixed PCI address whose requested size is what the
     * activation gave above the minimum; the guest's driver plugs it while the image's init runs
     * (before the agent answers). So memory DLPAR can go down to curr_min_mem: virtio-mem can only
     * take back what it plugged, never boot memory. Its backend is a memfd mapped shared: a vhost-user back end
     * (the I/O fast path) must map all guest memory from a file descriptor, and private anonymous
     * memory has none; virtio-mem's unplug punches holes in the memfd, so removed memory goes back
     * to the host. (Boot memory is still QEMU's default RAM: the fast path must move it to a shared
     * memfd too.)
     */
    private static void hotplugMemory(LaunchSpec s, List<String> a) {
        if (!s.hotplugMemory()) {
            return;
        }
        a.addAll(List.of("-object", "memory-backend-memfd,id=mem-" + VIRTIO_MEM_ID + ",size="
                + (s.maxMemMb() - s.bootMemMb()) + "M,share=on", "-device", "virtio-mem-pci,id=" + VIRTIO_MEM_ID
                + ",memdev=mem-" + VIRTIO_MEM_ID + ",requested-size=" + (s.memMb() - s.bootMemMb())
                + "M,bus=pcie.0,addr=0x7"));
    }

    /** Seconds a request waits for a VIOS's storage server to come back before the guest sees an error. */
    static final int NBD_RECONNECT_S = 30;

    /**
     * One virtio-scsi controller per virtual SCSI client adapter (slot order, fixed PCI addresses
     * from 0x08, so the guest numbers its SCSI hosts by slot), and on it one device per mapping:
     * target 0, the mapping's LUN. Each disk is QEMU's NBD client on the mapping's own socket;
     * reconnect-delay keeps requests queued while the storage server restarts, and
     * open-timeout lets activation ride out a server that is reloading its exports.
     */
    private static void scsi(LaunchSpec s, List<String> a) {
        List<Integer> slots = s.scsi().stream().map(LaunchSpec.ScsiDevice::clientSlot).distinct().sorted().toList();
        for (int i = 0; i < slots.size(); i++) {
            a.addAll(List.of("-device", "virtio-scsi-pci,id=vscsi" + slots.get(i) + ",bus=pcie.0,addr=0x"
                    + Integer.toHexString(0x08 + i)));
        }
        for (LaunchSpec.ScsiDevice d : s.scsi()) {
            String device = (d.cdrom() ? "scsi-cd" : "scsi-hd") + ",bus=vscsi" + d.clientSlot()
                    + ".0,channel=0,scsi-id=0,lun=" + d.lun() + ",serial=" + d.vtd();
            if (d.socket() != null) {
                a.addAll(List.of("-blockdev", "driver=nbd,node-name=" + d.node() + ",server.type=unix,server.path="
                        + d.socket() + ",export=" + d.vtd() + ",reconnect-delay=" + NBD_RECONNECT_S
                        + ",open-timeout=10,read-only=" + (d.readOnly() ? "on" : "off")));
                device += ",drive=" + d.node();
            }
            a.addAll(List.of("-device", device));
        }
    }

    private static String format(String path) {
        return path.endsWith(".qcow2") ? "qcow2" : "raw";
    }
}
