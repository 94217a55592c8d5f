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
    record MakeResourceRole(List<Assignment> attributes) implements AccessCommand {
        public MakeResourceRole {
            attributes = List.copyOf(attributes);
        }

        @Override
        public String verb() {
            return "mkaccfg";
        }
    }

    /** {@code chaccfg -t resourcerole -i "name=R,resources[+-]=..."}. */
    record ChangeResourceRole(List<Assignment> attributes) implements AccessCommand {
        public ChangeResourceRole {
            attributes = List.copyOf(attributes);
        }

        @Override
        public String verb() {
            return "chaccfg";
        }
    }

    /** {@code rmaccfg -t resourcerole -n R}. */
    record RemoveResourceRole(String name) implements AccessCommand {
        public RemoveResourceRole {
            Objects.requireNonNull(name);
        }

        @Override
        public String verb() {
            return "rmaccfg";
        }
    }

    /** {@code lsaccfg -t resourcerole|taskrole [--filter "resourceroles=..."|"taskroles=..."]}. */
    record ListAccess(boolean taskRoles, Filters filter, Format format) implements AccessCommand {
        public ListAccess {
            Objects.requireNonNull(filter);
            Objects.requireNonNull(format);
        }

        @Override
        public String verb() {
            return "lsaccfg";
        }
    }

    /** {@code chhmcusr -i "name=U,taskrole=...,resourcerole=..."} (or {@code -f}). */
    record ChangeUser(List<Assignment> attributes) implements AccessCommand {
        public ChangeUser {
            attributes = List.copyOf(attributes);
        }

        @Override
        public String verb() {
            return "chhmcusr";
        }
    }
}
