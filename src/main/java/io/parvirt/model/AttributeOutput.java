package io.parvirt.model;

import java.util.List;

/** Writes values in the HMC's output form: CSV quoting applied at the list and at the pair level. */
public final class AttributeOutput {
    private AttributeOutput() {
    }

    /** A list value: elements holding a comma or quote are quoted; the empty list is {@code none}. */
    public static String list(List<String> elements) {
        if (elements.isEmpty()) {
            return "none";
        }
        StringBuilder b = new StringBuilder();
        for (String e : elements) {
            if (!b.isEmpty()) {
                b.append(',');
            }
            b.append(needsQuote(e) ? quote(e) : e);
        }
        return b.toString();
    }

    /** One {@code name=value} pair; wrapped in quotes only when the value holds a comma or quote. */
    public static void pair(StringBuilder out, String name, String value) {
        if (needsQuote(value)) {
            out.append('"').append(name).append('=').append(value.replace("\"", "\"\"")).append('"');
        } else {
            out.append(name).append('=').append(value);
        }
    }

    /** One value alone, as in {@code -F} output: quoted by the same rule. */
    public static void value(StringBuilder out, String value) {
        out.append(needsQuote(value) ? quote(value) : value);
    }

    private static boolean needsQuote(String s) {
        return s.indexOf(',') >= 0 || s.indexOf('"') >= 0;
    }

    private static String quote(String s) {
        return '"' + s.replace("\"", "\"\"") + '"';
    }
}
