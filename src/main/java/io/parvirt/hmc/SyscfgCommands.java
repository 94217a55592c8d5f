package io.parvirt.hmc;

import io.parvirt.hmc.command.SyscfgCommand;
import io.parvirt.hmc.command.SyscfgCommand.ChangePartition;
import io.parvirt.hmc.command.SyscfgCommand.ChangeProfile;
import io.parvirt.hmc.command.SyscfgCommand.ChangeSystem;
import io.parvirt.hmc.command.SyscfgCommand.ListSyscfg;
import io.parvirt.hmc.command.SyscfgCommand.MakePartition;
import io.parvirt.hmc.command.SyscfgCommand.MakeProfile;
import io.parvirt.hmc.command.SyscfgCommand.RemovePartition;
import io.parvirt.hmc.command.SyscfgCommand.RemoveProfile;
import io.parvirt.hmc.command.SyscfgCommand.Resource;
import io.parvirt.hmc.command.SyscfgCommand.SaveProfile;
import io.parvirt.model.Limits;
import io.parvirt.model.ModelException;
import io.parvirt.model.Partition;
import io.parvirt.model.Profile;
import io.parvirt.model.SystemDefinition;
import io.parvirt.model.Values;
import io.parvirt.system.ManagedSystem;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** {@code lssyscfg}, {@code mksyscfg}, {@code chsyscfg}, {@code rmsyscfg}. */
final class SyscfgCommands {

    private final Hmc hmc;

    SyscfgCommands(Hmc hmc) {
        this.hmc = hmc;
    }

    HmcResult run(SyscfgCommand command, String user) {
        ManagedSystem sys = hmc.system();
        return switch (command) {
            case ListSyscfg l -> list(l);
            case MakePartition m -> {
                Systems.check(sys, m.system());
                if (m.validateOnly()) {
                    sys.validatePartitions(m.records());
                } else {
                    sys.createPartitions(m.records(), user);
                }
                yield HmcResult.OK;
            }
            case MakeProfile m -> {
                Systems.check(sys, m.system());
                sys.editProfiles(m.records(), true, user);
                yield HmcResult.OK;
            }
            case io.parvirt.hmc.command.SyscfgCommand.ApplyProfile ap -> applyProfile(ap, user);
            case ChangePartition ch -> {
                Systems.check(sys, ch.system());
                sys.changePartitions(ch.records(), user);
                yield HmcResult.OK;
            }
            case ChangeProfile ch -> {
                Systems.check(sys, ch.system());
                sys.editProfiles(ch.records(), false, user);
                yield HmcResult.OK;
            }
            case ChangeSystem ch -> {
                Systems.check(sys, ch.system());
                sys.changeSystem(ch.attributes(), user);
                yield HmcResult.OK;
            }
            case SaveProfile s -> {
                Systems.check(sys, s.system());
                hmc.operations().saveCurrentConfiguration(Systems.partition(sys, s.partition()), s.profile(),
                        s.force(), user);
                yield HmcResult.OK;
            }
            case RemovePartition rm -> removePartition(rm, user);
            case RemoveProfile rm -> {
                Systems.check(sys, rm.system());
                sys.removeProfile(Systems.partition(sys, rm.partition()), rm.profile(), user);
                yield HmcResult.OK;
            }
        };
    }

    private HmcResult list(ListSyscfg l) {
        ManagedSystem sys = hmc.system();
        Filter f = new Filter(l.filter().values());
        if (l.resource() == Resource.SYS) {
            if (l.system() != null) {
                Systems.check(sys, l.system());
                return Listing.render(List.of(SystemView.row(sys, null)), l.format().fields(), l.format().header(),
                        SystemView.ATTRIBUTES);
            }
            // every managed system this console reaches: its own, then the connected ones
            List<Row> rows = hmc.systemRows();
            Set<String> known = new java.util.HashSet<>(SystemView.ATTRIBUTES);
            rows.forEach(r -> known.addAll(r.names()));
            return Listing.render(rows, l.format().fields(), l.format().header(), known);
        }
        Systems.check(sys, l.system());
        SystemDefinition def = sys.definition();
        List<Partition> parts = partitions(def, f);
        List<Row> rows = new ArrayList<>();
        if (l.resource() == Resource.LPAR) {
            List<String> groups = f.get("work_groups");
            for (Partition p : parts) {
                if (groups == null || groups.contains(def.defaultProfile(p).options().workGroupId())) {
                    rows.add(LparView.row(def, sys.host(), p, hmc.operations().state(p.id())));
                }
            }
            return Listing.render(rows, l.format().fields(), l.format().header(), LparView.ATTRIBUTES);
        }
        List<String> names = f.get("profile_names");
        for (Partition p : parts) {
            for (Profile prof : def.profiles(p.id())) {
                if (names == null || names.contains(prof.name())) {
                    rows.add(ProfileView.row(def, p, prof));
                }
            }
        }
        return Listing.render(rows, l.format().fields(), l.format().header(), ProfileView.ATTRIBUTES);
    }

