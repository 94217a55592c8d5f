package io.parvirt.vios;

import io.parvirt.model.LparEnv;
import io.parvirt.model.Partition;
import io.parvirt.model.SystemDefinition;
import io.parvirt.model.ViosStorage;
import io.parvirt.store.ConsoleEvent;
import io.parvirt.store.Store;
import io.parvirt.system.ManagedSystem;
import io.parvirt.vios.nbd.Export;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one owner of every VIOS's storage configuration. Reads take the published snapshot; a
 * change is computed under this object's lock from the current snapshot, its files are made, it is
 * committed to the store as one transaction and only then published. If the files cannot be made
 * or the store refuses, the files made are removed and nothing changed. Files a change drops are
 * deleted after the commit (a file left behind by a crash there is garbage inside parvirt's own
 * directory, and is replaced when the name is used again).
 *
 * <p>Layout: {@code <root>/<vios id>/pools/<pool>/<backing device>} (sparse files) and
 * {@code <root>/<vios id>/repository/<medium>}.
 */
public final class ViosService {
    private static final Logger LOG = LoggerFactory.getLogger(ViosService.class);
    private final ManagedSystem sys;
    private final Store store;
    private final Path root;
    private final Map<Integer, ViosStorage> state = new ConcurrentHashMap<>();
    private volatile San san = San.NONE;

    public ViosService(ManagedSystem sys, Store store, Path root) {
        this.sys = sys;
        this.store = store;
        this.root = root;
        for (ViosStorage s : store.viosStorage()) {
            state.put(s.viosId(), s);
        }
    }

    /** VIOS {@code viosId}'s storage, with the {@code rootvg} pool every VIOS has ({@link RootVg}). */
    public ViosStorage storage(int viosId) {
        return RootVg.in(state.getOrDefault(viosId, ViosStorage.empty(viosId)));
    }

    /** The SAN every VIOS of this system sees ({@code vios.san}); none unless set. */
    public void san(Path dir) {
        this.san = dir == null ? San.NONE : new San(dir);
    }

    public San san() {
        return san;
    }

    public List<Vhost> vhosts(Partition vios) {
        return Vhost.of(sys.definition(), vios);
    }

    SystemDefinition definition() {
        return sys.definition();
    }

    Path poolDir(int viosId, String pool) {
        return root.resolve(Integer.toString(viosId)).resolve("pools").resolve(pool);
    }

    Path devicePath(int viosId, ViosStorage.BackingDevice d) {
        return poolDir(viosId, d.pool()).resolve(d.name());
    }

    /** Everything a backing device is made of: its file and its snapshot layers ({@code .NAME.snap/}). */
    List<Path> deviceFiles(int viosId, ViosStorage.BackingDevice d) {
        Path file = devicePath(viosId, d);
        return List.of(file, io.parvirt.vios.nbd.Overlay.dirOf(file));
    }

    /**
     * {@code <home>/import}, beside the VIOS storage: the one host directory whose files any HMC
     * user who may run {@code viosvrcmd} can copy into a media repository ({@code mkvopt -file}).
     */
    public Path importDir() {
        return root.resolveSibling("import");
    }

    Path repositoryDir(int viosId) {
        return root.resolve(Integer.toString(viosId)).resolve("repository");
    }

    Path mediaPath(int viosId, String medium) {
        return repositoryDir(viosId).resolve(medium);
    }

    /** Whether VIOS {@code viosId} has any storage configuration beyond its own rootvg (pools, devices, mappings, media). */
    public boolean hasStorage(int viosId) {
        ViosStorage s = storage(viosId);
        return s.pools().stream().anyMatch(p -> !RootVg.is(p)) || !s.devices().isEmpty() || !s.targets().isEmpty() || s.repository() != null || !s.media().isEmpty();
    }

    /**
     * A VIOS partition is being removed with {@code --vioscfg} (issue 12): its storage configuration
     * and files go with it, so that a later partition given the same id starts with none.
     */
    public synchronized void forget(Partition vios, String user) {
        store.commitVios(ViosStorage.empty(vios.id()), new ConsoleEvent(Instant.now(), user == null ? "parvirt"
                : user, "parvirt", "vios", "info", "Storage configuration of Virtual I/O Server " + vios.name()
                + " (id " + vios.id() + ") removed with the partition"));
        state.remove(vios.id());
        try {
            deleteTree(root.resolve(Integer.toString(vios.id())));
        } catch (IOException e) {
            LOG.warn("VIOS {}: files not all deleted: {}", vios.name(), e.toString());
        }
    }

