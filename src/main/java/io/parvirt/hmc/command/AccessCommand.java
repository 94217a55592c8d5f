package io.parvirt.hmc.command;

import io.parvirt.model.AttributeInput.Assignment;
import java.util.List;
import java.util.Objects;

/**
 * Access control: {@code mkaccfg}, {@code chaccfg}, {@code rmaccfg}, {@code lsaccfg} for
 * managed-resource roles (and a listing of the task roles), and {@code chhmcusr -i} for a user's
 * roles.
 */
public sealed interface AccessCommand extends HmcCommand {

    /** {@code mkaccfg -t resourcerole -i "name=R,resources=..."} (or {@code -f}). */
    @Verb("mkaccfg")
    record MakeResourceRole(List<Assignment> attributes) implements AccessCommand {
        public MakeResourceRole {
            attributes = List.copyOf(attributes);
        }
    }

    /** {@code chaccfg -t resourcerole -i "name=R,resources[+-]=..."}. */
    @Verb("chaccfg")
    record ChangeResourceRole(List<Assignment> attributes) implements AccessCommand {
        public ChangeResourceRole {
            attributes = List.copyOf(attributes);
        }
    }

    /** {@code rmaccfg -t resourcerole -n R}. */
    @Verb("rmaccfg")
    record RemoveResourceRole(String name) implements AccessCommand {
        public RemoveResourceRole {
            Objects.requireNonNull(name);
        }
    }

    /** {@code lsaccfg -t resourcerole|taskrole [--filter "resourceroles=..."|"taskroles=..."]}. */
    @Verb("lsaccfg")
    record ListAccess(boolean taskRoles, Filters filter, Format format) implements AccessCommand {
        public ListAccess {
            Objects.requireNonNull(filter);
            Objects.requireNonNull(format);
        }
    }

    /** {@code chhmcusr -i "name=U,taskrole=...,resourcerole=..."} (or {@code -f}). */
    @Verb("chhmcusr")
    record ChangeUser(List<Assignment> attributes) implements AccessCommand {
        public ChangeUser {
            attributes = List.copyOf(attributes);
        }
    }
}
