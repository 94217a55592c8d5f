package io.parvirt.vios;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A VIOS listing's {@code -field F ...} (the words up to the next flag) and {@code -fmt D}: with a
 * delimiter, each row is its fields joined by D and no header is printed; an empty field is one
 * blank, as the VIOS prints it for {@code -fmt}.
 */
record Fields(List<String> names, String delimiter, List<String> rest) {

    /** Takes {@code -field} and {@code -fmt} out of {@code words}; the other words are {@link #rest}. */
    static Fields take(String cmd, List<String> words) {
        List<String> names = new ArrayList<>();
        List<String> rest = new ArrayList<>();
        String delimiter = null;
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            if (w.equals("-fmt")) {
                if (i + 1 >= words.size() || delimiter != null || words.get(i + 1).isBlank()) {
                    throw ViosException.usage(cmd, "-fmt needs one delimiter");
                }
                delimiter = words.get(++i);
            } else if (w.equals("-field")) {
                while (i + 1 < words.size() && !words.get(i + 1).startsWith("-")) {
                    names.add(words.get(++i).toLowerCase(Locale.ROOT));
                }
                if (names.isEmpty()) {
                    throw ViosException.usage(cmd, "-field needs field names");
                }
            } else {
                rest.add(w);
            }
        }
        return new Fields(names, delimiter, rest);
    }

    /** A row's fields in the order given: name, value, name, value, ... */
    static Map<String, String> row(String... namesAndValues) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i + 1 < namesAndValues.length; i += 2) {
            m.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return m;
    }

    boolean wants(String field) {
        return names.isEmpty() || names.contains(field);
    }

    /** The row's values in the requested order (every field, in {@code row}'s order, when none was named). */
    List<String> pick(Map<String, String> row) {
        if (names.isEmpty()) {
            return new ArrayList<>(row.values());
        }
        List<String> out = new ArrayList<>();
        for (String n : names) {
            String v = row.get(n);
            if (v == null) {
                throw ViosException.usage("-field", "the field " + n + " is not valid here; valid fields are "
                        + String.join(", ", row.keySet()));
            }
            out.add(v);
        }
        return out;
    }

    /**
     * Rows as the VIOS prints them: joined by the delimiter with no header, or in columns
     * ({@code format}, one {@code %s} per column) under {@code header} when every field is shown.
     */
    String render(List<List<String>> rows, String format, List<String> header) {
        StringBuilder out = new StringBuilder();
        if (delimiter != null) {
            for (List<String> r : rows) {
                out.append(String.join(delimiter, r.stream().map(v -> v.isEmpty() ? " " : v).toList())).append('\n');
            }
            return out.toString();
        }
        boolean all = names.isEmpty();
        if (all && !header.isEmpty()) {
            out.append(Listings.line(format, header.toArray()));
        }
        for (List<String> r : rows) {
            out.append(all ? Listings.line(format, r.toArray()) : String.join(" ", r).stripTrailing() + "\n");
        }
        return out.toString();
    }
}
