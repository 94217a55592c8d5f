package io.parvirt.model;

import static io.parvirt.model.ModelException.Kind.INVALID_VALUE;

import java.util.ArrayList;
import java.util.List;

/** One element of a slash-separated adapter list: positional fields, any of which may be empty. */
final class SlashFields {
    private final String attr;
    private final String element;
    private final String[] f;

    private SlashFields(String attr, String element, String[] f) {
        this.attr = attr;
        this.element = element;
        this.f = f;
    }

    static SlashFields split(String attr, String element, String format, int... allowedCounts) {
        String[] f = element.split("/", -1);
        for (int c : allowedCounts) {
            if (f.length == c) {
                return new SlashFields(attr, element, f);
            }
        }
        throw new ModelException(INVALID_VALUE, attr, "The value " + Values.quote(element) + " for attribute "
                + attr + " is not valid: each element must have the form " + format + ".");
    }

    int count() {
        return f.length;
    }

    String str(int i) {
        return f[i];
    }

    boolean empty(int i) {
        return f[i].isEmpty();
    }

    int integer(int i, String field, int min, int max) {
        return Values.parseInt(attr + " " + field, f[i], min, max);
    }

    /** A number, or null for an empty field or {@code any}. */
    Integer optionalInt(int i, String field, int min, int max) {
        return f[i].isEmpty() || f[i].equals("any") ? null : integer(i, field, min, max);
    }

    boolean flag(int i, String field) {
        return Values.parseFlag(attr + " " + field, f[i]);
    }

    ModelException invalid(String field, String rule) {
        return new ModelException(INVALID_VALUE, attr, "The value " + Values.quote(element) + " for attribute "
                + attr + " is not valid: " + field + " " + rule + ".");
    }

    static String join(Object... parts) {
        List<String> s = new ArrayList<>(parts.length);
        for (Object p : parts) {
            s.add(p == null ? "" : p.toString());
        }
        return String.join("/", s);
    }
}
