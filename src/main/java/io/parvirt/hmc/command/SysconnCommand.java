package io.parvirt.hmc.command;

import java.util.Objects;

/**
 * The console's connections to managed systems: {@code mksysconn}, {@code lssysconn},
 * {@code rmsysconn}. A managed system is another host's parvirt daemon, reached over its API.
 */
public sealed interface SysconnCommand extends HmcCommand {

    /** {@code mksysconn --ip HOST[:PORT] [-r sys] [-u USER] [--passwd PW]}: the user and password of an HMC user there. */
    @Verb("mksysconn")
    record MakeConnection(String ip, String user, String password) implements SysconnCommand {
        public MakeConnection {
            Objects.requireNonNull(ip);
            Objects.requireNonNull(user);
            Objects.requireNonNull(password);
        }

        @Override
        public String toString() {
            return "MakeConnection[" + ip + ", " + user + "]"; // never the password
        }
    }

    /** {@code lssysconn -r all [-F …] [--header]}. */
    @Verb("lssysconn")
    record ListConnections(Format format) implements SysconnCommand {
        public ListConnections {
            Objects.requireNonNull(format);
        }
    }

    /** {@code rmsysconn -o remove --ip HOST[:PORT]}. */
    @Verb("rmsysconn")
    record RemoveConnection(String ip) implements SysconnCommand {
        public RemoveConnection {
            Objects.requireNonNull(ip);
        }
    }
}
