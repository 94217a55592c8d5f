package io.parvirt.partition;

import io.parvirt.hypervisor.Hypervisor;
import io.parvirt.hypervisor.LaunchSpec;
import io.parvirt.model.AdapterType;
import io.parvirt.model.LparEnv;
import io.parvirt.model.LparState;
import io.parvirt.model.ModelException;
import io.parvirt.model.Partition;
import io.parvirt.model.Profile;
import io.parvirt.model.RemoteRef;
import io.parvirt.model.SystemDefinition;
import io.parvirt.model.ViosStorage;
import io.parvirt.model.VirtualAdapter;
import io.parvirt.model.VirtualIo;
import io.parvirt.model.VirtualScsiAdapter;
import io.parvirt.system.ManagedSystem;
import io.parvirt.vios.MappedDevice;
import io.parvirt.vios.San;
import io.parvirt.vios.Vhost;
import io.parvirt.vios.ViosException;
import io.parvirt.vios.ViosService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The virtual SCSI half of Live Partition Mobility, on both systems. A partition moves with its
 * disks only when each is a whole SAN LUN mapped by a VIOS ({@code mkvdev -vdev hdiskN}): a disk
 * both systems' VIOSes see under the same unique identifier ({@link San}). A backing device of a
 * VIOS's storage pool, a file-backed disk or an optical drive is storage of the source VIOS alone:
 * refused at validation ({@code HSCLA24E}), one line per device. On the destination, per client
 * adapter with disks, the first running VIOS (lowest id) that sees every LUN of that adapter, none
 * of them mapped there already, gets a server adapter in its lowest free virtual slot naming the
 * client and its slot, and a mapping per LUN at the same LUN index (the guest keeps its SCSI
 * addresses) named as on the source when the name is free there; none can: {@code HSCLA319}. The
 * client's profiles are changed to name that VIOS and slot. A client adapter with no disk gets a
 * server adapter too: on the VIOS named for it, else the one the others went to, else the first
 * running VIOS (none runs: it is left as it was). After the move the source's mappings
 * and the server adapters that paired with the client are removed; after a failure or a stop the
 * destination's are (found by pairing, so a daemon restarted in between finds them too).
 */
final class ScsiMobility {
    private static final Logger LOG = LoggerFactory.getLogger(ScsiMobility.class);
    private static final String USER = "hypervisor";

    private final ManagedSystem sys;
    private final Hypervisor hypervisor;
    private final ViosService vios;
    private final Consumer<Partition> viosChanged;

    ScsiMobility(ManagedSystem sys, Hypervisor hypervisor, ViosService vios, Consumer<Partition> viosChanged) {
        this.sys = sys;
        this.hypervisor = hypervisor;
        this.vios = vios;
        this.viosChanged = viosChanged;
    }

    // ----- the source -----

    /**
     * Every device that cannot move, one refusal each, but those in {@code covered} (another check's
     * line names them already); a Fibre Channel adapter in any profile, one.
     */
    List<ModelException> sourceChecks(Partition p, java.util.Set<String> covered) {
        List<ModelException> out = new ArrayList<>();
        String n = p.name();
        if (sys.definition().profiles(p.id()).stream().anyMatch(x -> !x.io().fc().isEmpty())) {
            out.add(ModelException.ofPartition(ModelException.Kind.NOT_SUPPORTED, n, "Partition " + n + " has "
                    + "virtual Fibre Channel adapters: they cannot be moved (parvirt has no NPIV)."));
        }
        if (vios == null) {
            return out;
        }
        for (ViosService.ClientDevice d : vios.devicesOf(p.id())) {
            if (covered.contains(d.vtd())) {
                continue;
            }
            String where = "virtual SCSI device " + d.vtd() + " (virtual SCSI client adapter " + d.clientSlot()
                    + ", Virtual I/O Server " + d.viosName() + ")";
            if (d.kind() != ViosStorage.TargetKind.PV) {
                String what = d.kind() == ViosStorage.TargetKind.OPTICAL ? "a virtual optical device"
                        : "logical volume " + d.backing() + " of a storage pool of " + d.viosName();
                out.add(ModelException.ofPartition(ModelException.Kind.UNREACHABLE_DEVICE, n, "The " + where
                        + " of partition " + n + " is backed by " + what + ", which is not accessible from the "
                        + "destination managed system: only whole physical volumes of the SAN can be migrated."));
            } else if (vios.san().lun(d.backing()).isEmpty()) {
                out.add(ModelException.ofPartition(ModelException.Kind.UNREACHABLE_DEVICE, n, "The " + where
                        + " of partition " + n + " is backed by LUN " + d.backing() + ", which the SAN no longer "
                        + "has (the device is Defined, not Available)."));
            }
        }
        return out;
    }

