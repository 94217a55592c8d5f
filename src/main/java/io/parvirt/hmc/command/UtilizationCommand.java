package io.parvirt.hmc.command;

import io.parvirt.model.UtilizationSample.ResourceType;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/** {@code lslparutil}: stored utilization samples, and with {@code -r config} the sample rate. */
public sealed interface UtilizationCommand extends HmcCommand {

    @Override
    default String verb() {
        return "lslparutil";
    }

    /** The samples to list: taken at or after {@code since} and before {@code until} (null: no end). */
    record Window(Instant since, Instant until) {
        public Window {
            Objects.requireNonNull(since);
            if (until != null && until.isBefore(since)) {
                throw new IllegalArgumentException("a window ends after it starts");
            }
        }
    }

    /**
     * {@code lslparutil -r lpar|pool|procpool|sys|all}: the samples of {@code types} in
     * {@code window}, at most {@code perResource} of each resource (0: all), of the
     * {@code eventTypes} (empty: all), restricted by {@code filter}.
     */
    record ListUtilization(String system, Set<ResourceType> types, Window window, int perResource,
            Set<String> eventTypes, Filters filter, Format format) implements UtilizationCommand {
        public ListUtilization {
            Objects.requireNonNull(system);
            types = Set.copyOf(types);
            Objects.requireNonNull(window);
            eventTypes = Set.copyOf(eventTypes);
            Objects.requireNonNull(filter);
            Objects.requireNonNull(format);
            if (types.isEmpty() || perResource < 0) {
                throw new IllegalArgumentException("a listing names a resource type and a non-negative count");
            }
        }
    }

    /** {@code lslparutil -r config}; {@code system} null: one line per system. */
    /**
     * {@code lslparutil -r mempool|hmc}: a shared memory pool and the console's own events, which
     * parvirt does not sample: the empty list, never a syntax error (tools ask for every type).
     */
    record ListUnsampled(String system, String resource) implements UtilizationCommand {
        public ListUnsampled {
            Objects.requireNonNull(system);
            Objects.requireNonNull(resource);
        }
    }

    record ListSampleRate(String system, Format format) implements UtilizationCommand {
        public ListSampleRate {
            Objects.requireNonNull(format);
        }
    }
}
