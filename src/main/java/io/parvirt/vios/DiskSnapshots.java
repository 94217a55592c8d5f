package io.parvirt.vios;

import io.parvirt.model.ModelException;
import io.parvirt.vios.nbd.LinkedClones;
import io.parvirt.vios.nbd.Overlay;
import io.parvirt.vios.nbd.OverlayChain;
import io.parvirt.vios.nbd.SnapshotControl;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * The disk half of a partition's snapshot (issue 19): every virtual SCSI disk a VIOS serves to the
 * partition, at one point, by name. A disk whose VIOS's storage server runs is asked through that
 * server's control socket (it holds the disk's layers open); one whose VIOS is not running is
 * changed by opening its layers here. Optical media have no snapshots.
 *
 * <p>All disks or none: a snapshot that fails on one disk is deleted from those that had it, and a
 * refusal (name in use on any disk, unknown snapshot) is found before anything is changed.
 */
public final class DiskSnapshots {
    private final ViosService vios;
    private final IntFunction<Optional<Path>> controlSocket;

    /**
     * @param controlSocket the control socket of VIOS {@code id}'s running storage server, or empty
     *     when it does not run
     */
    public DiskSnapshots(ViosService vios, IntFunction<Optional<Path>> controlSocket) {
        this.vios = vios;
        this.controlSocket = controlSocket;
    }

    /** The snapshot names every disk of the partition has, oldest first. */
    public List<String> list(int clientId, String partition) {
        Set<String> common = null;
        for (MappedDevice d : disks(clientId)) {
            Set<String> names = new LinkedHashSet<>(namesOf(d, partition));
            if (common == null) {
                common = names;
            } else {
                common.retainAll(names);
            }
        }
        return common == null ? List.of() : List.copyOf(common);
    }

    /** Takes snapshot {@code name} of every disk of the partition; none when one fails. */
    public void take(int clientId, String partition, String name, long createdMillis) {
        List<MappedDevice> disks = disks(clientId);
        if (disks.isEmpty()) {
            throw ModelException.ofPartition(ModelException.Kind.INVALID_STATE, partition, "The partition "
                    + partition + " has no virtual SCSI disk served by a Virtual I/O Server to take a snapshot of.");
        }
        for (MappedDevice d : disks) {
            if (namesOf(d, partition).contains(name)) {
                throw ModelException.ofPartition(ModelException.Kind.NAME_IN_USE, partition, "The snapshot name "
                        + name + " is already used by partition " + partition + ".");
            }
        }
        requireRoom(disks, partition);
        List<MappedDevice> done = new ArrayList<>();
        for (MappedDevice d : disks) {
            try {
                act(d, "snapshot", name, Long.toString(createdMillis));
                done.add(d);
            } catch (IOException | RuntimeException e) {
                for (MappedDevice undo : done) {
                    try {
                        act(undo, "delete", name, null);
                    } catch (IOException | RuntimeException ignored) {
                        // the next delete of that name finds it and removes it
                    }
                }
                throw ModelException.ofPartition(ModelException.Kind.INVALID_STATE, partition, "The snapshot "
                        + name + " of partition " + partition + " could not be taken: disk " + d.vtd() + ": "
                        + e.getMessage());
            }
        }
    }

