package io.parvirt.hmc.command;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code --filter}: each named filter with its values, already checked against the names the
 * command allows. Empty: no filter.
 */
public record Filters(Map<String, List<String>> values) {
    public static final Filters NONE = new Filters(Map.of());

    public Filters {
        Map<String, List<String>> copy = new LinkedHashMap<>();
        values.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        values = java.util.Collections.unmodifiableMap(copy);
    }

    public static Filters of(String name, String value) {
        return new Filters(Map.of(name, List.of(value)));
    }

    /** The values of one filter, or null when the command was not filtered by it. */
    public List<String> get(String name) {
        return values.get(name);
    }
}