    /**
     * What {@code rmsyscfg --vioscfg} removes for client partition {@code clientId}: per VIOS, the
     * virtual target devices on the server adapters that pair with the client's adapters. Taken
     * while the client is still defined (pairing reads its profile), applied by {@link #release}.
     */
    public record ClientMappings(int viosId, String viosName, List<String> targets) {
    }

    /** The mappings each VIOS holds for client {@code clientId} (none: an empty list). */
    public List<ClientMappings> mappingsOf(int clientId) {
        SystemDefinition def = sys.definition();
        List<ClientMappings> out = new ArrayList<>();
        for (Partition vios : def.partitions()) {
            if (vios.env() != LparEnv.VIOSERVER || vios.id() == clientId) {
                continue;
            }
            List<Integer> slots = Vhost.of(def, vios).stream().filter(v -> v.clientId() == clientId)
                    .map(Vhost::slot).toList();
            List<String> names = storage(vios.id()).targets().stream().filter(t -> slots.contains(t.serverSlot()))
                    .map(ViosStorage.Target::name).toList();
            if (!names.isEmpty()) {
                out.add(new ClientMappings(vios.id(), vios.name(), names));
            }
        }
        return out;
    }

    /**
     * Removes the mappings, and with {@code withDisks} the backing devices they map (their files
     * too; a medium in an optical drive stays in the repository), as {@code rmsyscfg --vioscfg
     * [--vdisk]} does for a removed client. One change per VIOS, each whole.
     */
    public synchronized void release(ClientMappings m, boolean withDisks, String clientName, String user) {
        apply(m.viosId(), user, s -> {
            List<ViosStorage.Target> drop = s.targets().stream().filter(t -> m.targets().contains(t.name())).toList();
            List<String> disks = withDisks ? drop.stream().filter(t -> t.kind() == ViosStorage.TargetKind.DISK)
                    .map(ViosStorage.Target::backing).toList() : List.of();
            List<Path> files = s.devices().stream().filter(d -> disks.contains(d.name()))
                    .flatMap(d -> deviceFiles(m.viosId(), d).stream()).toList();
            ViosStorage next = s.withTargets(ViosStorage.minus(s.targets(), drop::contains))
                    .withDevices(ViosStorage.minus(s.devices(), d -> disks.contains(d.name())));
            return new Change(next, "Mappings " + String.join(", ", m.targets()) + (disks.isEmpty() ? ""
                    : " and backing devices " + String.join(", ", disks)) + " of removed partition " + clientName
                    + " removed from " + m.viosName(), () -> { }, files);
        });
    }

    /**
     * Refuses a mapping of SAN LUN {@code lun} by VIOS {@code viosId} on its server adapter in
     * {@code serverSlot} when any VIOS of this system maps it already: on the same VIOS at all, on
     * another one for a different client (or on an adapter that pairs with none). The same client
     * through two VIOSes (redundant paths) is allowed, as on PowerVM.
     */
    void checkLunFree(int viosId, int serverSlot, String lun, String hdisk) {
        SystemDefinition def = sys.definition();
        Partition self = def.partition(viosId).orElseThrow();
        int client = Vhost.of(def, self).stream().filter(v -> v.slot() == serverSlot).mapToInt(Vhost::clientId)
                .findFirst().orElse(0);
        for (Partition v : def.partitions()) {
            if (v.env() != LparEnv.VIOSERVER) {
                continue;
            }
            var t = storage(v.id()).targetOfLun(lun);
            if (t.isEmpty()) {
                continue;
            }
            int other = Vhost.of(def, v).stream().filter(x -> x.slot() == t.get().serverSlot())
                    .mapToInt(Vhost::clientId).findFirst().orElse(0);
            if (v.id() == viosId || client == 0 || other != client) {
                throw new ViosException(ViosException.Kind.IN_USE, hdisk, "The physical volume " + hdisk + " (LUN "
                        + lun + ") is already mapped by " + t.get().name() + " on " + v.name() + (v.id() == viosId
                        ? "" : " to another partition") + "; a disk of the SAN is mapped to one client partition "
                        + "only.");
            }
        }
    }