    /** The partition's SAN disks, as the destination is told them. */
    List<MigrationRequest.Disk> disks(Partition p) {
        List<MigrationRequest.Disk> out = new ArrayList<>();
        if (vios == null) {
            return out;
        }
        for (ViosService.ClientDevice d : vios.devicesOf(p.id())) {
            if (d.kind() == ViosStorage.TargetKind.PV) {
                vios.san().lun(d.backing()).ifPresent(l -> out.add(new MigrationRequest.Disk(d.clientSlot(), d.lun(),
                        d.vtd(), l.name(), l.identifier())));
            }
        }
        return out;
    }

    /** The unique identifiers of the LUNs behind client adapter {@code slot} of partition {@code p}. */
    List<String> identifiers(Partition p, int slot) {
        return disks(p).stream().filter(d -> d.clientSlot() == slot).map(MigrationRequest.Disk::identifier).toList();
    }

    /** What pairs with a partition on this system's VIOSes: its mappings and the server adapters. */
    record Paired(List<ViosService.ClientMappings> mappings, Map<Integer, List<Integer>> serverSlots) {
    }

    /** Taken while {@code p} is still defined here (pairing reads its profile). */
    Paired pairedWith(Partition p) {
        if (vios == null) {
            return new Paired(List.of(), Map.of());
        }
        SystemDefinition def = sys.definition();
        Map<Integer, List<Integer>> slots = new TreeMap<>();
        for (Partition v : def.partitions()) {
            if (v.env() == LparEnv.VIOSERVER) {
                List<Integer> s = vios.vhosts(v).stream().filter(x -> x.clientId() == p.id()).map(Vhost::slot)
                        .toList();
                if (!s.isEmpty()) {
                    slots.put(v.id(), s);
                }
            }
        }
        return new Paired(vios.mappingsOf(p.id()), slots);
    }

    /**
     * After {@code p}'s definition left this system (moved, or an arrival removed): its mappings
     * and the server adapters that paired with it go, and each VIOS serves what remains. Failures
     * are logged: the partition runs where it should, and what is left is visible in lsmap.
     */
    void reclaim(Partition p, Paired paired) {
        Set<Integer> changed = new HashSet<>();
        for (ViosService.ClientMappings m : paired.mappings()) {
            try {
                vios.release(m, false, p.name(), USER);
                changed.add(m.viosId());
            } catch (RuntimeException e) {
                LOG.warn("partition {}: mappings {} on {} not removed: {}", p.name(), m.targets(), m.viosName(),
                        e.getMessage());
            }
        }
        for (var e : paired.serverSlots().entrySet()) {
            Partition v = sys.definition().partition(e.getKey()).orElse(null);
            if (v == null) {
                continue;
            }
            try {
                Profile prof = sys.definition().defaultProfile(v);
                List<VirtualScsiAdapter> keep = prof.io().scsi().stream().filter(a -> a.type() != AdapterType.SERVER
                        || !e.getValue().contains(a.slot())).toList();
                sys.saveProfile(withScsi(prof, keep), true, USER, "lost the virtual SCSI server adapters "
                        + e.getValue() + " of partition " + p.name() + " (partition mobility)");
                changed.add(v.id());
            } catch (RuntimeException x) {
                LOG.warn("partition {}: server adapters {} of {} not removed: {}", p.name(), e.getValue(), v.name(),
                        x.getMessage());
            }
        }
        for (int id : changed) {
            sys.definition().partition(id).ifPresent(viosChanged);
        }
    }

    // ----- the saved state of a suspended partition (both sides) -----

