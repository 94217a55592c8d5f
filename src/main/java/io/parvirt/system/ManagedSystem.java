package io.parvirt.system;

import static io.parvirt.model.ModelException.Kind.ID_IN_USE;
import static io.parvirt.model.ModelException.Kind.INSUFFICIENT_RESOURCES;
import static io.parvirt.model.ModelException.Kind.INVALID_STATE;
import static io.parvirt.model.ModelException.Kind.MISSING_ATTRIBUTE;
import static io.parvirt.model.ModelException.Kind.NAME_IN_USE;
import static io.parvirt.model.ModelException.Kind.OUT_OF_RANGE;
import static io.parvirt.model.ModelException.Kind.PARTITION_NOT_FOUND;
import static io.parvirt.model.ModelException.Kind.PROFILE_NOT_FOUND;

import io.parvirt.model.AttributeInput.Assignment;
import io.parvirt.model.Allocation;
import io.parvirt.model.Limits;
import io.parvirt.model.ModelException;
import io.parvirt.model.Partition;
import io.parvirt.model.ProcUnits;
import io.parvirt.model.Profile;
import io.parvirt.model.SharedProcessorPool;
import io.parvirt.model.SystemDefinition;
import io.parvirt.model.SystemSettings;
import io.parvirt.model.UtilizationSample;
import io.parvirt.model.Values;
import io.parvirt.store.Changes;
import io.parvirt.store.ConsoleEvent;
import io.parvirt.store.Store;
import io.parvirt.store.UtilizationQuery;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The one owner of the system definition. Reads take the current immutable snapshot without a
 * lock; each change is computed on a new snapshot, validated whole, committed to the store as one
 * transaction and only then published, so a rejected or failed command changes nothing.
 */
public final class ManagedSystem {
    private final HostFacts host;
    private final Store store;
    private volatile SystemDefinition def;
    /** The system profiles, by name; published with the definition they were validated against. */
    private volatile List<io.parvirt.model.SystemProfile> sysprofs;
    private volatile java.nio.file.Path profileDataDir;
    private volatile List<io.parvirt.model.PartitionTemplate> templates;
    private volatile Supplier<List<Allocation>> active = List::of;
    private volatile long qemuOverheadMb;
    private volatile int utilizationSampleSeconds = 30;
    /** {@code chsysstate -r sys}: false once powered off (not kept across a daemon restart, which starts Operating). */
    private volatile boolean operating = true;
    private final List<Runnable> changeListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    public ManagedSystem(HostFacts host, Store store, SystemSettings seed) {
        this.host = host;
        this.store = store;
        Optional<SystemDefinition> loaded = store.load(seed);
        if (loaded.isPresent()) {
            def = loaded.get();
        } else {
            def = new SystemDefinition(seed, List.of(), List.of(), List.of());
            store.commit(new Changes().settings(seed).event(event("hmc", "system", "Managed system " + seed.name()
                    + " initialised")));
        }
        sysprofs = List.copyOf(store.systemProfiles());
        templates = List.copyOf(store.templates());
    }

    /** Whether the managed system is Operating (else Power Off: no partition may be activated). */
    public boolean operating() {
        return operating;
    }

    public void operating(boolean on, String user) {
        operating = on;
        logEvent(user == null ? "parvirt" : user, "system", "Managed system " + def.settings().name()
                + (on ? " powered on: Operating" : " powered off: Power Off"));
    }

    /**
     * Tells {@code listener} of every change a listing may show: each committed definition, and each
     * run-state change the daemon reports through {@link #changed}. It runs on the changer's thread
     * (inside a commit), so it must only take note and return.
     */
    public void onChange(Runnable listener) {
        changeListeners.add(listener);
    }

    public void removeChangeListener(Runnable listener) {
        changeListeners.remove(listener);
    }

    /** Something outside the definition changed (a partition's state or reference code). */
    public void changed() {
        for (Runnable l : changeListeners) {
            l.run();
        }
    }

    public SystemDefinition definition() {
        return def;
    }

    public HostFacts host() {
        return host;
    }

    public Capacity capacity() {
        return Capacity.of(host, def, active.get(), qemuOverheadMb);
    }

    /** Entitlement still free in a shared processor pool (see {@link Capacity#poolRoom}). */
    public ProcUnits poolRoom(int poolId) {
        return Capacity.poolRoom(def, active.get(), poolId);
    }

    /** What active partitions hold now. */
    public List<Allocation> activeAllocations() {
        return active.get();
    }

