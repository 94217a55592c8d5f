package io.parvirt.hypervisor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
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

    /** The machine type every partition runs on (QEMU 7.2's q35). */
    public static final String MACHINE = "pc-q35-7.2";

    /**
     * The command line of a migration's target: the same machine device for device as the running
     * source ({@code s} is its current configuration, {@link LaunchSpec#current}), waiting for the
     * incoming stream ({@code migrate-incoming} names where, once the monitor is up).
     */
    public static List<String> incoming(LaunchSpec s) {
        List<String> a = of(s);
        // -S: once the stream has arrived the guest waits for its daemon's cont. A target daemon
        // killed mid-migration then leaves a paused copy, never a second running one beside the
        // source, which resumes when the target cannot confirm (never on both).
        a.addAll(a.indexOf("-pidfile"), List.of("-S", "-incoming", "defer"));
        return a;
    }

    public static List<String> of(LaunchSpec s) {
        List<String> a = new ArrayList<>(confinement(s));
        a.add(s.qemuBinary());
        a.addAll(List.of("-name", "guest=" + s.name() + ",debug-threads=on", "-uuid", s.uuid()));
        // The versioned machine type, not the "q35" alias: a migration's target must build the same
        // machine as its source even when its QEMU is newer (mobility, issue 14).
        a.addAll(List.of("-machine", MACHINE + ",accel=" + s.accel().qemuName()
                + (s.sharesMemory() ? ",memory-backend=" + RAM_ID : "")));
        // -cpu host fails under TCG; max is the richest model either accelerator offers.
        a.addAll(List.of("-cpu", s.accel() == Accelerator.KVM ? "host" : "max"));
        // virtio-mem needs maxmem (QEMU 7.2 refuses the device without it) but no DIMM slots.
        a.addAll(List.of("-m", s.hotplugMemory() ? "size=" + s.bootMemMb() + "M,maxmem=" + s.maxMemMb() + "M"
                : s.memMb() + "M"));
        sharedMemory(s, a);
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
        a.addAll(List.of("-device", "virtio-serial-pci,id=vser0,bus=pcie.0,addr=0x6",
                "-chardev", "socket,id=qga0,path=" + s.agentSocket() + ",server=on,wait=off",
                "-device", "virtserialport,bus=vser0.0,chardev=qga0,name=org.qemu.guest_agent.0"));
        // The disks' I/O thread: see IOTHREAD_ID. Always there, so a hot-plugged controller finds it.
        a.addAll(List.of("-object", "iothread,id=" + IOTHREAD_ID));
        hotplugMemory(s, a);
        rootPorts(s, a);
        diskPorts(s, a);
        // NICs in slot order, each on its slot's root port, so the guest names them eth0, eth1, ... by slot.
        // A VIOS's trunk adapters are no guest NICs: the daemon bridges them to the host (the SEA).
        int rootBus = 0;
        for (LaunchSpec.Nic n : s.nics()) {
            if (n.trunk()) {
                continue;
            }
            if (n.vhostUser()) {
                a.addAll(List.of("-chardev", "socket,id=" + n.chardevId() + ",path=" + s.nicSocket(n) + ",server=on,wait=off"));
            }
            a.addAll(List.of("-netdev", netdev(s, n), "-device", device(nicDevice(n, bus(s, n.slot(), rootBus)))));
            rootBus += s.hasPort(n.slot()) ? 0 : 1;
        }
        scsi(s, a, rootBus);
        // pvpanic lets QEMU report a guest panic as an event, beside the console text.
        a.addAll(List.of("-device", "pvpanic"));
        a.addAll(List.of("-pidfile", s.pidFile().toString()));
        return a;
    }

    /** The id of the boot memory's backend when the switch must map it (vhost-user NICs). */
    static final String RAM_ID = "ram0";

    /**
     * A vhost-user NIC's switch reads and writes the guest's rings and buffers in place, so every
     * byte of guest memory must be a file it can map: boot memory becomes a shared memfd (virtio-mem's
     * is one already). QEMU listens on the NIC's socket ({@code server=on}) and waits, before the
     * guest runs, for the switch to connect; a restarted daemon's switch connects again to the
     * running guest at once (QEMU as the client would retry only in whole seconds, {@code reconnect=}).
     */
    private static void sharedMemory(LaunchSpec s, List<String> a) {
        if (s.sharesMemory()) {
            a.addAll(List.of("-object", "memory-backend-memfd,id=" + RAM_ID + ",size="
                    + (s.hotplugMemory() ? s.bootMemMb() : s.memMb()) + "M,share=on"));
        }
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

    /**
     * One PCIe root port per possible virtual slot ({@link LaunchSpec#portSlots}): a q35 guest can
     * only take a hot-plugged device on a root port, and ports cannot be added to a running machine.
     * Eight ports share a PCI device as its functions (0x10.0-0x17.7), so 64 slots take 8 of the root
     * bus's 32 device numbers. {@code io-reserve=0}: the firmware would otherwise give each port 4 KB
     * of the 64 KB x86 I/O space, which runs out after about a dozen ports; virtio devices need no
     * I/O ports. {@code chassis}/{@code slot} and {@code addr} are explicit so the same slot has the
     * same PCI address on every host (a live migration's target must build the identical machine).
     */
    private static void rootPorts(LaunchSpec s, List<String> a) {
        List<Integer> slots = s.portSlots();
        for (int i = 0; i < slots.size(); i++) {
            a.addAll(List.of("-device", "pcie-root-port,id=" + LaunchSpec.portId(slots.get(i)) + ",bus=pcie.0,chassis=1,"
                    + "slot=" + slots.get(i) + ",addr=0x" + Integer.toHexString(PORT_DEVICE + i / 8) + "." + (i % 8)
                    + (i % 8 == 0 ? ",multifunction=on" : "") + ",io-reserve=0"));
        }
    }

    /**
     * The root ports of vhost-user-blk disks ({@link LaunchSpec#diskPorts}): functions of one PCI
     * device at 0x8, below the adapters' ports and above the fixed devices (0x6, 0x7), each on
     * chassis 2 so its slot numbers cannot meet the adapters' (chassis 1, slot = virtual slot).
     */
    private static void diskPorts(LaunchSpec s, List<String> a) {
        for (int i = 0; i < s.diskPorts(); i++) {
            a.addAll(List.of("-device", "pcie-root-port,id=" + LaunchSpec.diskPortId(i) + ",bus=pcie.0,chassis=2,slot="
                    + i + ",addr=0x" + Integer.toHexString(DISK_PORT_DEVICE) + "." + i
                    + (i == 0 ? ",multifunction=on" : "") + ",io-reserve=0"));
        }
    }

    /** The PCI device number of the disk ports' root ports. */
    private static final int DISK_PORT_DEVICE = 0x8;

    /** The PCI device number of the first eight root ports on the root bus. */
    private static final int PORT_DEVICE = 0x10;
    /** Where adapters without a root port go (slots beyond the ports): after the ports, on the root bus. */
    private static final int ROOT_BUS_DEVICE = PORT_DEVICE + LaunchSpec.MAX_HOTPLUG_PORTS / 8;

    /** Where an adapter in {@code slot} is plugged: its root port, or (no port for it) the next address of the root bus. */
    private static ObjectNode bus(LaunchSpec s, int slot, int rootBusIndex) {
        ObjectNode b = JsonNodeFactory.instance.objectNode();
        return s.hasPort(slot) ? b.put("bus", LaunchSpec.portId(slot))
                : b.put("bus", "pcie.0").put("addr", "0x" + Integer.toHexString(ROOT_BUS_DEVICE + rootBusIndex));
    }

    /** The bus of a hot-plugged adapter: its slot's root port. */
    public static ObjectNode port(int slot) {
        return JsonNodeFactory.instance.objectNode().put("bus", LaunchSpec.portId(slot));
    }

    /** The QEMU netdev of a NIC: QEMU listens on the NIC's socket, the switch connects (same at hot-plug). */
    public static String netdev(LaunchSpec s, LaunchSpec.Nic n) {
        if (n.vhostUser()) {
            return "vhost-user,id=" + n.netdevId() + ",chardev=" + n.chardevId();
        }
        return "stream,id=" + n.netdevId() + ",server=on,addr.type=unix,addr.path=" + s.nicSocket(n);
    }

    /*
     * The devices that can also be hot-plugged are built once, as device_add and blockdev-add take
     * them (typed JSON), and written on the command line from that, so both ways make the same device.
     */

    /** The virtio-net device of a NIC on {@code bus}. */
    public static ObjectNode nicDevice(LaunchSpec.Nic n, ObjectNode bus) {
        return JsonNodeFactory.instance.objectNode().put("driver", "virtio-net-pci").put("id", n.deviceId())
                .put("netdev", n.netdevId()).put("mac", n.qemuMac()).setAll(bus);
    }

    /**
     * The thread every virtio-scsi controller's requests run in, and with them QEMU's NBD client
     * to the VIOS: without it they run in the main loop under QEMU's global lock, beside the
     * monitor, the timers and (TCG) every vCPU's exits to device emulation.
     */
    public static final String IOTHREAD_ID = "iothread0";

    /** The virtio-scsi controller of a virtual SCSI client adapter on {@code bus}. */
    public static ObjectNode scsiController(int slot, ObjectNode bus) {
        return JsonNodeFactory.instance.objectNode().put("driver", "virtio-scsi-pci")
                .put("id", LaunchSpec.ScsiClient.controllerId(slot)).put("iothread", IOTHREAD_ID).setAll(bus);
    }

    /** The SCSI device of a mapping on its controller, target 0, the mapping's LUN; its drive when it has a medium. */
    public static ObjectNode scsiDevice(LaunchSpec.ScsiDevice d) {
        ObjectNode o = JsonNodeFactory.instance.objectNode().put("driver", d.cdrom() ? "scsi-cd" : "scsi-hd")
                .put("id", d.deviceId()).put("bus", LaunchSpec.ScsiClient.controllerId(d.clientSlot()) + ".0")
                .put("channel", 0).put("scsi-id", 0).put("lun", d.lun()).put("serial", d.vtd());
        return d.socket() != null ? o.put("drive", d.node()) : o;
    }

    /** The NBD client of a SCSI device's mapping on its own socket. */
    public static ObjectNode nbdBlockdev(LaunchSpec.ScsiDevice d) {
        ObjectNode o = JsonNodeFactory.instance.objectNode().put("driver", "nbd").put("node-name", d.node());
        o.putObject("server").put("type", "unix").put("path", d.socket().toString());
        return o.put("export", d.vtd()).put("reconnect-delay", NBD_RECONNECT_S).put("open-timeout", 10)
                .put("read-only", d.readOnly());
    }

    /**
     * A vhost-user-blk disk's chardev: QEMU connects to the storage server's socket for the mapping
     * (the server listens, as it does for NBD), and after the server went (a VIOS restart) tries
     * again every second; the guest's requests wait meanwhile.
     */
    public static String vhostChardev(LaunchSpec.ScsiDevice d) {
        return "socket,id=" + d.chardevId() + ",path=" + d.vhostSocket() + ",reconnect=" + VHOST_RECONNECT_S;
    }

    /** Seconds between QEMU's tries to reach a vhost-user-blk disk's storage server again. */
    static final int VHOST_RECONNECT_S = 1;

    /**
     * A disk as a vhost-user-blk device on its disk port: the guest sees a virtio-blk disk whose
     * ID (its serial in sysfs) is the virtual target device's name, which the server answers.
     */
    public static ObjectNode vhostBlkDevice(LaunchSpec.ScsiDevice d) {
        return JsonNodeFactory.instance.objectNode().put("driver", "vhost-user-blk-pci").put("id", d.deviceId())
                .put("chardev", d.chardevId()).put("num-queues", 1).put("bus", LaunchSpec.diskPortId(d.diskPort()));
    }

    /** {@code -device}'s form: the driver, then key=value, booleans as on/off. */
    static String device(ObjectNode o) {
        ObjectNode rest = o.deepCopy();
        String driver = rest.remove("driver").asText();
        return driver + "," + keyValues(rest, "");
    }

    /** {@code -blockdev}'s form: key=value, nested objects as dotted keys. */
    static String keyValues(ObjectNode o, String prefix) {
        List<String> out = new ArrayList<>();
        for (var e : o.properties()) {
            JsonNode v = e.getValue();
            out.add(v.isObject() ? keyValues((ObjectNode) v, prefix + e.getKey() + ".")
                    : prefix + e.getKey() + "=" + (v.isBoolean() ? (v.asBoolean() ? "on" : "off") : v.asText()));
        }
        return String.join(",", out);
    }

    /** Seconds a request waits for a VIOS's storage server to come back before the guest sees an error. */
    static final int NBD_RECONNECT_S = 30;

    /**
     * One virtio-scsi controller per virtual SCSI client adapter (slot order, each on its slot's root
     * port, so the guest numbers its SCSI hosts by slot), and on it one device per mapping:
     * target 0, the mapping's LUN. Each disk is QEMU's NBD client on the mapping's own socket;
     * reconnect-delay keeps requests queued while the storage server restarts, and
     * open-timeout lets activation ride out a server that is reloading its exports.
     */
    private static void scsi(LaunchSpec s, List<String> a, int rootBus) {
        java.util.SortedSet<Integer> slots = new java.util.TreeSet<>();
        s.scsiClients().forEach(c -> slots.add(c.slot()));
        s.scsi().forEach(d -> slots.add(d.clientSlot()));
        for (int slot : slots) {
            a.addAll(List.of("-device", device(scsiController(slot, bus(s, slot, rootBus)))));
            rootBus += s.hasPort(slot) ? 0 : 1;
        }
        for (LaunchSpec.ScsiDevice d : s.scsi()) {
            if (d.vhostUser()) {
                a.addAll(List.of("-chardev", vhostChardev(d), "-device", device(vhostBlkDevice(d))));
                continue;
            }
            if (d.socket() != null) {
                a.addAll(List.of("-blockdev", keyValues(nbdBlockdev(d), "")));
            }
            a.addAll(List.of("-device", device(scsiDevice(d))));
        }
    }

    private static String format(String path) {
        return path.endsWith(".qcow2") ? "qcow2" : "raw";
    }
}