    /**
     * The SAN's reserved storage, PowerVM's reserved storage device pool: a directory in the SAN
     * directory whose name starts with '.', so it is no LUN ({@link San}), and which every VIOS on
     * the SAN reaches. A suspended partition whose first disk is a SAN LUN saves its state there, so
     * another system on the same SAN can resume it ({@link Suspension#stateFile}).
     */
    static final String RESERVED = ".parvirt-reserved";

    /** The file {@code name} in the reserved storage of {@code san}, or null when there is no SAN. */
    static Path reserved(San san, String name) {
        return san == null || san.dir() == null ? null : san.dir().resolve(RESERVED).resolve(name);
    }

    /**
     * Where a file of {@code p}'s saved memory named {@code name} goes on VIOS storage (a suspend's
     * state, a memory snapshot): beside its first disk when that is a pool's; in the SAN's reserved
     * storage when it is a SAN LUN, where every system on the SAN reads it; empty when it has no
     * such disk.
     */
    static java.util.Optional<Path> savedMemory(ViosService vios, Partition p, String name) {
        for (MappedDevice d : vios.mappedDevicesOf(p.id())) {
            if (d.kind() == MappedDevice.Kind.DISK && d.file() != null) {
                return java.util.Optional.of(d.file().resolveSibling(name));
            }
            if (d.kind() == MappedDevice.Kind.PV && vios.san().dir() != null) {
                return java.util.Optional.of(reserved(vios.san(), name));
            }
        }
        return java.util.Optional.empty();
    }

    /** The SAN this system's VIOSes are on ({@link San#NONE} without VIOS storage). */
    San san() {
        return vios == null ? San.NONE : vios.san();
    }

    /** The saved state file of {@code p} in this system's SAN reserved storage (null: no SAN here). */
    Path savedStateOnSan(Partition p) {
        return reserved(vios == null ? null : vios.san(), Suspension.stateFileName(p));
    }

    // ----- the destination -----

    /** Where one client adapter's disks are served on the destination. */
    record Placement(int clientSlot, int viosId, String viosName, int serverSlot) {
    }

    /** Every disk of the request a VIOS here can serve, or one refusal per client adapter none can. */
    List<ModelException> targetChecks(MigrationRequest r) {
        List<ModelException> out = new ArrayList<>();
        placeOrRefuse(r, out);
        return out;
    }

    /** The placement of each client adapter with disks; refused (the first failure) when one has no VIOS. */
    Map<Integer, Placement> place(MigrationRequest r) {
        List<ModelException> out = new ArrayList<>();
        Map<Integer, Placement> p = placeOrRefuse(r, out);
        if (!out.isEmpty()) {
            throw out.getFirst();
        }
        return p;
    }