    /** What active partitions hold (from the hypervisor), and QEMU's own memory per active partition. */
    public void activeResources(Supplier<List<Allocation>> allocations, long overheadPerPartitionMb) {
        this.active = allocations;
        this.qemuOverheadMb = overheadPerPartitionMb;
    }

    /** Records an event that did not come from a command (a partition's state change, say). */
    public void logEvent(String user, String category, String text) {
        store.commit(new Changes().event(event(user, category, text)));
    }

    public Partition partition(String name) {
        return def.partition(name).orElseThrow(() -> notFound(name));
    }

    public Partition partition(int id) {
        return def.partition(id).orElseThrow(() -> ModelException.of(PARTITION_NOT_FOUND,
                "The partition with ID " + id + " was not found."));
    }

    public static ModelException notFound(String name) {
        return ModelException.ofPartition(PARTITION_NOT_FOUND, name, "The partition named "
                + Values.quote(name).replace("\"", "") + " was not found.");
    }

    public Profile profile(Partition p, String name) {
        return def.profile(p.id(), name).orElseThrow(() -> ModelException.of(PROFILE_NOT_FOUND, "The profile named "
                + Values.quote(name).replace("\"", "") + " was not found for partition " + p.name() + "."));
    }

    /** Applies a prepared change: validates the result, commits it, publishes it. */
    synchronized void commit(SystemDefinition next, Changes changes) {
        commit(next, withoutGone(next, sysprofs, changes), changes);
    }

    /** As {@link #commit(SystemDefinition, Changes)}, with the system profiles as they then are. */
    synchronized void commit(SystemDefinition next, List<io.parvirt.model.SystemProfile> nextSysprofs,
            Changes changes) {
        checkMemory(next);
        store.commit(changes);
        def = next;
        sysprofs = List.copyOf(nextSysprofs);
        changed();
    }

    /**
     * A partition or profile that is gone leaves the system profiles that listed it (in the same
     * transaction, added to {@code changes}); a system profile left with no member goes.
     */
    private static List<io.parvirt.model.SystemProfile> withoutGone(SystemDefinition next,
            List<io.parvirt.model.SystemProfile> all, Changes changes) {
        List<io.parvirt.model.SystemProfile> out = new java.util.ArrayList<>();
        for (var sp : all) {
            var kept = sp.members().stream().filter(m -> next.profile(m.lparId(), m.profile()).isPresent()).toList();
            if (kept.size() == sp.members().size()) {
                out.add(sp);
            } else if (kept.isEmpty()) {
                changes.removeSystemProfile(sp.name());
            } else {
                var changed = new io.parvirt.model.SystemProfile(sp.name(), kept);
                changes.put(changed);
                out.add(changed);
            }
        }
        return out;
    }

    /** The system profiles ({@code lssyscfg -r sysprof}), by name. */
    public List<io.parvirt.model.SystemProfile> systemProfiles() {
        return sysprofs;
    }

    public io.parvirt.model.SystemProfile systemProfile(String name) {
        return SystemProfileEdit.find(sysprofs, name).orElseThrow(() -> SystemProfileEdit.notFound(name));
    }

    /** {@code mksyscfg -r sysprof} ({@code create}) and {@code chsyscfg -r sysprof}: all records or none. */
    public synchronized void editSystemProfiles(List<List<Assignment>> records, boolean create, String user) {
        List<io.parvirt.model.SystemProfile> next = new java.util.ArrayList<>(sysprofs);
        Changes changes = new Changes();
        for (List<Assignment> attrs : records) {
            var sp = create ? SystemProfileEdit.make(def, next, attrs) : SystemProfileEdit.change(def, next, attrs);
            if (!create) {
                String old = Selectors.value(attrs, "name").orElseThrow();
                next.removeIf(s -> s.name().equals(old));
                if (!old.equals(sp.name())) {
                    changes.removeSystemProfile(old);
                }
            }
            next.add(sp);
            changes.put(sp).event(event(user, "sysprof", "System profile " + sp.name()
                    + (create ? " created" : " changed")));
        }
        next.sort(java.util.Comparator.comparing(io.parvirt.model.SystemProfile::name));
        commit(def, next, changes);
    }

    /** parvirt's partition templates, by name. */
    public List<io.parvirt.model.PartitionTemplate> templates() {
        return templates;
    }