    /** A device of a client partition, as mobility moves it: where it is mapped and what backs it. */
    public record ClientDevice(int viosId, String viosName, int serverSlot, int clientSlot, String vtd, int lun,
            ViosStorage.TargetKind kind, String backing) {
    }

    /** Every mapping to client {@code clientId} on the VIOSes of this system, by client slot then LUN. */
    public List<ClientDevice> devicesOf(int clientId) {
        SystemDefinition def = sys.definition();
        List<ClientDevice> out = new ArrayList<>();
        for (Partition vios : def.partitions()) {
            if (vios.env() != LparEnv.VIOSERVER || vios.id() == clientId) {
                continue;
            }
            ViosStorage s = storage(vios.id());
            for (Vhost v : Vhost.of(def, vios)) {
                if (v.clientId() != clientId) {
                    continue;
                }
                for (ViosStorage.Target t : s.targets()) {
                    if (t.serverSlot() == v.slot()) {
                        out.add(new ClientDevice(vios.id(), vios.name(), v.slot(), v.clientSlot(), t.name(), t.lun(),
                                t.kind(), t.kind() == ViosStorage.TargetKind.OPTICAL ? t.media() : t.backing()));
                    }
                }
            }
        }
        out.sort(java.util.Comparator.comparingInt(ClientDevice::clientSlot).thenComparingInt(ClientDevice::lun));
        return out;
    }

    /**
     * Maps SAN LUN {@code lun} whole on VIOS {@code viosId}'s server adapter in {@code serverSlot}
     * at LUN index {@code lunIndex} (mobility's destination: the client keeps its LUN numbers),
     * named {@code vtd} when that name is free there, else vtscsiN; returns the name. Refused as
     * {@code mkvdev} refuses (the LUN mapped already, the LUN index taken), with nothing changed.
     */
    public synchronized String mapLun(int viosId, int serverSlot, int lunIndex, String lun, String vtd, String user) {
        String[] made = new String[1];
        apply(viosId, user, s -> {
            San.Lun l = san.lun(lun).orElseThrow(() -> new ViosException(ViosException.Kind.NOT_FOUND, lun, "The "
                    + "SAN of this system has no LUN " + lun + "."));
            checkLunFree(viosId, serverSlot, lun, l.hdisk());
            if (s.targets().stream().anyMatch(t -> t.serverSlot() == serverSlot && t.lun() == lunIndex)) {
                throw new ViosException(ViosException.Kind.IN_USE, lun, "LUN index " + lunIndex + " of server slot "
                        + serverSlot + " is in use.");
            }
            String name = vtd;
            if (name == null || s.target(name).isPresent() || s.pool(name).isPresent() || s.device(name).isPresent()) {
                int i = 0;
                while (s.target("vtscsi" + i).isPresent() || s.pool("vtscsi" + i).isPresent()
                        || s.device("vtscsi" + i).isPresent()) {
                    i++;
                }
                name = "vtscsi" + i;
            }
            made[0] = name;
            return new Change(s.withTargets(ViosStorage.plus(s.targets(), new ViosStorage.Target(name, serverSlot,
                    lunIndex, ViosStorage.TargetKind.PV, lun, null))), "Virtual target device " + name + " maps "
                    + l.hdisk() + " (LUN " + lun + ") for an arriving partition");
        });
        return made[0];
    }

    /** Removes the mappings named {@code vtds} of VIOS {@code viosId} (those that exist), as one change. */
    public synchronized void unmap(int viosId, List<String> vtds, String why, String user) {
        if (vtds.stream().noneMatch(n -> storage(viosId).target(n).isPresent())) {
            return;
        }
        apply(viosId, user, s -> new Change(s.withTargets(ViosStorage.minus(s.targets(), t -> vtds.contains(t.name()))),
                "Virtual target devices " + String.join(", ", vtds) + " removed: " + why));
    }

    /** File work done before a change is committed; {@link #undo} removes what it made. */
    interface FileWork {
        void run() throws IOException;

        default void undo() {
        }
    }

    /** A computed change: the new state, the event text, files to make first and files to drop after. */
    record Change(ViosStorage next, String event, FileWork before, List<Path> dropAfter) {
        Change(ViosStorage next, String event) {
            this(next, event, () -> { }, List.of());
        }
    }

