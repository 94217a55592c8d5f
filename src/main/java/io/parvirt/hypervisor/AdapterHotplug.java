package io.parvirt.hypervisor;

import io.parvirt.hypervisor.qmp.Qmp;
import io.parvirt.hypervisor.qmp.QmpException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mechanism of virtual adapter DLPAR in a QEMU guest: brings the machine from the adapters of
 * one {@link LaunchSpec} to those of the next, through the monitor. Runs on a supervisor job; decides
 * nothing beyond the order the steps must come in.
 *
 * <p>Removals first, additions after: a slot freed and taken in one change gets its new adapter.
 * A device leaves in two steps: {@code device_del} only asks the guest to let it go, and only
 * {@code DEVICE_DELETED} says it has; its back end (netdev, NBD node) is deleted after that, never
 * before, or the guest would be left with a device that has nothing behind it (requests that hang
 * on a dead NBD socket until the reconnect delay runs out). An addition is the other way round:
 * the back end first, then the device that uses it. The switch port and the VIOS's export are the
 * caller's: it connects them after an add and stops them after a removal.
 */
final class AdapterHotplug {
    private static final Logger LOG = LoggerFactory.getLogger(AdapterHotplug.class);

    /** How the runner waits for a device's DEVICE_DELETED event: false when it did not come by the deadline. */
    @FunctionalInterface
    interface Deletions {
        boolean delete(String id, long deadline) throws IOException, InterruptedException;
    }

    private final LaunchSpec spec;
    private final Qmp qmp;
    private final Deletions deletions;

    AdapterHotplug(LaunchSpec spec, Qmp qmp, Deletions deletions) {
        this.spec = spec;
        this.qmp = qmp;
        this.deletions = deletions;
    }

    /**
     * The disks' I/O thread, made when the running QEMU has none: one started by an earlier parvirt,
     * whose command line did not have it, takes a new controller as a fresh start would.
     */
    private void ioThread() throws IOException {
        if (!qmp.iothreads().contains(QemuCommandLine.IOTHREAD_ID)) {
            qmp.addIothread(QemuCommandLine.IOTHREAD_ID);
        }
    }

    void apply(LaunchSpec before, LaunchSpec after, long deadline) throws IOException, InterruptedException {
        Map<String, LaunchSpec.Nic> nicsBefore = byId(guestNics(before), LaunchSpec.Nic::deviceId);
        Map<String, LaunchSpec.Nic> nicsAfter = byId(guestNics(after), LaunchSpec.Nic::deviceId);
        Map<String, LaunchSpec.ScsiDevice> devBefore = byId(before.scsi(), LaunchSpec.ScsiDevice::deviceId);
        Map<String, LaunchSpec.ScsiDevice> devAfter = byId(after.scsi(), LaunchSpec.ScsiDevice::deviceId);
        Set<Integer> ctlBefore = controllers(before);
        Set<Integer> ctlAfter = controllers(after);

        for (LaunchSpec.ScsiDevice d : before.scsi()) {
            LaunchSpec.ScsiDevice next = devAfter.get(d.deviceId());
            if (next == null || !sameDevice(d, next) || !ctlAfter.contains(d.clientSlot())) {
                removeScsiDevice(d, deadline);
            } else if (d.socket() != null && !Objects.equals(d.socket(), next.socket())) {
                eject(d);
            }
        }
        for (int slot : ctlBefore) {
            if (!ctlAfter.contains(slot)) {
                unplug(LaunchSpec.ScsiClient.controllerId(slot), deadline);
            }
        }
        for (LaunchSpec.Nic n : nicsBefore.values()) {
            LaunchSpec.Nic next = nicsAfter.get(n.deviceId());
            if (next == null || !next.mac().equals(n.mac())) {
                unplug(n.deviceId(), deadline);
                qmp.netdevDel(n.netdevId());
                removeChardev(n);
            }
        }

        if (!ctlBefore.containsAll(ctlAfter)) {
            ioThread();
        }
        for (int slot : ctlAfter) {
            if (!ctlBefore.contains(slot)) {
                qmp.deviceAdd(QemuCommandLine.scsiController(slot, port(after, slot)));
            }
        }
        for (LaunchSpec.Nic n : nicsAfter.values()) {
            LaunchSpec.Nic old = nicsBefore.get(n.deviceId());
            if (old == null || !old.mac().equals(n.mac())) {
                addNic(after, n);
            }
        }
        for (LaunchSpec.ScsiDevice d : after.scsi()) {
            LaunchSpec.ScsiDevice old = devBefore.get(d.deviceId());
            boolean present = old != null && sameDevice(old, d) && ctlBefore.contains(d.clientSlot());
            if (!present) {
                addScsiDevice(d);
            } else if (d.socket() != null && !Objects.equals(d.socket(), old.socket())) {
                insert(d);
            }
        }
    }

    private static List<LaunchSpec.Nic> guestNics(LaunchSpec s) {
        return s.nics().stream().filter(n -> !n.trunk()).toList();
    }

    private static <T> Map<String, T> byId(List<T> items, Function<T, String> id) {
        return items.stream().collect(Collectors.toMap(id, x -> x, (a, b) -> a, java.util.LinkedHashMap::new));
    }

    private static Set<Integer> controllers(LaunchSpec s) {
        Set<Integer> out = new TreeSet<>();
        s.scsiClients().forEach(c -> out.add(c.slot()));
        s.scsi().forEach(d -> out.add(d.clientSlot()));
        return out;
    }