    /** {@code mksyscfg -r lpartemplate}: each record saves one partition's definition; all or none. */
    public synchronized void saveTemplates(List<List<Assignment>> records, String user) {
        List<io.parvirt.model.PartitionTemplate> next = new java.util.ArrayList<>(templates);
        Changes changes = new Changes();
        for (List<Assignment> attrs : records) {
            var t = Templates.save(def, next, attrs);
            next.add(t);
            changes.put(t).event(event(user, "template", "Template " + t.name() + " saved from partition "
                    + t.source()));
        }
        next.sort(java.util.Comparator.comparing(io.parvirt.model.PartitionTemplate::name));
        store.commit(changes);
        templates = List.copyOf(next);
    }

    public synchronized void removeTemplate(String name, String user) {
        var t = Templates.find(templates, name).orElseThrow(() -> Templates.notFound(name));
        store.commit(new Changes().removeTemplate(name).event(event(user, "template", "Template " + name
                + " removed")));
        templates = templates.stream().filter(x -> x != t).toList();
    }

    /** {@code mksyscfg -r lpar --template T}: one partition per record, every rule of mksyscfg; all or none. */
    public synchronized List<Partition> deployTemplate(String name, List<List<Assignment>> records, String user) {
        var t = Templates.find(templates, name).orElseThrow(() -> Templates.notFound(name));
        SystemDefinition next = current();
        Changes changes = new Changes();
        List<Partition> created = new java.util.ArrayList<>();
        for (List<Assignment> attrs : records) {
            Templates.Deployed d = Templates.deploy(next, t, attrs);
            next = d.result();
            created.add(d.partition());
            changes.put(d.partition());
            d.profiles().forEach(changes::put);
            changes.event(event(user, "partition", "Partition " + d.partition().name() + " (id " + d.partition().id()
                    + ") created from template " + name));
        }
        commit(next, changes);
        return created;
    }

    /** Where {@code bkprofdata} writes and {@code rstprofdata} reads (set by the daemon: the home's). */
    public void profileDataDir(java.nio.file.Path dir) {
        profileDataDir = dir;
    }

    /** {@code bkprofdata}: every partition, profile and system profile, to one checked file. */
    public synchronized void backupProfileData(String file, boolean force, String user) {
        java.nio.file.Path f = ProfileData.file(profileDataDir, file);
        ProfileData.write(f, new ProfileData.Contents(def.settings().name(), List.copyOf(def.partitions()),
                def.allProfiles(), sysprofs), force);
        logEvent(user, "profdata", "Profile data backed up to " + f.getFileName());
    }

    /**
     * {@code rstprofdata -l 1|2|3|4}: the file is checked whole first; a restore that would remove
     * or change an active partition is refused; then the result is validated and committed at once.
     */
    public synchronized void restoreProfileData(int level, String file, String user) {
        ProfileData.Contents c = level == 4 ? new ProfileData.Contents(def.settings().name(), List.of(), List.of(),
                List.of()) : ProfileData.read(ProfileData.file(profileDataDir, file));
        ProfileRestore r = ProfileRestore.of(def, sysprofs, c, level);
        java.util.Set<Integer> activeIds = new java.util.HashSet<>();
        active.get().forEach(a -> activeIds.add(a.lparId()));
        List<String> touched = r.touchedActive(def, activeIds);
        if (!touched.isEmpty()) {
            throw ProfileData.active(level == 4 ? "initialized" : "restored", touched);
        }
        SystemDefinition next = new SystemDefinition(def.settings(), r.partitions(), r.profiles(), def.pools());
        for (Profile p : next.allProfiles()) {
            if (next.partition(p.lparId()).isEmpty()) {
                throw new ModelException(ModelException.Kind.INVALID_VALUE, "-f", "The profile data file " + file
                        + " has profile " + p.name() + " of partition ID " + p.lparId() + ", which it does not define.");
            }
        }
        Changes changes = new Changes();
        def.partitions().stream().filter(p -> next.partition(p.id()).isEmpty())
                .forEach(p -> changes.removePartition(p.id()));
        def.allProfiles().stream().filter(p -> !next.profile(p.lparId(), p.name()).equals(Optional.of(p)))
                .forEach(changes::remove);
        next.partitions().forEach(changes::put);
        next.allProfiles().forEach(changes::put);
        sysprofs.forEach(s -> changes.removeSystemProfile(s.name()));
        List<io.parvirt.model.SystemProfile> nextSysprofs = new java.util.ArrayList<>();
        for (var s : r.systemProfiles()) {
            nextSysprofs.add(SystemProfileEdit.validated(next, s));
            changes.put(s);
        }
        commit(next, nextSysprofs, changes.event(event(user, "profdata", "Profile data "
                + (level == 4 ? "initialized" : "restored from " + file + " (type " + level + ")"))));
    }

