package io.parvirt.hmc.command;

import java.util.Objects;

/** {@code mkhmcusr}, {@code lshmcusr}, {@code rmhmcusr}: the HMC users of the API. */
public sealed interface UserCommand extends HmcCommand {

    /**
     * {@code mkhmcusr -u NAME -a ROLE --passwd PW}, or {@code -i "name=..,taskrole=..,resourcerole=..,passwd=.."}:
     * the name and role are checked by the parser; {@code resourceRole} null is every resource.
     */
    @Verb("mkhmcusr")
    record MakeUser(String name, String role, String password, String resourceRole) implements UserCommand {
        public MakeUser {
            Objects.requireNonNull(name);
            Objects.requireNonNull(role);
            Objects.requireNonNull(password);
        }

        public MakeUser(String name, String role, String password) {
            this(name, role, password, null);
        }

        @Override
        public String toString() {
            return "MakeUser[name=" + name + ", role=" + role + ", resourceRole=" + resourceRole + "]"; // never the password, e.g. in a log
        }
    }

    /** {@code lshmcusr [--filter names=...]}. */
    @Verb("lshmcusr")
    record ListUsers(Filters filter, Format format) implements UserCommand {
        public ListUsers {
            Objects.requireNonNull(filter);
            Objects.requireNonNull(format);
        }
    }

    /** {@code rmhmcusr -u NAME}. */
    @Verb("rmhmcusr")
    record RemoveUser(String name) implements UserCommand {
        public RemoveUser {
            Objects.requireNonNull(name);
        }
    }

    /**
     * {@code mkauthkeys -a KEY [-u USER]} adds an SSH public key (an OpenSSH line) the user may log
     * in with; {@code mkauthkeys -r KEY|COMMENT [-u USER]} removes it; {@code user} null is the
     * caller.
     */
    @Verb("mkauthkeys")
    record AuthorizeKey(boolean add, String key, String user) implements UserCommand {
        public AuthorizeKey {
            Objects.requireNonNull(key);
        }
    }

    /**
     * {@code mkauthkeys --ip HOST}: the caller's own key pair on this console, used with another
     * console (a remote HMC) reached over SSH at {@code host} ({@code HOST[:PORT]}) as
     * {@code remoteUser} (null: the caller's name). {@code ADD} logs in with {@code password} and
     * has the remote console authorise the public key; {@code REMOVE} has it forget the key;
     * {@code TEST} checks that the key alone logs in.
     */
    @Verb("mkauthkeys")
    record RemoteKeys(Operation op, String host, String remoteUser, String password) implements UserCommand {
        public enum Operation { ADD, REMOVE, TEST }

        public RemoteKeys {
            Objects.requireNonNull(op);
            Objects.requireNonNull(host);
        }

        @Override
        public String toString() { // the password stays out of logs and audit lines
            return "RemoteKeys[op=" + op + ", host=" + host + ", remoteUser=" + remoteUser + "]";
        }
    }
}
