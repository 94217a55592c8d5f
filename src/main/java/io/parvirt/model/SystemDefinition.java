package io.parvirt.model;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An immutable snapshot of everything defined on the managed system: its settings, partitions,
 * their profiles and the 64 processor pools. Changes return a new snapshot, so readers never see
 * a half-applied command.
 */
public final class SystemDefinition implements SystemContext {
    private final SystemSettings settings;
    private final SortedMap<Integer, Partition> partitions;
    private final Map<String, Partition> byName;
    private final Map<Integer, SortedMap<String, Profile>> profiles;
    private final List<SharedProcessorPool> pools;

    public SystemDefinition(SystemSettings settings, Collection<Partition> partitions, Collection<Profile> profiles,
            List<SharedProcessorPool> pools) {
        this.settings = settings;
        TreeMap<Integer, Partition> p = new TreeMap<>();
        Map<String, Partition> n = new HashMap<>();
        for (Partition x : partitions) {
            p.put(x.id(), x);
            n.put(x.name(), x);
        }
        Map<Integer, SortedMap<String, Profile>> prof = new HashMap<>();
        for (Profile x : profiles) {
            prof.computeIfAbsent(x.lparId(), k -> new TreeMap<>()).put(x.name(), x);
        }
        prof.replaceAll((k, v) -> Collections.unmodifiableSortedMap(v));
        List<SharedProcessorPool> pl = new ArrayList<>();
        for (int i = 0; i < Limits.MAX_SHARED_PROC_POOLS; i++) {
            pl.add(SharedProcessorPool.initial(i));
        }
        for (SharedProcessorPool x : pools) {
            pl.set(x.id(), x);
        }
        this.partitions = Collections.unmodifiableSortedMap(p);
        this.byName = Map.copyOf(n);
        this.profiles = Map.copyOf(prof);
        this.pools = List.copyOf(pl);
    }

    public SystemSettings settings() {
        return settings;
    }

    public Collection<Partition> partitions() {
        return partitions.values();
    }

    public List<SharedProcessorPool> pools() {
        return pools;
    }

    public Collection<Profile> profiles(int lparId) {
        SortedMap<String, Profile> m = profiles.get(lparId);
        return m == null ? List.of() : m.values();
    }

    public List<Profile> allProfiles() {
        List<Profile> all = new ArrayList<>();
        for (Partition p : partitions.values()) {
            all.addAll(profiles(p.id()));
        }
        return all;
    }

    public Optional<Profile> profile(int lparId, String name) {
        SortedMap<String, Profile> m = profiles.get(lparId);
        return Optional.ofNullable(m == null ? null : m.get(name));
    }

    /** The profile a partition would start with. */
    public Profile defaultProfile(Partition p) {
        return profile(p.id(), p.defaultProfile()).orElseThrow();
    }

    public int nextFreeId() {
        for (int i = 1; i <= Limits.MAX_LPARS; i++) {
            if (!partitions.containsKey(i)) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public long lmbMb() {
        return settings.lmbMb();
    }

    @Override
    public HptRatio defaultHptRatio() {
        return settings.defaultHptRatio();
    }

    @Override
    public java.util.List<String> vswitches() {
        return settings.vswitches();
    }

    @Override
    public Optional<SharedProcessorPool> pool(int id) {
        return id >= 0 && id < pools.size() ? Optional.of(pools.get(id)) : Optional.empty();
    }

    @Override
    public Optional<SharedProcessorPool> pool(String name) {
        return pools.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    @Override
    public Optional<Partition> partition(int id) {
        return Optional.ofNullable(partitions.get(id));
    }

    @Override
    public Optional<Partition> partition(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    @Override
    public int maxVirtualSlots(int lparId) {
        Partition p = partitions.get(lparId);
        return p == null ? 0 : profile(lparId, p.defaultProfile()).map(x -> x.io().maxVirtualSlots()).orElse(0);
    }

    /** A copy with these partitions, profiles and pools replaced or added, and these removed. */
    public SystemDefinition with(SystemSettings s, Collection<Partition> putPartitions, Collection<Integer> removeIds,
            Collection<Profile> putProfiles, Collection<Profile> removeProfiles,
            Collection<SharedProcessorPool> putPools) {
        Map<Integer, Partition> p = new TreeMap<>(partitions);
        removeIds.forEach(p::remove);
        putPartitions.forEach(x -> p.put(x.id(), x));
        List<Profile> prof = new ArrayList<>();
        for (Profile x : allProfiles()) {
            boolean removed = removeIds.contains(x.lparId()) || removeProfiles.stream()
                    .anyMatch(r -> r.lparId() == x.lparId() && r.name().equals(x.name()))
                    || putProfiles.stream().anyMatch(r -> r.lparId() == x.lparId() && r.name().equals(x.name()));
            if (!removed) {
                prof.add(x);
            }
        }
        prof.addAll(putProfiles);
        List<SharedProcessorPool> pl = new ArrayList<>(pools);
        putPools.forEach(x -> pl.set(x.id(), x));
        return new SystemDefinition(s, p.values(), prof, pl);
    }
}