    /**
     * Each pool must be able to hold the new layers of its disks ({@link PoolRoom}): at worst a
     * layer comes to hold a copy of every block its disk has written, so its disk's data counts
     * against the pool's free space and the file system's. A whole SAN LUN's layers go on the SAN
     * beside it, so its data counts against the SAN's file system.
     */
    private void requireRoom(List<MappedDevice> disks, String partition) {
        java.util.Map<String, Long> bytes = new java.util.LinkedHashMap<>();
        java.util.Map<String, String> names = new java.util.LinkedHashMap<>();
        java.util.Map<Path, Long> onSan = new java.util.LinkedHashMap<>();
        for (MappedDevice d : disks) {
            if (d.kind() == MappedDevice.Kind.PV) { // a whole LUN: no pool, its layers go on the SAN
                onSan.merge(d.file().getParent(), PoolRoom.dataBytes(d.file()), Long::sum);
                names.merge("san:" + d.file().getParent(), d.vtd(), (a, b) -> a + ", " + b);
                continue;
            }
            String key = d.viosId() + "/" + d.file().getParent().getFileName();
            bytes.merge(key, PoolRoom.dataBytes(d.file()), Long::sum);
            names.merge(key, d.vtd(), (a, b) -> a + ", " + b);
        }
        onSan.forEach((dir, n) -> {
            try {
                PoolRoom.requireFileSystem(dir, n, "the SAN", "a snapshot layer of disk " + names.get("san:" + dir)
                        + " of partition " + partition);
            } catch (ModelException e) {
                throw ModelException.ofPartition(e.kind(), partition, e.getMessage());
            }
        });
        bytes.forEach((key, n) -> {
            int viosId = Integer.parseInt(key.substring(0, key.indexOf('/')));
            String pool = key.substring(key.indexOf('/') + 1);
            vios.storage(viosId).pool(pool).ifPresent(p -> {
                try {
                    PoolRoom.require(vios, viosId, p, (n + (1 << 20) - 1) >> 20, n, "a snapshot layer of disk "
                            + names.get(key) + " of partition " + partition);
                } catch (ModelException e) {
                    throw ModelException.ofPartition(e.kind(), partition, e.getMessage());
                }
            });
        });
    }

    /** Returns every disk of the partition to snapshot {@code name}. */
    public void revert(int clientId, String partition, String name) {
        everyDisk(clientId, partition, name, "revert");
    }

    /** Deletes snapshot {@code name} from every disk of the partition, merging what it held. */
    public void delete(int clientId, String partition, String name) {
        if (list(clientId, partition).contains(name)) {
            requireNoLinkedClones(clientId, partition, name);
        }
        everyDisk(clientId, partition, name, "delete");
    }

    /**
     * Refuses when a linked clone's disk reads through snapshot {@code name} (null: any snapshot)
     * of a disk of the partition: that snapshot's layers are the clone's disk.
     */
    public void requireNoLinkedClones(int clientId, String partition, String name) {
        for (MappedDevice d : disks(clientId)) {
            List<Path> clones;
            try {
                clones = LinkedClones.linkedClones(d.file(), name);
            } catch (IOException e) {
                throw ModelException.ofPartition(ModelException.Kind.INVALID_STATE, partition, "The linked clones "
                        + "of disk " + d.vtd() + " of partition " + partition + " cannot be read: " + e.getMessage());
            }
            if (!clones.isEmpty()) {
                throw ModelException.ofPartition(ModelException.Kind.INVALID_STATE, partition, "The "
                        + (name == null ? "snapshots" : "snapshot " + name) + " of partition " + partition
                        + " hold the disk of a linked clone (backing device "
                        + String.join(", ", clones.stream().map(c -> c.getFileName().toString()).toList())
                        + "): remove the clone with its disks first.");
            }
        }
    }

    /**
     * Deletes every snapshot of every disk of the partition, those a daemon killed mid-snapshot left
     * on some disks only too: each disk keeps what it holds now. A disk no server holds open is
     * merged back into a plain file here (its layers' directory goes); a served one when its server
     * next opens it.
     */
    public void deleteAll(int clientId, String partition) {
        requireNoLinkedClones(clientId, partition, null);
        for (MappedDevice d : disks(clientId)) {
            try {
                for (String name : namesOf(d, partition).reversed()) {
                    act(d, "delete", name, null);
                }
                if (controlSocket.apply(d.viosId()).isEmpty() && Overlay.hasChain(d.file())) {
                    Overlay.open(d.file(), true).close(); // opening writable folds an unnamed top into the file
                }
            } catch (IOException | RuntimeException e) {
                throw ModelException.ofPartition(ModelException.Kind.INVALID_STATE, partition, "The snapshots of "
                        + "partition " + partition + " could not be deleted: disk " + d.vtd() + ": " + e.getMessage());
            }
        }
    }

