package io.parvirt.system;

import io.parvirt.model.Partition;
import io.parvirt.model.Profile;
import io.parvirt.model.SystemDefinition;
import io.parvirt.model.SystemProfile;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code rstprofdata}'s restore types, as the HMC defines them, computed on the definition
 * (a pure function; {@link ManagedSystem} commits the result):
 * <ol>
 *   <li>full restore: the partitions, profiles and system profiles become the file's;</li>
 *   <li>merge, the file winning: a partition of the file replaces the one of the same id (and one
 *       of the same name elsewhere), with its profiles; other partitions stay;</li>
 *   <li>merge, the current data winning: what the file has and the system lacks is added (a
 *       partition whose id and name are free, a profile its partition lacks, a system profile);</li>
 *   <li>initialize: every partition, profile and system profile is deleted.</li>
 * </ol>
 * Pools, settings and VIOS storage are not profile data and stay. A partition that is active may
 * not be removed or changed by the restore (the caller refuses it, naming the partitions).
 */
record ProfileRestore(List<Partition> partitions, List<Profile> profiles, List<SystemProfile> systemProfiles) {

    static ProfileRestore of(SystemDefinition def, List<SystemProfile> sysprofs, ProfileData.Contents file,
            int level) {
        return switch (level) {
            case 1 -> new ProfileRestore(file.partitions(), file.profiles(), file.systemProfiles());
            case 4 -> new ProfileRestore(List.of(), List.of(), List.of());
            case 2 -> merge(def, sysprofs, file, true);
            case 3 -> merge(def, sysprofs, file, false);
            default -> throw new IllegalArgumentException("restore type " + level);
        };
    }

    private static ProfileRestore merge(SystemDefinition def, List<SystemProfile> sysprofs,
            ProfileData.Contents file, boolean fileWins) {
        Map<Integer, Partition> parts = new TreeMap<>();
        def.partitions().forEach(p -> parts.put(p.id(), p));
        Map<String, Profile> profs = new LinkedHashMap<>();
        def.allProfiles().forEach(p -> profs.put(key(p), p));
        for (Partition p : file.partitions()) {
            Partition sameId = parts.get(p.id());
            Partition sameName = parts.values().stream().filter(x -> x.name().equals(p.name())).findFirst().orElse(null);
            if (fileWins) {
                for (Partition gone : new Partition[] {sameId, sameName}) {
                    if (gone != null) {
                        parts.remove(gone.id());
                        profs.values().removeIf(x -> x.lparId() == gone.id());
                    }
                }
                parts.put(p.id(), p);
                file.profiles().stream().filter(x -> x.lparId() == p.id()).forEach(x -> profs.put(key(x), x));
            } else if (sameId == null && sameName == null) {
                parts.put(p.id(), p);
                file.profiles().stream().filter(x -> x.lparId() == p.id()).forEach(x -> profs.put(key(x), x));
            } else if (sameId != null && sameId.name().equals(p.name())) {
                file.profiles().stream().filter(x -> x.lparId() == p.id()).forEach(x -> profs.putIfAbsent(key(x), x));
            }
        }
        Map<String, SystemProfile> sps = new TreeMap<>();
        sysprofs.forEach(s -> sps.put(s.name(), s));
        for (SystemProfile s : file.systemProfiles()) {
            if (fileWins) {
                sps.put(s.name(), s);
            } else {
                sps.putIfAbsent(s.name(), s);
            }
        }
        return new ProfileRestore(new ArrayList<>(parts.values()), new ArrayList<>(profs.values()),
                new ArrayList<>(sps.values()));
    }

    /** The partitions active now that the restore would remove or change. */
    List<String> touchedActive(SystemDefinition def, Set<Integer> active) {
        List<String> out = new ArrayList<>();
        for (Partition p : def.partitions()) {
            if (!active.contains(p.id())) {
                continue;
            }
            Partition after = partitions.stream().filter(x -> x.id() == p.id()).findFirst().orElse(null);
            Collection<Profile> before = def.profiles(p.id());
            List<Profile> profsAfter = profiles.stream().filter(x -> x.lparId() == p.id()).toList();
            if (!p.equals(after) || !before.containsAll(profsAfter) || before.size() != profsAfter.size()) {
                out.add(p.name());
            }
        }
        return out;
    }

    private static String key(Profile p) {
        return p.lparId() + "/" + p.name();
    }
}
