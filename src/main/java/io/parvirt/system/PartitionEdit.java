package io.parvirt.system;

import static io.parvirt.model.ModelException.Kind.INSUFFICIENT_RESOURCES;
import static io.parvirt.model.ModelException.Kind.NAME_IN_USE;

import io.parvirt.model.AttributeInput.Assignment;
import io.parvirt.model.Limits;
import io.parvirt.model.ModelException;
import io.parvirt.model.Partition;
import io.parvirt.model.PartitionAttributes;
import io.parvirt.model.PartitionDraft;
import io.parvirt.model.Profile;
import io.parvirt.model.ProfileAttributes;
import io.parvirt.model.ProfileDraft;
import io.parvirt.model.SystemDefinition;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** A partition being created or changed: the validated records and the snapshot that would result. */
record PartitionEdit(Partition partition, Profile profile, SystemDefinition result) {

    /** {@code mksyscfg -r lpar}: partition attributes plus the attributes of its first profile. */
    static PartitionEdit create(SystemDefinition def, List<Assignment> attrs) {
        PartitionDraft pd = PartitionDraft.create();
        List<Assignment> profileAttrs = new ArrayList<>();
        for (Assignment a : attrs) {
            if (!PartitionAttributes.CREATE.has(a.name()) && ProfileAttributes.TABLE.has(a.name())) {
                profileAttrs.add(a);
            } else {
                PartitionAttributes.CREATE.apply(pd, a);
            }
        }
        pd.requireForCreate();
        int id = newId(def, pd.name(), pd.lparId());
        ProfileDraft d = ProfileDraft.create(pd.profileName(), id);
        for (Assignment a : profileAttrs) {
            ProfileAttributes.apply(d, a);
        }
        Partition p = pd.build(id, UUID.randomUUID().toString());
        SystemDefinition withPartition = def.with(def.settings(), List.of(p), List.of(), List.of(), List.of(),
                List.of());
        Profile prof = d.build(p.env(), withPartition);
        return new PartitionEdit(p, prof, withPartition.with(def.settings(), List.of(), List.of(), List.of(prof),
                List.of(), List.of()));
    }

    /**
     * The id of a new partition named {@code name}: {@code given} if free, else the next free one;
     * refused when the name is in use or no id is left (mksyscfg's rules, also for templates).
     */
    static int newId(SystemDefinition def, String name, Integer given) {
        if (def.partition(name).isPresent()) {
            throw new ModelException(NAME_IN_USE, "name", "The partition name " + name + " is already in use. "
                    + "Choose a different name.");
        }
        if (given != null) {
            ManagedSystem.checkId(def, given);
            return given;
        }
        int id = def.nextFreeId();
        if (id < 0) {
            throw ModelException.of(INSUFFICIENT_RESOURCES, "The managed system already has the maximum number "
                    + "of partitions (max_lpars=" + Limits.MAX_LPARS + "). Remove a partition first.");
        }
        return id;
    }

    /** {@code chsyscfg -r lpar}: selected by {@code name} or {@code lpar_id}, partition attributes only. */
    static PartitionEdit change(SystemDefinition def, List<Assignment> attrs) {
        Partition old = Selectors.partition(def, attrs, "name", "lpar_id");
        PartitionDraft d = PartitionDraft.of(old);
        for (Assignment a : attrs) {
            if (!a.name().equals("name") && !a.name().equals("lpar_id")) {
                PartitionAttributes.CHANGE.apply(d, a);
            }
        }
        if (d.newName() != null && !d.newName().equals(old.name()) && def.partition(d.newName()).isPresent()) {
            throw new ModelException(NAME_IN_USE, "new_name", "The partition name " + d.newName() + " is already "
                    + "in use. Choose a different name.");
        }
        Partition p = d.build(old.id(), old.uuid());
        if (def.profile(p.id(), p.defaultProfile()).isEmpty()) {
            throw new ModelException(ModelException.Kind.PROFILE_NOT_FOUND, "default_profile", "The profile named "
                    + p.defaultProfile() + " given in attribute default_profile does not exist for partition "
                    + p.name() + ".");
        }
        return new PartitionEdit(p, null, def.with(def.settings(), List.of(p), List.of(), List.of(), List.of(),
                List.of()));
    }
}