    /** A partition made from another's definition (restore, clone), validated only: nothing is changed. */
    public synchronized RestoredPartition.Built checkRestored(RestoredPartition r) {
        RestoredPartition.Built b = r.build(def);
        checkMemory(b.result());
        return b;
    }

    /** Defines a restored or cloned partition and the VIOS server adapters for its disks, in one commit. */
    public synchronized RestoredPartition.Built addRestored(RestoredPartition r, String how, String user) {
        RestoredPartition.Built b = checkRestored(r);
        Changes changes = new Changes().put(b.partition());
        b.profiles().forEach(changes::put);
        b.viosProfiles().forEach(changes::put);
        commit(b.result(), changes.event(event(user, "partition", "Partition " + b.partition().name() + " (id "
                + b.partition().id() + ") " + how)));
        return b;
    }

    /** {@code rmsyscfg -r sysprof -n NAME}. */
    public synchronized void removeSystemProfile(String name, String user) {
        var sp = systemProfile(name);
        List<io.parvirt.model.SystemProfile> next = sysprofs.stream().filter(s -> s != sp).toList();
        commit(def, next, new Changes().removeSystemProfile(name)
                .event(event(user, "sysprof", "System profile " + name + " removed")));
    }

    synchronized SystemDefinition current() {
        return def;
    }

    private void checkMemory(SystemDefinition next) {
        Capacity c = Capacity.of(host, next, active.get(), qemuOverheadMb);
        if (c.firmwareMemMb() > c.configurableMemMb()) {
            throw ModelException.of(INSUFFICIENT_RESOURCES, "There is not enough memory on the managed system for "
                    + "the hypervisor's page tables of this configuration: " + c.firmwareMemMb() + " MB would be "
                    + "needed of " + c.configurableMemMb() + " MB configurable. Lower max_mem.");
        }
    }

    /** {@code mksyscfg -r lpar}: each record a partition and its first profile; all or none are created. */
    public synchronized List<Partition> createPartitions(List<List<Assignment>> records, String user) {
        SystemDefinition next = current();
        Changes changes = new Changes();
        List<Partition> created = new java.util.ArrayList<>();
        for (List<Assignment> attrs : records) {
            PartitionEdit edit = PartitionEdit.create(next, attrs);
            Partition p = edit.partition();
            next = edit.result();
            created.add(p);
            changes.put(p).put(edit.profile())
                    .event(event(user, "partition", "Partition " + p.name() + " (id " + p.id() + ") created"));
        }
        commit(next, changes);
        return created;
    }

    /** {@code mksyscfg -r lpar} without storing: the same rules, the same errors, nothing changed. */
    public synchronized void validatePartitions(List<List<Assignment>> records) {
        SystemDefinition next = current();
        for (List<Assignment> attrs : records) {
            next = PartitionEdit.create(next, attrs).result();
        }
        checkMemory(next);
    }

    /** {@code chsyscfg -r lpar}: all records or none. */
    public synchronized void changePartitions(List<List<Assignment>> records, String user) {
        SystemDefinition next = current();
        Changes changes = new Changes();
        for (List<Assignment> attrs : records) {
            PartitionEdit edit = PartitionEdit.change(next, attrs);
            Partition p = edit.partition();
            next = edit.result();
            changes.put(p).event(event(user, "partition", "Partition " + p.name() + " (id " + p.id() + ") changed"));
        }
        commit(next, changes);
    }

    public synchronized void removePartition(Partition p, String user) {
        Partition now = partition(p.id());
        SystemDefinition next = def.with(def.settings(), List.of(), List.of(now.id()), List.of(), List.of(), List.of());
        commit(next, new Changes().removePartition(now.id())
                .event(event(user, "partition", "Partition " + now.name() + " (id " + now.id() + ") removed")));
    }

