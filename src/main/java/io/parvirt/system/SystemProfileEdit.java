package io.parvirt.system;

import static io.parvirt.model.ModelException.Kind.INVALID_REFERENCE;
import static io.parvirt.model.ModelException.Kind.INVALID_VALUE;
import static io.parvirt.model.ModelException.Kind.NAME_IN_USE;
import static io.parvirt.model.ModelException.Kind.UNKNOWN_ATTRIBUTE;

import io.parvirt.model.AttributeInput;
import io.parvirt.model.AttributeInput.Assignment;
import io.parvirt.model.AttributeInput.Op;
import io.parvirt.model.Limits;
import io.parvirt.model.ModelException;
import io.parvirt.model.Names;
import io.parvirt.model.Partition;
import io.parvirt.model.SystemDefinition;
import io.parvirt.model.SystemProfile;
import io.parvirt.model.SystemProfile.Member;
import io.parvirt.model.Values;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code mksyscfg -r sysprof} and {@code chsyscfg -r sysprof} records applied to the system
 * profiles: {@code name}, {@code new_name} (change only), {@code lpar_names} or {@code lpar_ids}
 * and {@code profile_names}, the two lists pairwise (the n-th partition with the n-th profile).
 * {@code +=} appends members, {@code -=} removes the partitions named. Every partition and profile
 * must exist.
 */
final class SystemProfileEdit {
    private static final Set<String> MAKE = Set.of("name", "lpar_names", "lpar_ids", "profile_names");
    private static final Set<String> CHANGE = Set.of("name", "new_name", "lpar_names", "lpar_ids", "profile_names");

    private SystemProfileEdit() {
    }

    static SystemProfile make(SystemDefinition def, List<SystemProfile> existing, List<Assignment> attrs) {
        check(attrs, MAKE);
        String name = Names.profileName("name", Selectors.value(attrs, "name").orElseThrow(() ->
                ManagedSystem.missing("name", "a system profile has a name")));
        if (find(existing, name).isPresent()) {
            throw new ModelException(NAME_IN_USE, "name", "The system profile " + name + " already exists. Choose a "
                    + "different name.");
        }
        for (Assignment a : attrs) {
            if (a.op() != Op.SET) {
                throw new ModelException(INVALID_VALUE, a.name(), "The attribute " + a.name() + " cannot be "
                        + (a.op() == Op.ADD ? "added to" : "removed from") + " when a system profile is created: use "
                        + a.name() + "=value.");
            }
        }
        List<Integer> ids = partitions(def, attrs).orElseThrow(() -> ManagedSystem.missing("lpar_names",
                "give lpar_names or lpar_ids with the partitions of the system profile"));
        List<String> profiles = profileNames(attrs).orElseThrow(() -> ManagedSystem.missing("profile_names",
                "give the profile of each partition, in the order of lpar_names"));
        return validated(def, new SystemProfile(name, pair(name, ids, profiles)));
    }

    static SystemProfile change(SystemDefinition def, List<SystemProfile> existing, List<Assignment> attrs) {
        check(attrs, CHANGE);
        String name = Selectors.value(attrs, "name").orElseThrow(() -> ManagedSystem.missing("name",
                "name the system profile to change"));
        SystemProfile now = find(existing, name).orElseThrow(() -> notFound(name));
        String newName = Selectors.value(attrs, "new_name").map(n -> Names.profileName("new_name", n)).orElse(name);
        if (!newName.equals(name) && find(existing, newName).isPresent()) {
            throw new ModelException(NAME_IN_USE, "new_name", "The system profile " + newName + " already exists. "
                    + "Choose a different name.");
        }
        Op op = attrs.stream().filter(a -> Set.of("lpar_names", "lpar_ids", "profile_names").contains(a.name()))
                .map(Assignment::op)
                .reduce((a, b) -> {
                    if (a != b) {
                        throw new ModelException(INVALID_VALUE, "profile_names", "The partitions and profiles of a "
                                + "system profile are changed with one operator (=, += or -=) in one record.");
                    }
                    return a;
                }).orElse(null);
        List<Member> members = new ArrayList<>(now.members());
        Optional<List<Integer>> ids = partitions(def, attrs);
        if (op == Op.REMOVE) {
            List<Integer> gone = ids.orElseThrow(() -> ManagedSystem.missing("lpar_names", "name the partitions "
                    + "to remove from the system profile"));
            for (int id : gone) {
                if (!members.removeIf(m -> m.lparId() == id)) {
                    throw new ModelException(INVALID_REFERENCE, "lpar_names", "The partition with ID " + id
                            + " is not in system profile " + name + ".");
                }
            }
        } else if (op != null) {
            List<Member> given = pair(name, ids.orElseThrow(() -> ManagedSystem.missing("lpar_names", "give the "
                    + "partitions with profile_names")), profileNames(attrs).orElseThrow(() -> ManagedSystem.missing(
                    "profile_names", "give the profile of each partition, in the order of lpar_names")));
            if (op == Op.SET) {
                members.clear();
            }
            members.addAll(given);
        }
        return validated(def, new SystemProfile(newName, members));
    }

