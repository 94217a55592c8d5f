package io.parvirt.hmc;

import io.parvirt.model.AttributeOutput;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prints rows as an HMC does: {@code attr=value} pairs, or {@code -F} values with the caller's own
 * separators, {@code --header} first, and {@code No results were found.} for nothing. Only the rows
 * the caller's managed-resource role may see are printed ({@link ResourceScope}).
 */
public final class Listing {
    private Listing() {
    }

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_]+");

    /**
     * @param fields null without {@code -F}, empty for a bare {@code -F}, else the {@code -F} text
     * @param known  every attribute this listing can show, for rejecting unknown {@code -F} names
     */
    public static HmcResult render(List<Row> all, String fields, boolean header, Set<String> known) {
        List<Row> rows = ResourceScope.visible(all); // the caller's managed-resource role narrows every listing here
        List<String> names = new ArrayList<>();
        List<String> seps = new ArrayList<>();
        if (fields != null && !fields.isEmpty()) {
            Matcher m = NAME.matcher(fields);
            int last = 0;
            while (m.find()) {
                if (!names.isEmpty()) {
                    seps.add(fields.substring(last, m.start()));
                } else if (m.start() != 0) {
                    throw HmcException.badAttribute(fields.substring(0, m.start()));
                }
                names.add(m.group());
                last = m.end();
            }
            if (names.isEmpty() || last != fields.length()) {
                throw HmcException.badAttribute(fields.substring(last));
            }
            for (String n : names) {
                if (!known.contains(n)) {
                    throw HmcException.badAttribute(n);
                }
            }
        }
        if (rows.isEmpty()) {
            return HmcResult.listing("No results were found.\n", rows);
        }
        StringBuilder out = new StringBuilder();
        if (fields == null) {
            for (Row r : rows) {
                for (int i = 0; i < r.names().size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    AttributeOutput.pair(out, r.names().get(i), r.values().get(i));
                }
                out.append('\n');
            }
            return HmcResult.listing(out.toString(), rows);
        }
        if (header) {
            List<String> h = names.isEmpty() ? rows.get(0).names() : names;
            line(out, h, seps);
        }
        for (Row r : rows) {
            if (names.isEmpty()) {
                line(out, r.values(), List.of());
            } else {
                List<String> vals = new ArrayList<>(names.size());
                for (String n : names) {
                    String v = r.get(n);
                    vals.add(v == null ? "null" : v);
                }
                line(out, vals, seps);
            }
        }
        return HmcResult.listing(out.toString(), rows);
    }

    private static void line(StringBuilder out, List<String> vals, List<String> seps) {
        for (int i = 0; i < vals.size(); i++) {
            if (i > 0) {
                out.append(seps.isEmpty() ? "," : seps.get(i - 1));
            }
            AttributeOutput.value(out, vals.get(i));
        }
        out.append('\n');
    }
}