    /** Computes a change from the current state and applies it whole, or throws and changes nothing. */
    synchronized void apply(int viosId, String user, Function<ViosStorage, Change> edit) {
        Change c = edit.apply(storage(viosId));
        try {
            c.before().run();
        } catch (IOException | RuntimeException e) {
            c.before().undo();
            throw new ViosException(ViosException.Kind.IO, null, "The files of the change could not be made: "
                    + e.getMessage() + ". Nothing was changed.");
        }
        try {
            store.commitVios(c.next(), new ConsoleEvent(Instant.now(), user == null ? "parvirt" : user, "parvirt",
                    "vios", "info", c.event()));
        } catch (RuntimeException e) {
            c.before().undo();
            throw e;
        }
        state.put(viosId, c.next());
        for (Path p : c.dropAfter()) {
            try {
                deleteTree(p);
            } catch (IOException e) {
                LOG.warn("VIOS {}: could not delete {} after the change: {}", viosId, p, e.toString());
            }
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (Files.isDirectory(p)) {
            try (var s = Files.walk(p)) {
                for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(q);
                }
            }
        } else {
            Files.deleteIfExists(p);
        }
    }

    /**
     * The devices client partition {@code clientId} sees through its virtual SCSI client adapters,
     * from every VIOS whose server adapters pair with them, by client slot then LUN. A disk whose
     * file has been deleted is still listed (the launch path reports it).
     */
    public List<MappedDevice> mappedDevicesOf(int clientId) {
        SystemDefinition def = sys.definition();
        List<MappedDevice> out = new ArrayList<>();
        for (Partition vios : def.partitions()) {
            if (vios.env() == LparEnv.VIOSERVER) {
                served(def, vios, clientId, out);
            }
        }
        out.sort(java.util.Comparator.comparingInt(MappedDevice::clientSlot).thenComparingLong(d -> d.lun()
                ^ Long.MIN_VALUE));
        return out;
    }

    /**
     * What VIOS {@code viosId}'s storage server serves: one export per mapping on a server adapter
     * that pairs with a client, named by its virtual target device, for every disk and every
     * optical drive with a medium loaded. Optical media are served read-only (a CD drive cannot
     * write, whatever the medium's access).
     */
    public List<Export> exportsOf(int viosId) {
        SystemDefinition def = sys.definition();
        List<MappedDevice> devices = new ArrayList<>();
        def.partition(viosId).filter(p -> p.env() == LparEnv.VIOSERVER).ifPresent(v -> served(def, v, 0, devices));
        List<Export> out = new ArrayList<>();
        for (MappedDevice d : devices) {
            if (d.file() != null) {
                out.add(new Export(d.vtd(), d.file(), d.readOnly() || d.kind() == MappedDevice.Kind.OPTICAL));
            }
        }
        return out;
    }

    /** The mappings of {@code vios} to client {@code clientId} (0: to any paired client). */
    private void served(SystemDefinition def, Partition vios, int clientId, List<MappedDevice> out) {
        ViosStorage s = storage(vios.id());
        for (Vhost v : Vhost.of(def, vios)) {
            if (v.clientId() == 0 || (clientId != 0 && v.clientId() != clientId)) {
                continue;
            }
            for (ViosStorage.Target t : s.targets()) {
                if (t.serverSlot() == v.slot()) {
                    out.add(device(s, v, t));
                }
            }
        }
    }

    private MappedDevice device(ViosStorage s, Vhost v, ViosStorage.Target t) {
        long lun = MappedDevice.lun(t.lun());
        if (t.kind() == ViosStorage.TargetKind.DISK) {
            return new MappedDevice(s.viosId(), t.name(), v.clientSlot(), lun,
                    devicePath(s.viosId(), s.device(t.backing()).orElseThrow()), MappedDevice.Kind.DISK, false);
        }
        if (t.kind() == ViosStorage.TargetKind.PV) {
            return new MappedDevice(s.viosId(), t.name(), v.clientSlot(), lun, san.file(t.backing()),
                    MappedDevice.Kind.PV, false);
        }
        ViosStorage.Media m = t.media() == null ? null : s.medium(t.media()).orElseThrow();
        return new MappedDevice(s.viosId(), t.name(), v.clientSlot(), lun,
                m == null ? null : mediaPath(s.viosId(), m.name()), MappedDevice.Kind.OPTICAL,
                m == null || m.readOnly());
    }
}