    /**
     * A partition arriving by Live Partition Mobility: its definition and every profile, as the
     * source had them (the same id and UUID); refused when its name or id is taken here.
     */
    public synchronized void addMigrated(Partition p, java.util.Collection<Profile> profiles, String source,
            String user) {
        if (def.partition(p.id()).isPresent()) {
            throw ModelException.of(ModelException.Kind.ID_IN_USE, "The partition ID " + p.id() + " is already in use "
                    + "on managed system " + def.settings().name() + ".");
        }
        if (def.partition(p.name()).isPresent()) {
            throw ModelException.of(ModelException.Kind.NAME_IN_USE, "A partition named " + p.name() + " already "
                    + "exists on managed system " + def.settings().name() + ".");
        }
        SystemDefinition next = def.with(def.settings(), List.of(p), List.of(), profiles, List.of(), List.of());
        Changes changes = new Changes().put(p);
        profiles.forEach(changes::put);
        commit(next, changes.event(event(user, "partition", "Partition " + p.name() + " (id " + p.id()
                + ") arriving from managed system " + source + " by partition mobility")));
    }

    /** {@code mksyscfg -r prof} and {@code chsyscfg -r prof}: all records or none. */
    public synchronized void editProfiles(List<List<Assignment>> records, boolean create, String user) {
        SystemDefinition next = current();
        Changes changes = new Changes();
        for (List<Assignment> attrs : records) {
            SystemDefinition before = next;
            ProfileEdit edit = create ? ProfileEdit.create(next, attrs) : ProfileEdit.change(next, attrs);
            next = edit.result();
            changes.put(edit.profile()).put(edit.partition());
            if (!create) {
                String oldName = Selectors.value(attrs, "name").orElseThrow();
                if (!oldName.equals(edit.profile().name())) {
                    changes.remove(before.profile(edit.partition().id(), oldName).orElseThrow());
                }
            }
            changes.event(event(user, "profile", "Profile " + edit.profile().name() + " of partition "
                    + edit.partition().name() + (create ? " created" : " changed")));
        }
        commit(next, changes);
    }

    /**
     * Stores a whole profile made from a running partition's current configuration ({@code mksyscfg
     * -o save}, {@code sync_curr_profile=1}), checked by the same rules as any profile. An existing
     * profile of that name is replaced only when {@code replace} ({@code --force}).
     */
    public synchronized void saveProfile(Profile prof, boolean replace, String user, String why) {
        SystemDefinition now = current();
        Partition p = partition(prof.lparId());
        java.util.Optional<Profile> old = now.profile(p.id(), prof.name());
        if (old.isPresent() && !replace) {
            throw new ModelException(ModelException.Kind.NAME_IN_USE, "name", "The profile name " + prof.name()
                    + " is already in use by partition " + p.name() + ". Use --force to overwrite it with the "
                    + "partition's current configuration, or choose a different name.");
        }
        Profile checked = io.parvirt.model.ProfileDraft.of(prof).build(p.env(), now);
        SystemDefinition next = now.with(now.settings(), List.of(), List.of(), List.of(checked), List.of(),
                List.of());
        commit(next, new Changes().put(checked).event(event(user, "profile", "Profile " + prof.name()
                + " of partition " + p.name() + " " + why)));
    }

    public synchronized void removeProfile(Partition p, String name, String user) {
        Profile prof = profile(partition(p.id()), name);
        if (prof.name().equals(p.defaultProfile())) {
            throw new ModelException(INVALID_STATE, "default_profile", "The profile " + name + " is the default "
                    + "profile of partition " + p.name() + " and cannot be removed: make another profile the "
                    + "default first.");
        }
        SystemDefinition next = def.with(def.settings(), List.of(), List.of(), List.of(), List.of(prof), List.of());
        commit(next, new Changes().remove(prof)
                .event(event(user, "profile", "Profile " + name + " of partition " + p.name() + " removed")));
    }

    public synchronized void changePool(SharedProcessorPool pool, List<Assignment> attrs, String user) {
        SharedProcessorPool changed = PoolEdit.apply(current(), capacity(), active.get(), pool, attrs);
        SystemDefinition next = def.with(def.settings(), List.of(), List.of(), List.of(), List.of(),
                List.of(changed));
        commit(next, new Changes().put(changed).event(event(user, "procpool", "Shared processor pool "
                + changed.name() + " (id " + changed.id() + ") changed")));
    }

