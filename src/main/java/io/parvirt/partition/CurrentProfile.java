package io.parvirt.partition;

import io.parvirt.model.Allocation;
import io.parvirt.model.MemorySettings;
import io.parvirt.model.ModelException;
import io.parvirt.model.Partition;
import io.parvirt.model.ProcessorSettings;
import io.parvirt.model.Profile;
import io.parvirt.model.VirtualEthernetAdapter;
import io.parvirt.model.VirtualIo;
import io.parvirt.system.ManagedSystem;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running partition's current configuration written into a profile: on demand ({@code mksyscfg
 * -r prof -o save}) and after every DLPAR of a partition with {@code sync_curr_profile=1}. The
 * profile takes the {@code curr_*} figures (minimum, current as desired, maximum of processors,
 * units and memory; weight, sharing mode, pool) and the virtual Ethernet adapters the partition
 * runs with; everything else (boot mode, SCSI and serial adapters, options) comes from the profile
 * it was activated with.
 */
final class CurrentProfile {
    private static final Logger LOG = LoggerFactory.getLogger(CurrentProfile.class);
    private final ManagedSystem sys;
    private final IntFunction<Optional<RunState>> states;

    CurrentProfile(ManagedSystem sys, IntFunction<Optional<RunState>> states) {
        this.sys = sys;
        this.states = states;
    }

    /** {@code mksyscfg -r prof -o save}: an existing name needs {@code force}. */
    void save(Partition p, String name, boolean force, String user) {
        RunState st = states.apply(p.id()).filter(s -> s.state().active() && s.allocation().isPresent())
                .orElseThrow(() -> ModelException.of(ModelException.Kind.INVALID_STATE, "The partition " + p.name()
                        + " is not running: only the current configuration of an active partition can be saved to "
                        + "a profile."));
        Profile base = sys.profile(p, st.profile());
        sys.saveProfile(of(base, name, st), force, user == null ? "hmc" : user, "saved from its current "
                + "configuration");
    }

    /** After a DLPAR: the profile the partition runs with follows, when its {@code sync_curr_profile} is 1. */
    void sync(int lparId) {
        Partition p = sys.definition().partition(lparId).orElse(null);
        RunState st = states.apply(lparId).orElse(null);
        if (p == null || !p.options().syncCurrProfile() || st == null || st.allocation().isEmpty()) {
            return;
        }
        try {
            Profile base = sys.profile(p, st.profile());
            sys.saveProfile(of(base, base.name(), st), true, "hmc", "synchronised with its current configuration "
                    + "(sync_curr_profile=1)");
        } catch (ModelException e) {
            // The profile was removed or edited so that the running figures no longer fit: the DLPAR stands.
            LOG.warn("profile {} of partition {} not synchronised: {}", st.profile(), p.name(), e.getMessage());
            sys.logEvent("hmc", "profile", "Profile " + st.profile() + " of partition " + p.name() + " was not "
                    + "synchronised with its current configuration: " + e.getMessage());
        }
    }

    /** {@code base} with the partition's current figures, named {@code name}. */
    static Profile of(Profile base, String name, RunState st) {
        Allocation a = st.allocation().orElseThrow();
        ProcessorSettings l = a.limits();
        ProcessorSettings procs = a.dedicated()
                ? new ProcessorSettings(l.mode(), l.minProcs(), a.vcpus(), l.maxProcs(), l.minUnits(),
                        l.desiredUnits(), l.maxUnits(), a.sharingMode(), l.uncapWeight(), l.poolId())
                : new ProcessorSettings(l.mode(), l.minProcs(), a.vcpus(), l.maxProcs(), l.minUnits(), a.procUnits(),
                        l.maxUnits(), a.sharingMode(), a.uncapWeight(), a.poolId());
        MemorySettings m = base.memory();
        MemorySettings mem = new MemorySettings(a.minMemMb(), a.memMb(), a.maxMemMb(), m.mode(), m.hptRatio());
        VirtualIo io = base.io();
        return new Profile(name, base.lparId(), mem, procs, new VirtualIo(io.maxVirtualSlots(), io.serial(), io.scsi(),
                ethernet(io.eth(), st.nics()), io.fc()), base.options());
    }

    /** The adapters it runs with, each keeping what only the profile knows (required, MAC, QoS). */
    private static List<VirtualEthernetAdapter> ethernet(List<VirtualEthernetAdapter> profile,
            List<RunState.ActiveNic> nics) {
        List<VirtualEthernetAdapter> out = new ArrayList<>();
        for (RunState.ActiveNic n : nics) {
            VirtualEthernetAdapter e = profile.stream().filter(x -> x.slot() == n.slot()).findFirst().orElse(null);
            out.add(new VirtualEthernetAdapter(n.slot(), n.ieee8021q(), n.pvid(), n.addlVlanIds(), n.trunkPriority(),
                    e != null && e.required(), n.vswitch(), e == null ? null : e.macAddr(),
                    e == null ? "all" : e.allowedOsMacAddrs(), e == null ? "none" : e.qosPriority()));
        }
        return out;
    }
}