    private Map<Integer, Placement> placeOrRefuse(MigrationRequest r, List<ModelException> out) {
        Partition p = r.partition();
        String here = sys.definition().settings().name();
        Map<Integer, List<MigrationRequest.Disk>> bySlot = new TreeMap<>();
        r.disks().forEach(d -> bySlot.computeIfAbsent(d.clientSlot(), k -> new ArrayList<>()).add(d));
        if (r.spec() != null) {
            for (LaunchSpec.ScsiDevice d : r.spec().scsi()) {
                if (d.cdrom() || bySlot.getOrDefault(d.clientSlot(), List.of()).stream().noneMatch(x -> x.lun()
                        == d.lun() + 1)) {
                    out.add(ModelException.ofPartition(ModelException.Kind.UNREACHABLE_DEVICE, p.name(), "The virtual "
                            + "SCSI device " + d.vtd() + " of partition " + p.name() + " is not a disk of the SAN: the "
                            + "destination managed system " + here + " cannot reach it."));
                }
            }
        }
        Map<Integer, Placement> placed = new LinkedHashMap<>();
        SystemDefinition def = sys.definition();
        List<San.Lun> luns = vios == null ? List.of() : vios.san().luns();
        Map<Integer, Set<Integer>> taken = new TreeMap<>();
        for (var e : bySlot.entrySet()) {
            List<String> missing = new ArrayList<>();
            List<String> mapped = new ArrayList<>();
            for (MigrationRequest.Disk d : e.getValue()) {
                San.Lun l = luns.stream().filter(x -> x.identifier().equals(d.identifier())).findFirst().orElse(null);
                if (l == null) {
                    missing.add(d.lunName());
                } else if (mappedHere(def, l)) {
                    mapped.add(l.hdisk());
                }
            }
            String cannot = !missing.isEmpty() ? "no Virtual I/O Server there sees LUN " + String.join(", ", missing)
                    : !mapped.isEmpty() ? "its physical volume " + String.join(", ", mapped) + " is already mapped "
                    + "there" : null;
            var choice = r.choice(e.getKey());
            if (choice.isPresent()) {
                if (cannot != null) {
                    out.add(chosenRefusal(p, choice.get(), "cannot reach the disks of that adapter: " + cannot));
                } else {
                    placeChosen(p, choice.get(), def, taken, placed, out);
                }
                continue;
            }
            Placement chosen = cannot != null ? null : firstFree(e.getKey(), runningVioses(def), def, taken);
            if (chosen != null) {
                placed.put(e.getKey(), chosen);
                continue;
            }
            String why = cannot != null ? cannot : runningVioses(def).isEmpty() ? "no Virtual I/O Server runs there"
                    : "no running Virtual I/O Server there has a free virtual slot";
            out.add(ModelException.ofPartition(ModelException.Kind.NO_HOSTING_VIOS, p.name(), "The virtual SCSI "
                    + "adapter " + e.getKey() + " of partition " + p.name() + " cannot be hosted by the Virtual I/O "
                    + "Server partitions of the destination managed system " + here + ": " + why + "."));
        }
        // Client adapters with no disk pair with a VIOS here too (the one asked for, else the one the
        // others went to, else the first that runs): left naming the source's VIOS they would pair
        // with a partition of this system that happens to have its id. None runs: they stay unpaired.
        for (int slot : clientSlots(r)) {
            if (bySlot.containsKey(slot)) {
                continue;
            }
            var choice = r.choice(slot);
            if (choice.isPresent()) {
                placeChosen(p, choice.get(), def, taken, placed, out);
                continue;
            }
            List<Partition> order = new ArrayList<>();
            placed.values().stream().findFirst().flatMap(x -> def.partition(x.viosId())).ifPresent(order::add);
            runningVioses(def).stream().filter(v -> !order.contains(v)).forEach(order::add);
            Placement chosen = firstFree(slot, order, def, taken);
            if (chosen != null) {
                placed.put(slot, chosen);
            }
        }
        return placed;
    }

    /** The client adapters of the request's profiles, by slot. */
    private static Set<Integer> clientSlots(MigrationRequest r) {
        Set<Integer> out = new java.util.TreeSet<>();
        r.profiles().forEach(prof -> prof.io().scsi().stream().filter(a -> a.type() == AdapterType.CLIENT)
                .forEach(a -> out.add(a.slot())));
        if (r.spec() != null) {
            r.spec().scsiClients().forEach(c -> out.add(c.slot()));
        }
        return out;
    }

    /** The first of {@code vioses} with a free virtual slot, that slot taken; null when none has one. */
    private static Placement firstFree(int clientSlot, List<Partition> vioses, SystemDefinition def,
            Map<Integer, Set<Integer>> taken) {
        for (Partition v : vioses) {
            int slot = freeSlot(def.defaultProfile(v), taken.getOrDefault(v.id(), Set.of()));
            if (slot > 0) {
                taken.computeIfAbsent(v.id(), k -> new HashSet<>()).add(slot);
                return new Placement(clientSlot, v.id(), v.name(), slot);
            }
        }
        return null;
    }

