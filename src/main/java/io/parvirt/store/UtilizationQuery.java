package io.parvirt.store;

import io.parvirt.model.UtilizationSample;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * Which utilization samples to read ({@link Store#utilization}), so that the store, not the
 * caller, narrows the rows: samples of {@code types} taken at or after {@code since} and before
 * {@code until} (null: no upper bound), of the {@code eventTypes} (empty: all), at most
 * {@code limit} per resource type, newest first (0: no limit).
 */
public record UtilizationQuery(Set<UtilizationSample.ResourceType> types, Instant since, Instant until,
        Set<String> eventTypes, int limit) {

    public UtilizationQuery {
        types = Set.copyOf(types);
        Objects.requireNonNull(since, "since");
        eventTypes = Set.copyOf(eventTypes);
        if (limit < 0) {
            throw new IllegalArgumentException("limit " + limit);
        }
    }
}
