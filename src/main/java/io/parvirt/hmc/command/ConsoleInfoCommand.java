package io.parvirt.hmc.command;

import java.util.Objects;

/**
 * What a console says about itself and the firmware it manages: the commands HMC client tools send
 * first ({@code lshmc -V} before anything else), and the listings of things parvirt lacks
 * (Capacity on Demand, attention LEDs), which must answer as a real HMC does for a system without
 * them rather than fail.
 */
public sealed interface ConsoleInfoCommand extends HmcCommand {

    /** What {@code lshmc} shows. */
    enum HmcFacet { VERSION, VPD, NETWORK, BIOS, REMOTE }

    /** {@code lshmc -V|-v|-n|-b|-r [-F …]}. */
    @Verb("lshmc")
    record ShowHmc(HmcFacet facet, Format format) implements ConsoleInfoCommand {
        public ShowHmc {
            Objects.requireNonNull(facet);
            Objects.requireNonNull(format);
        }
    }

    /** {@code lslic -m SYS [-t sys|syspower] [-F …]}: the managed system's code levels. */
    @Verb("lslic")
    record ListLic(String system, Format format) implements ConsoleInfoCommand {
        public ListLic {
            Objects.requireNonNull(system);
            Objects.requireNonNull(format);
        }
    }

    /** {@code lsled -r sa -m SYS -t phys|virtualsys|virtuallpar}: system attention LEDs. */
    @Verb("lsled")
    record ListLed(String system, String type, Format format) implements ConsoleInfoCommand {
        public ListLed {
            Objects.requireNonNull(system);
            Objects.requireNonNull(type);
            Objects.requireNonNull(format);
        }
    }

    /** {@code monhmc -r mem|swap|proc|disk [-n 0]}: one sample of the console's own machine. */
    @Verb("monhmc")
    record MonitorHmc(String resource) implements ConsoleInfoCommand {
        public MonitorHmc {
            Objects.requireNonNull(resource);
        }
    }

    /** {@code lscod …} and {@code lscodpool …}: Capacity on Demand, which no parvirt system has. */
    record ListCod(String verb, String system) implements ConsoleInfoCommand {
        public ListCod {
            Objects.requireNonNull(verb);
        }
    }
}
