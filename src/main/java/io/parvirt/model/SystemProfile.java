package io.parvirt.model;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * An HMC system profile: partition profiles activated together ({@code chsysstate -r sysprof}), in
 * the order listed. Members name their partition by id, so a renamed partition stays a member.
 */
public record SystemProfile(String name, List<Member> members) {
    /** One partition and the profile it is activated with. */
    public record Member(int lparId, String profile) {
        public Member {
            Objects.requireNonNull(profile);
        }
    }

    public SystemProfile {
        Names.profileName("name", name);
        members = List.copyOf(members);
        if (members.isEmpty()) {
            throw new ModelException(ModelException.Kind.MISSING_ATTRIBUTE, "lpar_names", "The system profile "
                    + name + " must list at least one partition and its profile.");
        }
        var seen = new HashSet<Integer>();
        for (Member m : members) {
            if (!seen.add(m.lparId())) {
                throw new ModelException(ModelException.Kind.INVALID_VALUE, "lpar_names", "The system profile "
                        + name + " lists partition ID " + m.lparId() + " more than once: a partition is activated "
                        + "with one profile.");
            }
        }
    }
}