    private void everyDisk(int clientId, String partition, String name, String request) {
        if (!list(clientId, partition).contains(name)) {
            throw ModelException.ofPartition(ModelException.Kind.INVALID_REFERENCE, partition, "The snapshot "
                    + name + " of partition " + partition + " does not exist.");
        }
        for (MappedDevice d : disks(clientId)) {
            try {
                act(d, request, name, null);
            } catch (IOException | RuntimeException e) {
                throw ModelException.ofPartition(ModelException.Kind.INVALID_STATE, partition, "The snapshot "
                        + name + " of partition " + partition + " could not be " + (request.equals("revert")
                                ? "reverted to" : "deleted") + ": disk " + d.vtd() + ": " + e.getMessage());
            }
        }
    }

    private List<MappedDevice> disks(int clientId) {
        return vios.mappedDevicesOf(clientId).stream().filter(DiskSnapshots::layered).toList();
    }

    /**
     * Whether {@code d} has snapshots: a read-write disk of a pool, or a whole SAN LUN, whose layers
     * ({@code .LUN.snap/}) then sit on the SAN beside it, where every system on the SAN reaches them
     * (what lets a snapshotted partition migrate). An optical medium has none.
     */
    public static boolean layered(MappedDevice d) {
        return (d.kind() == MappedDevice.Kind.DISK || d.kind() == MappedDevice.Kind.PV) && d.file() != null
                && !d.readOnly();
    }

    /**
     * Has VIOS {@code viosId}'s running storage server read the layers of the partition's disks it
     * serves again from their files: another system's server wrote them until now (a live
     * migration's source, whose last flush came with the end of its stream). Nothing to do for a
     * VIOS that does not run or a disk without snapshots.
     */
    public void reread(int clientId) throws IOException {
        for (MappedDevice d : disks(clientId)) {
            Optional<Path> sock = controlSocket.apply(d.viosId());
            if (sock.isPresent() && Overlay.hasChain(d.file())) {
                SnapshotControl.call(sock.get(), "refresh", d.vtd());
            }
        }
    }

    private List<String> namesOf(MappedDevice d, String partition) {
        try {
            Optional<Path> sock = controlSocket.apply(d.viosId());
            if (sock.isPresent()) {
                String reply = SnapshotControl.call(sock.get(), "list", d.vtd());
                return reply.isEmpty() ? List.of()
                        : java.util.Arrays.stream(reply.split(" ")).map(w -> w.substring(0, w.lastIndexOf(':'))).toList();
            }
            if (!Overlay.hasChain(d.file())) {
                return List.of();
            }
            try (Overlay o = Overlay.open(d.file(), false)) {
                return o.snapshots().stream().map(OverlayChain.Snapshot::name).toList();
            }
        } catch (IOException e) {
            throw ModelException.ofPartition(ModelException.Kind.INVALID_STATE, partition, "The snapshots of disk "
                    + d.vtd() + " of partition " + partition + " cannot be read: " + e.getMessage());
        }
    }

    /** One request on one disk: through its running server, or on its files when none serves it. */
    private void act(MappedDevice d, String request, String name, String millis) throws IOException {
        Optional<Path> sock = controlSocket.apply(d.viosId());
        if (sock.isPresent()) {
            if (millis == null) {
                SnapshotControl.call(sock.get(), request, d.vtd(), name);
            } else {
                SnapshotControl.call(sock.get(), request, d.vtd(), name, millis);
            }
            return;
        }
        try (Overlay o = Overlay.open(d.file(), true)) {
            switch (request) {
                case "snapshot" -> o.snapshot(name, Long.parseLong(millis));
                case "revert" -> o.revert(name);
                default -> o.delete(name);
            }
        }
    }
}
