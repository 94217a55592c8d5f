package io.parvirt.system;

import static io.parvirt.model.ModelException.Kind.NAME_IN_USE;

import io.parvirt.model.AttributeInput.Assignment;
import io.parvirt.model.ModelException;
import io.parvirt.model.Names;
import io.parvirt.model.Partition;
import io.parvirt.model.Profile;
import io.parvirt.model.ProfileAttributes;
import io.parvirt.model.ProfileDraft;
import io.parvirt.model.SystemDefinition;
import java.util.List;
import java.util.Set;

/** A profile being created or changed ({@code -r prof}): selected by {@code name} and {@code lpar_name}/{@code lpar_id}. */
record ProfileEdit(Partition partition, Profile profile, SystemDefinition result) {
    private static final Set<String> SELECTORS = Set.of("name", "lpar_name", "lpar_id", "new_name");

    static ProfileEdit create(SystemDefinition def, List<Assignment> attrs) {
        Partition p = Selectors.partition(def, attrs, "lpar_name", "lpar_id");
        String name = Names.profileName("name", Selectors.value(attrs, "name")
                .orElseThrow(() -> ManagedSystem.missing("name", "it names the new profile")));
        if (def.profile(p.id(), name).isPresent()) {
            throw new ModelException(NAME_IN_USE, "name", "The profile name " + name + " is already in use by "
                    + "partition " + p.name() + ". Choose a different name.");
        }
        ProfileDraft d = ProfileDraft.create(name, p.id());
        apply(d, attrs, false);
        Profile prof = d.build(p.env(), def);
        return new ProfileEdit(p, prof, def.with(def.settings(), List.of(), List.of(), List.of(prof), List.of(),
                List.of()));
    }

    static ProfileEdit change(SystemDefinition def, List<Assignment> attrs) {
        Partition p = Selectors.partition(def, attrs, "lpar_name", "lpar_id");
        String name = Selectors.value(attrs, "name")
                .orElseThrow(() -> ManagedSystem.missing("name", "it names the profile to change"));
        Profile old = def.profile(p.id(), name).orElseThrow(() -> ModelException.of(
                ModelException.Kind.PROFILE_NOT_FOUND, "The profile named " + io.parvirt.model.Values.quote(name)
                        .replace("\"", "") + " was not found for partition "
                        + p.name() + "."));
        ProfileDraft d = ProfileDraft.of(old);
        apply(d, attrs, true);
        String newName = Selectors.value(attrs, "new_name").map(n -> Names.profileName("new_name", n)).orElse(name);
        if (!newName.equals(name) && def.profile(p.id(), newName).isPresent()) {
            throw new ModelException(NAME_IN_USE, "new_name", "The profile name " + newName + " is already in use by "
                    + "partition " + p.name() + ". Choose a different name.");
        }
        Profile built = d.build(p.env(), def);
        Profile prof = new Profile(newName, built.lparId(), built.memory(), built.processors(), built.io(),
                built.options());
        Partition part = p.defaultProfile().equals(name) ? p.withDefaultProfile(newName) : p;
        SystemDefinition next = def.with(def.settings(), List.of(part), List.of(), List.of(prof),
                newName.equals(name) ? List.of() : List.of(old), List.of());
        return new ProfileEdit(part, prof, next);
    }

    private static void apply(ProfileDraft d, List<Assignment> attrs, boolean change) {
        for (Assignment a : attrs) {
            if (SELECTORS.contains(a.name()) && (change || !a.name().equals("new_name"))) {
                continue;
            }
            ProfileAttributes.apply(d, a);
        }
    }
}