    /** The partitions a filter selects, in id order; a name or id that does not exist is HSCL8012. */
    static List<Partition> partitions(SystemDefinition def, Filter f) {
        List<String> names = f.get("lpar_names");
        List<String> ids = f.get("lpar_ids");
        if (names == null && ids == null) {
            return new ArrayList<>(def.partitions());
        }
        Set<Integer> wanted = new LinkedHashSet<>();
        if (names != null) {
            for (String n : names) {
                wanted.add(def.partition(n).orElseThrow(() -> ManagedSystem.notFound(n)).id());
            }
        }
        if (ids != null) {
            for (String s : ids) {
                int id;
                try {
                    id = Values.parseInt("lpar_ids", s, 1, Limits.MAX_LPARS);
                } catch (ModelException e) {
                    throw HmcException.badParameter("--filter");
                }
                wanted.add(def.partition(id).orElseThrow(() -> ModelException.of(
                        ModelException.Kind.PARTITION_NOT_FOUND, "The partition with ID " + id + " was not found."))
                        .id());
            }
        }
        return def.partitions().stream().filter(p -> wanted.contains(p.id())).toList();
    }

    /**
     * {@code chsyscfg -o apply}: parvirt keeps no configuration of an inactive partition apart from
     * its profiles, so applying a profile makes it the one the partition activates with (its
     * default profile, shown as {@code default_profile}). A running partition's configuration is
     * changed with DLPAR, so it is refused there, as the HMC refuses it for an active partition.
     */
    private HmcResult applyProfile(io.parvirt.hmc.command.SyscfgCommand.ApplyProfile ap, String user) {
        ManagedSystem sys = hmc.system();
        Systems.check(sys, ap.system());
        Partition p = Systems.partition(sys, ap.partition());
        String profile = ap.profile() == null ? p.defaultProfile() : ap.profile();
        sys.profile(p, profile); // HSCL8013 when it does not exist
        var st = hmc.operations().state(p.id()).map(s -> s.state());
        if (st.isPresent() && st.get().active()) {
            throw ModelException.ofPartition(ModelException.Kind.INVALID_STATE, p.name(), "The partition " + p.name()
                    + " is " + st.get().hmcName() + ": a profile is applied only to a partition that is Not "
                    + "Activated; change a running partition with chhwres.");
        }
        if (!profile.equals(p.defaultProfile())) {
            sys.changePartitions(List.of(List.of(new io.parvirt.model.AttributeInput.Assignment("name",
                    io.parvirt.model.AttributeInput.Op.SET, p.name()), new io.parvirt.model.AttributeInput.Assignment(
                    "default_profile", io.parvirt.model.AttributeInput.Op.SET, profile))), user);
        }
        return HmcResult.OK;
    }

    private HmcResult removePartition(RemovePartition rm, String user) {
        ManagedSystem sys = hmc.system();
        Systems.check(sys, rm.system());
        Partition p = Systems.partition(sys, rm.partition());
        var st = hmc.operations().state(p.id()).map(s -> s.state());
        if (st.isPresent() && (st.get().active() || st.get() == io.parvirt.model.LparState.SUSPENDED)) {
            throw ModelException.ofPartition(ModelException.Kind.INVALID_STATE, p.name(), "The partition " + p.name()
                    + " is " + st.get().hmcName() + ": it can be removed only when Not Activated. Shut it down with "
                    + (st.get() == io.parvirt.model.LparState.SUSPENDED ? "chlparstate" : "chsysstate")
                    + " -o shutdown" + (st.get() == io.parvirt.model.LparState.SUSPENDED ? "" : " --immed") + " first.");
        }
        var vios = hmc.viosStorage();
        boolean storage = p.env() == io.parvirt.model.LparEnv.VIOSERVER && vios.isPresent()
                && vios.get().hasStorage(p.id());
        if (storage && !rm.vioscfg()) {
            // Its pools, disks and mappings would wait under its id for the next partition given it.
            throw ModelException.ofPartition(ModelException.Kind.INVALID_STATE, p.name(), "The Virtual I/O Server "
                    + p.name() + " still has storage (pools, backing devices, mappings or media): remove them "
                    + "with viosvrcmd, or give --vioscfg to remove them with the partition.");
        }
        // A client's mappings are found while it is still defined: pairing reads its adapters.
        var mappings = rm.vioscfg() && p.env() != io.parvirt.model.LparEnv.VIOSERVER && vios.isPresent()
                ? vios.get().mappingsOf(p.id()) : java.util.List.<io.parvirt.vios.ViosService.ClientMappings>of();
        // Its snapshots go first, while its disks are still found through its mappings.
        hmc.operations().snapshots().ifPresent(s -> s.removeWith(p, rm.vioscfg() && rm.vdisks()));
        sys.removePartition(p, user);
        if (storage) {
            vios.get().forget(p, user);
        }
        for (var m : mappings) {
            vios.get().release(m, rm.vdisks(), p.name(), user);
            sys.definition().partition(m.viosId()).ifPresent(hmc.operations()::viosChanged);
        }
        hmc.operations().forget(p);
        return HmcResult.OK;
    }
}
