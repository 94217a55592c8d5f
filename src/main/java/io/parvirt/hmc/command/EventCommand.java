package io.parvirt.hmc.command;

import java.util.Objects;

/** {@code lssvcevents}: the console's events. */
public sealed interface EventCommand extends HmcCommand {

    /**
     * {@code lssvcevents -t console|hardware [-d DAYS]}: {@code hardware} lists nothing (parvirt
     * records no serviceable hardware events).
     */
    @Verb("lssvcevents")
    record ListEvents(boolean console, int days, Format format) implements EventCommand {
        public ListEvents {
            Objects.requireNonNull(format);
            if (days < 0) {
                throw new IllegalArgumentException("days is not negative");
            }
        }
    }
}