    /**
     * The VIOS {@code virtual_scsi_mappings} asked for: it must exist here under that id (and name,
     * when given), run, and have the slot asked for (or any) free; else one refusal naming it.
     */
    private void placeChosen(Partition p, MigrationRequest.ScsiChoice c, SystemDefinition def,
            Map<Integer, Set<Integer>> taken, Map<Integer, Placement> placed, List<ModelException> out) {
        Partition v = def.partition(c.viosId()).filter(x -> x.env() == LparEnv.VIOSERVER
                && (c.viosName() == null || x.name().equals(c.viosName()))).orElse(null);
        if (v == null) {
            out.add(chosenRefusal(p, c, "does not exist there"));
            return;
        }
        if (!runningVioses(def).contains(v)) {
            out.add(chosenRefusal(p, c, "is not running"));
            return;
        }
        Set<Integer> busy = taken.getOrDefault(v.id(), Set.of());
        int slot;
        if (c.viosSlot() > 0) {
            boolean used = busy.contains(c.viosSlot()) || def.defaultProfile(v).io().all().stream()
                    .anyMatch(a -> a.slot() == c.viosSlot()) || c.viosSlot() >= def.defaultProfile(v).io().maxVirtualSlots();
            slot = used ? 0 : c.viosSlot();
        } else {
            slot = freeSlot(def.defaultProfile(v), busy);
        }
        if (slot == 0) {
            out.add(chosenRefusal(p, c, c.viosSlot() > 0 ? "has virtual slot " + c.viosSlot() + " in use or beyond "
                    + "its maximum" : "has no free virtual slot"));
            return;
        }
        taken.computeIfAbsent(v.id(), k -> new HashSet<>()).add(slot);
        placed.put(c.clientSlot(), new Placement(c.clientSlot(), v.id(), v.name(), slot));
    }

    private ModelException chosenRefusal(Partition p, MigrationRequest.ScsiChoice c, String why) {
        return ModelException.ofPartition(ModelException.Kind.NO_HOSTING_VIOS, p.name(), "The Virtual I/O Server "
                + c.vios() + " that virtual_scsi_mappings names for virtual SCSI adapter " + c.clientSlot()
                + " of partition " + p.name() + " " + why + " on the destination managed system "
                + sys.definition().settings().name() + ".");
    }

    /**
     * For {@code lslparmigr -r virtualio}: per LUN identifier, the running VIOSes ({@code running})
     * that could map it: every VIOS of this system sees every LUN of its SAN, so all of them when
     * the SAN has it and no VIOS here maps it yet, none otherwise.
     */
    List<MigrationOffer.LunHosts> hosts(List<String> identifiers, List<MigrationOffer.Member> running) {
        List<MigrationOffer.LunHosts> out = new ArrayList<>();
        List<San.Lun> luns = vios == null ? List.of() : vios.san().luns();
        SystemDefinition def = sys.definition();
        for (String id : identifiers) {
            boolean free = luns.stream().anyMatch(l -> l.identifier().equals(id) && !mappedHere(def, l));
            out.add(new MigrationOffer.LunHosts(id, free ? running : List.of()));
        }
        return out;
    }

    /** A VIOS of this system maps the LUN already (to whichever client). */
    private boolean mappedHere(SystemDefinition def, San.Lun l) {
        return def.partitions().stream().anyMatch(v -> v.env() == LparEnv.VIOSERVER
                && vios.storage(v.id()).targetOfLun(l.name()).isPresent());
    }

    /** The VIOSes that run (a VIOS whose storage server is not up cannot serve the arriving disks), by id. */
    private List<Partition> runningVioses(SystemDefinition def) {
        return def.partitions().stream().filter(v -> v.env() == LparEnv.VIOSERVER && hypervisor.status(v.id())
                .map(st -> st.state() == LparState.RUNNING).orElse(false))
                .sorted(java.util.Comparator.comparingInt(Partition::id)).toList();
    }

    /** The lowest virtual slot from 2 that the VIOS's default profile does not use, or 0. */
    private static int freeSlot(Profile prof, Set<Integer> taken) {
        Set<Integer> used = new HashSet<>(taken);
        prof.io().all().stream().map(VirtualAdapter::slot).forEach(used::add);
        for (int s = 2; s < prof.io().maxVirtualSlots(); s++) {
            if (!used.contains(s)) {
                return s;
            }
        }
        return 0;
    }

    /** The client's profiles with each placed client adapter naming its destination VIOS and slot. */
    static List<Profile> rehomed(List<Profile> profiles, Map<Integer, Placement> placed) {
        if (placed.isEmpty()) {
            return profiles;
        }
        return profiles.stream().map(prof -> withScsi(prof, prof.io().scsi().stream().map(a -> {
            Placement pl = a.type() == AdapterType.CLIENT ? placed.get(a.slot()) : null;
            return pl == null ? a : new VirtualScsiAdapter(a.slot(), AdapterType.CLIENT, new RemoteRef(pl.viosId(),
                    pl.viosName(), pl.serverSlot(), false, false), a.required());
        }).toList())).toList();
    }