    /**
     * {@code chhwres -r virtualio --rsubtype vswitch -o a|r --vswitch NAME}: a switch is made or
     * removed; ETHERNET0 stays, and a switch a profile's adapter names cannot be removed.
     */
    public synchronized void changeVswitch(String name, boolean add, String user) {
        if (!name.matches("[A-Za-z0-9_.\\-]{1,31}")) {
            throw new ModelException(ModelException.Kind.INVALID_VALUE, "vswitch", "The virtual switch name "
                    + Values.quote(name) + " is not valid: use 1 to 31 letters, digits, '.', '-' or '_'.");
        }
        List<String> now = new java.util.ArrayList<>(def.settings().vswitches());
        if (add) {
            if (now.contains(name)) {
                throw new ModelException(NAME_IN_USE, "vswitch", "The virtual switch " + name + " already exists.");
            }
            now.add(name);
        } else {
            if (!now.contains(name)) {
                throw new ModelException(ModelException.Kind.INVALID_REFERENCE, "vswitch", "The virtual switch "
                        + name + " does not exist.");
            }
            if (name.equals(io.parvirt.model.VirtualEthernetAdapter.DEFAULT_VSWITCH)) {
                throw new ModelException(INVALID_STATE, "vswitch", "The default virtual switch " + name
                        + " cannot be removed.");
            }
            for (Profile p : def.allProfiles()) {
                if (p.io().eth().stream().anyMatch(e -> e.vswitch().equals(name))) {
                    throw new ModelException(INVALID_STATE, "vswitch", "The virtual switch " + name + " is used by "
                            + "profile " + p.name() + " of partition " + def.partition(p.lparId()).orElseThrow().name()
                            + ": remove or move its virtual Ethernet adapter first.");
                }
            }
            now.remove(name);
        }
        SystemSettings s = def.settings().withVswitches(now);
        commit(def.with(s, List.of(), List.of(), List.of(), List.of(), List.of()), new Changes().settings(s)
                .event(event(user, "vswitch", "Virtual switch " + name + (add ? " created" : " removed"))));
    }

    public synchronized void changeSystem(List<Assignment> attrs, String user) {
        SystemSettings s = def.settings();
        for (Assignment a : attrs) {
            switch (a.name()) {
                case "new_name" -> s = s.withName(io.parvirt.model.Names.poolName("new_name", a.value()));
                case "description" -> s = s.withDescription(a.value());
                default -> throw new ModelException(ModelException.Kind.UNKNOWN_ATTRIBUTE, a.name(), "The attribute "
                        + Values.quote(a.name()) + " is not a valid attribute for the managed system "
                        + "(chsyscfg -r sys).");
            }
        }
        SystemDefinition next = def.with(s, List.of(), List.of(), List.of(), List.of(), List.of());
        commit(next, new Changes().settings(s).event(event(user, "system", "Managed system changed")));
    }

    public List<ConsoleEvent> events(Instant since) {
        return store.events(since);
    }

    /**
     * Stores one round of utilization samples and drops those older than {@code dropOlderThan}, in
     * one transaction. Samples are history, not definition: the snapshot is not involved, so this
     * does not take the system's lock and a sampler never waits for a command's validation.
     */
    public void recordUtilization(List<UtilizationSample> samples, Instant dropOlderThan) {
        store.recordUtilization(samples, dropOlderThan);
    }

    /** Stored utilization samples, newest first ({@code lslparutil}). */
    public List<UtilizationSample> utilization(UtilizationQuery q) {
        return store.utilization(q);
    }

    /** Seconds between utilization samples ({@code lslparutil -r config}'s {@code sample_rate}). */
    public int utilizationSampleSeconds() {
        return utilizationSampleSeconds;
    }

    /** Set by whoever takes the samples, so that lslparutil reports the rate actually in use. */
    public void utilizationSampleSeconds(int seconds) {
        if (seconds < 1) {
            throw new IllegalArgumentException("utilization sample rate must be at least 1 second: " + seconds);
        }
        utilizationSampleSeconds = seconds;
    }

    static ConsoleEvent event(String user, String category, String text) {
        return new ConsoleEvent(Instant.now(), user, "parvirt", category, "info", text);
    }

    static void checkId(SystemDefinition def, int id) {
        if (id < 1 || id > Limits.MAX_LPARS) {
            throw new ModelException(OUT_OF_RANGE, "lpar_id", "The value " + id + " for attribute lpar_id is out of "
                    + "range: it must be between 1 and " + Limits.MAX_LPARS + " (max_lpars).");
        }
        if (def.partition(id).isPresent()) {
            throw new ModelException(ID_IN_USE, "lpar_id", "The partition ID " + id + " is already in use by "
                    + "partition " + def.partition(id).get().name() + ". Choose a different lpar_id.");
        }
    }

    static ModelException missing(String attr, String why) {
        return new ModelException(MISSING_ATTRIBUTE, attr, "The attribute " + attr + " is required but was not "
                + "specified: " + why + ".");
    }
}