    /** The same device with the same mapping; an optical drive's medium may differ (that is a tray change). */
    private static boolean sameDevice(LaunchSpec.ScsiDevice a, LaunchSpec.ScsiDevice b) {
        return a.vtd().equals(b.vtd()) && a.cdrom() == b.cdrom() && Objects.equals(a.diskPort(), b.diskPort())
                && (a.cdrom() || (Objects.equals(a.socket(), b.socket()) && a.readOnly() == b.readOnly()));
    }

    private com.fasterxml.jackson.databind.node.ObjectNode port(LaunchSpec s, int slot) throws IOException {
        if (!s.hasPort(slot)) {
            throw new IOException("partition " + spec.name() + " has no PCIe root port for slot " + slot
                    + " (it was activated with ports for slots " + LaunchSpec.FIRST_ADAPTER_SLOT + " to "
                    + (LaunchSpec.FIRST_ADAPTER_SLOT + s.portSlots().size() - 1) + ")");
        }
        return QemuCommandLine.port(slot);
    }

    /**
     * QEMU listens on the NIC's socket before the guest sees the NIC. A stream NIC's switch port
     * connects afterwards; a vhost-user NIC's port is the caller's before this (it retries until
     * the chardev listens): QEMU's {@code netdev_add} waits for the back end to connect and answer.
     */
    private void addNic(LaunchSpec s, LaunchSpec.Nic n) throws IOException {
        var bus = port(s, n.slot());
        java.nio.file.Files.deleteIfExists(s.nicSocket(n)); // a socket file left by an earlier NIC in the slot
        if (n.vhostUser()) {
            qmp.chardevAddSocketServer(n.chardevId(), s.nicSocket(n).toString());
            try {
                qmp.netdevAddVhostUser(n.netdevId(), n.chardevId());
            } catch (IOException e) {
                removeChardev(n);
                throw e;
            }
        } else {
            qmp.netdevAddStreamServer(n.netdevId(), s.nicSocket(n).toString());
        }
        try {
            qmp.deviceAdd(QemuCommandLine.nicDevice(n, bus));
        } catch (IOException e) {
            qmp.netdevDel(n.netdevId());
            removeChardev(n);
            throw e;
        }
    }

    /** A vhost-user NIC's chardev, if its netdev did not take it along (QEMU deletes it with the netdev). */
    private void removeChardev(LaunchSpec.Nic n) throws IOException {
        if (n.vhostUser() && qmp.chardevs().contains(n.chardevId())) {
            qmp.chardevRemove(n.chardevId());
        }
    }

    private void addScsiDevice(LaunchSpec.ScsiDevice d) throws IOException {
        if (d.vhostUser()) {
            addVhostDisk(d);
            return;
        }
        if (d.socket() != null) {
            qmp.blockdevAdd(QemuCommandLine.nbdBlockdev(d));
        }
        try {
            qmp.deviceAdd(QemuCommandLine.scsiDevice(d));
        } catch (IOException e) {
            if (d.socket() != null) {
                qmp.blockdevDel(d.node());
            }
            throw e;
        }
    }

    /**
     * A vhost-user-blk disk: its chardev connects to the storage server's socket, then the device
     * on its disk port (QEMU's device_add talks to the server: features, configuration space).
     */
    private void addVhostDisk(LaunchSpec.ScsiDevice d) throws IOException {
        qmp.chardevAddSocketClient(d.chardevId(), d.vhostSocket().toString(), QemuCommandLine.VHOST_RECONNECT_S);
        try {
            qmp.deviceAdd(QemuCommandLine.vhostBlkDevice(d));
        } catch (IOException e) {
            qmp.chardevRemove(d.chardevId());
            throw e;
        }
    }

    private void removeScsiDevice(LaunchSpec.ScsiDevice d, long deadline) throws IOException, InterruptedException {
        unplug(d.deviceId(), deadline);
        if (d.vhostUser()) {
            if (qmp.chardevs().contains(d.chardevId())) {
                qmp.chardevRemove(d.chardevId());
            }
            return;
        }
        if (d.socket() != null) {
            qmp.blockdevDel(d.node());
        }
    }

    /** unloadopt: the medium leaves the drive (the tray opened by force: the guest may have locked it). */
    private void eject(LaunchSpec.ScsiDevice d) throws IOException {
        qmp.openTray(d.deviceId());
        qmp.removeMedium(d.deviceId());
        qmp.blockdevDel(d.node());
    }

    /** loadopt: the new medium's NBD node goes into the drive and the tray closes (the guest sees a media change). */
    private void insert(LaunchSpec.ScsiDevice d) throws IOException {
        qmp.blockdevAdd(QemuCommandLine.nbdBlockdev(d));
        qmp.openTray(d.deviceId());
        qmp.insertMedium(d.deviceId(), d.node());
        qmp.closeTray(d.deviceId());
    }

    /** device_del and the wait for the guest to let the device go. */
    private void unplug(String id, long deadline) throws IOException, InterruptedException {
        if (!deletions.delete(id, deadline)) {
            throw new QmpException("Timeout", "the guest of partition " + spec.name() + " did not release device "
                    + id + " in time (no DEVICE_DELETED)");
        }
        LOG.info("partition {}: device {} removed", spec.name(), id);
    }
}