    /** Every member's partition and profile exist now. */
    static SystemProfile validated(SystemDefinition def, SystemProfile sp) {
        for (Member m : sp.members()) {
            Partition p = def.partition(m.lparId()).orElseThrow(() -> new ModelException(INVALID_REFERENCE,
                    "lpar_ids", "The partition with ID " + m.lparId() + " of system profile " + sp.name()
                    + " was not found."));
            if (def.profile(p.id(), m.profile()).isEmpty()) {
                throw new ModelException(INVALID_REFERENCE, "profile_names", "The profile " + Values.quote(m.profile())
                        + " of partition " + p.name() + " in system profile " + sp.name() + " was not found.");
            }
        }
        return sp;
    }

    static Optional<SystemProfile> find(List<SystemProfile> all, String name) {
        return all.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    static ModelException notFound(String name) {
        return ModelException.of(ModelException.Kind.PROFILE_NOT_FOUND, "The system profile named "
                + Values.quote(name).replace("\"", "") + " was not found.");
    }

    private static void check(List<Assignment> attrs, Set<String> allowed) {
        for (Assignment a : attrs) {
            if (!allowed.contains(a.name())) {
                throw new ModelException(UNKNOWN_ATTRIBUTE, a.name(), "The attribute " + Values.quote(a.name())
                        + " is not a valid attribute for a system profile.");
            }
        }
        if (attrs.stream().anyMatch(a -> a.name().equals("lpar_names"))
                && attrs.stream().anyMatch(a -> a.name().equals("lpar_ids"))) {
            throw new ModelException(INVALID_VALUE, "lpar_ids", "Give lpar_names or lpar_ids, not both.");
        }
    }

    /** The partitions of {@code lpar_names} or {@code lpar_ids}, as ids, in the order given. */
    private static Optional<List<Integer>> partitions(SystemDefinition def, List<Assignment> attrs) {
        for (Assignment a : attrs) {
            if (a.name().equals("lpar_names")) {
                return Optional.of(AttributeInput.splitList(a.name(), a.value()).stream().map(n -> def.partition(n)
                        .orElseThrow(() -> ManagedSystem.notFound(n)).id()).toList());
            }
            if (a.name().equals("lpar_ids")) {
                return Optional.of(AttributeInput.splitList(a.name(), a.value()).stream()
                        .map(v -> Values.parseInt("lpar_ids", v, 1, Limits.MAX_LPARS)).toList());
            }
        }
        return Optional.empty();
    }

    private static Optional<List<String>> profileNames(List<Assignment> attrs) {
        return attrs.stream().filter(a -> a.name().equals("profile_names")).findFirst()
                .map(a -> AttributeInput.splitList(a.name(), a.value()));
    }

    private static List<Member> pair(String name, List<Integer> ids, List<String> profiles) {
        if (ids.size() != profiles.size()) {
            throw new ModelException(INVALID_VALUE, "profile_names", "The system profile " + name + " names "
                    + ids.size() + " partitions and " + profiles.size() + " profiles: give one profile per "
                    + "partition, in the same order.");
        }
        List<Member> out = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            out.add(new Member(ids.get(i), profiles.get(i)));
        }
        return out;
    }
}