    /**
     * After the arriving partition is defined here: each placed adapter's VIOS gets its server
     * adapter and the mappings, and serves them (its storage server reloads its exports); returns
     * when the exports' sockets are there. Refused (nothing of it left behind by {@link #reclaim}
     * through the caller's abort) when a mapping cannot be made.
     */
    void serve(Partition p, Map<Integer, Placement> placed, List<MigrationRequest.Disk> disks) {
        if (placed.isEmpty()) {
            return;
        }
        Map<Integer, List<Placement>> byVios = new TreeMap<>();
        placed.values().forEach(pl -> byVios.computeIfAbsent(pl.viosId(), k -> new ArrayList<>()).add(pl));
        for (var e : byVios.entrySet()) {
            Partition v = sys.partition(e.getKey());
            Profile prof = sys.definition().defaultProfile(v);
            List<VirtualScsiAdapter> scsi = new ArrayList<>(prof.io().scsi());
            for (Placement pl : e.getValue()) {
                scsi.add(new VirtualScsiAdapter(pl.serverSlot(), AdapterType.SERVER, new RemoteRef(p.id(), p.name(),
                        pl.clientSlot(), false, false), false));
            }
            sys.saveProfile(withScsi(prof, scsi), true, USER, "given virtual SCSI server adapters for partition "
                    + p.name() + ", arriving by partition mobility");
        }
        List<Path> sockets = new ArrayList<>();
        try {
            for (MigrationRequest.Disk d : disks) {
                Placement pl = placed.get(d.clientSlot());
                String lun = vios.san().luns().stream().filter(l -> l.identifier().equals(d.identifier()))
                        .map(San.Lun::name).findFirst().orElse(d.lunName());
                String vtd = vios.mapLun(pl.viosId(), pl.serverSlot(), d.lun(), lun, d.vtd(), USER);
                sockets.add(LaunchPlanner.nbdSocket(hypervisor.config().runRoot(), pl.viosId(), vtd));
            }
        } catch (ViosException e) {
            throw ModelException.ofPartition(ModelException.Kind.NO_HOSTING_VIOS, p.name(), "The destination "
                    + "managed system " + sys.definition().settings().name() + " could not map the disks of "
                    + p.name() + ": " + e.getMessage());
        }
        byVios.keySet().forEach(id -> viosChanged.accept(sys.partition(id)));
        long deadline = System.nanoTime() + PartitionOperations.SOCKET_WAIT_MS * 1_000_000;
        for (Path s : sockets) {
            while (!Files.exists(s)) {
                if (System.nanoTime() > deadline) {
                    throw ModelException.ofPartition(ModelException.Kind.INVALID_STATE, p.name(), "The Virtual I/O "
                            + "Server of the destination did not serve " + s.getFileName() + " in time.");
                }
                MobilityReceiver.sleep(50);
            }
        }
    }

    /** The arriving QEMU's devices: each disk on its destination VIOS's socket, its adapters naming that VIOS. */
    LaunchSpec rehomed(LaunchSpec spec, Partition p, Map<Integer, Placement> placed) {
        if (placed.isEmpty()) {
            return spec;
        }
        List<LaunchSpec.ScsiDevice> devices = new ArrayList<>();
        for (MappedDevice m : vios == null ? List.<MappedDevice>of() : vios.mappedDevicesOf(p.id())) {
            devices.add(LaunchPlanner.device(m, hypervisor.config().runRoot()));
        }
        List<LaunchSpec.ScsiClient> clients = spec.scsiClients().stream().map(c -> {
            Placement pl = placed.get(c.slot());
            return pl == null ? c : new LaunchSpec.ScsiClient(c.slot(), pl.viosId(), pl.serverSlot());
        }).toList();
        return spec.withScsi(clients, devices);
    }

    private static Profile withScsi(Profile prof, List<VirtualScsiAdapter> scsi) {
        VirtualIo io = prof.io();
        return new Profile(prof.name(), prof.lparId(), prof.memory(), prof.processors(), new VirtualIo(
                io.maxVirtualSlots(), io.serial(), scsi, io.eth(), io.fc()), prof.options());
    }
}
