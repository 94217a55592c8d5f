package io.parvirt.system;

import io.parvirt.model.AdapterType;
import io.parvirt.model.ModelException;
import io.parvirt.model.Partition;
import io.parvirt.model.Profile;
import io.parvirt.model.ProfileDraft;
import io.parvirt.model.RemoteRef;
import io.parvirt.model.SystemDefinition;
import io.parvirt.model.VirtualAdapter;
import io.parvirt.model.VirtualIo;
import io.parvirt.model.VirtualScsiAdapter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * A partition made from another's definition (issue 19: a restored backup or a full clone): under
 * its own name or a new one, with an id of this system, its virtual SCSI client adapters that
 * carry disks re-pointed at a new server adapter added to the serving VIOS's default profile (one
 * per client adapter, naming the new partition, so it pairs with nothing else), and the other client
 * adapters dropped (a restore serves its optical drives' adapters too: they are in {@code serving}). A copy under a new name gets a new UUID and the system's MAC addresses.
 * Every profile is validated as {@code mksyscfg} validates one.
 *
 * @param serving per client slot with disks (or a restored optical drive), the VIOS (by id) that serves them
 */
public record RestoredPartition(Partition source, List<Profile> profiles, String name, Integer id,
        Map<Integer, Integer> serving) {

    public RestoredPartition {
        profiles = List.copyOf(profiles);
        serving = Map.copyOf(serving);
    }

    /** What {@link #build} gives: the partition, its profiles, the VIOS profiles changed, the server slots. */
    public record Built(Partition partition, List<Profile> profiles, List<Profile> viosProfiles,
            Map<Integer, Integer> serverSlots, SystemDefinition result) {
    }

    Built build(SystemDefinition def) {
        int newId = PartitionEdit.newId(def, name, id);
        Partition src = source;
        boolean copy = !name.equals(src.name()) || def.partitions().stream().anyMatch(p -> p.uuid().equals(
                src.uuid()));
        Partition p = new Partition(newId, name, src.env(), src.defaultProfile(), copy ? UUID.randomUUID().toString()
                : src.uuid(), src.options());
        SystemDefinition next = def.with(def.settings(), List.of(p), List.of(), List.of(), List.of(), List.of());
        // one new server adapter per client slot with disks, in its VIOS's default profile
        Map<Integer, Integer> serverSlots = new java.util.TreeMap<>();
        Map<Integer, Profile> viosProfiles = new java.util.LinkedHashMap<>();
        for (var e : new java.util.TreeMap<>(serving).entrySet()) {
            Partition vios = next.partition(e.getValue()).orElseThrow();
            Profile vp = viosProfiles.getOrDefault(vios.id(), next.defaultProfile(vios));
            int slot = freeSlot(vp.io());
            VirtualScsiAdapter server = new VirtualScsiAdapter(slot, AdapterType.SERVER,
                    new RemoteRef(newId, name, e.getKey(), false, false), false);
            List<VirtualScsiAdapter> scsi = new ArrayList<>(vp.io().scsi());
            scsi.add(server);
            VirtualIo io = new VirtualIo(vp.io().maxVirtualSlots(), vp.io().serial(), scsi, vp.io().eth(),
                    vp.io().fc());
            viosProfiles.put(vios.id(), new Profile(vp.name(), vp.lparId(), vp.memory(), vp.processors(), io,
                    vp.options()));
            serverSlots.put(e.getKey(), slot);
        }
        List<Profile> raw = new ArrayList<>();
        for (Profile prof : profiles) {
            VirtualIo io = repointed(prof.io(), next, serverSlots, copy);
            raw.add(new Profile(prof.name(), newId, prof.memory(), prof.processors(), io, prof.options()));
        }
        // each side names the other: both go in first, then each is validated against the whole
        SystemDefinition both = next.with(def.settings(), List.of(), List.of(), raw, List.of(), List.of())
                .with(def.settings(), List.of(), List.of(), List.copyOf(viosProfiles.values()), List.of(), List.of());
        List<Profile> built = new ArrayList<>();
        for (Profile c : raw) {
            built.add(ProfileDraft.of(c).build(p.env(), both));
        }
        List<Profile> checkedVios = new ArrayList<>();
        for (Profile vp : viosProfiles.values()) {
            checkedVios.add(ProfileDraft.of(vp).build(both.partition(vp.lparId()).orElseThrow().env(), both));
        }
        next = next.with(def.settings(), List.of(), List.of(), built, List.of(), List.of())
                .with(def.settings(), List.of(), List.of(), checkedVios, List.of(), List.of());
        return new Built(p, built, checkedVios, serverSlots, next);
    }

    private VirtualIo repointed(VirtualIo io, SystemDefinition def, Map<Integer, Integer> serverSlots, boolean copy) {
        List<VirtualScsiAdapter> scsi = new ArrayList<>();
        for (VirtualScsiAdapter a : io.scsi()) {
            if (a.type() != AdapterType.CLIENT) {
                scsi.add(a);
            } else if (serverSlots.containsKey(a.slot())) {
                Partition vios = def.partition(serving.get(a.slot())).orElseThrow();
                scsi.add(new VirtualScsiAdapter(a.slot(), AdapterType.CLIENT, new RemoteRef(vios.id(), vios.name(),
                        serverSlots.get(a.slot()), false, false), a.required()));
            }
        }
        VirtualIo out = new VirtualIo(io.maxVirtualSlots(), io.serial(), scsi, io.eth(), io.fc());
        return copy ? Templates.withoutMacs(out) : out;
    }

    private static int freeSlot(VirtualIo io) {
        Set<Integer> used = new HashSet<>();
        for (VirtualAdapter a : io.all()) {
            used.add(a.slot());
        }
        for (int s = 2; s < io.maxVirtualSlots(); s++) {
            if (!used.contains(s)) {
                return s;
            }
        }
        throw ModelException.of(ModelException.Kind.INSUFFICIENT_RESOURCES, "The Virtual I/O Server's default "
                + "profile has no free virtual slot (max_virtual_slots=" + io.maxVirtualSlots() + ") for the "
                + "partition's disks.");
    }
}
