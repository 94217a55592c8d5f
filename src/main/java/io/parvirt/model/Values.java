package io.parvirt.model;

import static io.parvirt.model.ModelException.Kind.INVALID_VALUE;
import static io.parvirt.model.ModelException.Kind.OUT_OF_RANGE;

import java.util.Locale;

/** Parsing of scalar attribute values, each failure naming the attribute, the value and the rule. */
public final class Values {
    private Values() {
    }

    /** Longest value accepted anywhere; longer input is an error, not truncated. */
    public static final int MAX_VALUE_LENGTH = 1024;

    public static long parseLong(String attr, String value, long min, long max) {
        checkLength(attr, value);
        if (value.isEmpty() || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new ModelException(INVALID_VALUE, attr, "The value " + quote(value) + " for attribute " + attr
                    + " is not valid: it must be a whole number.");
        }
        String digits = value.replaceFirst("^0+(?=.)", "");
        if (digits.length() > 18 || Long.parseLong(digits) > max || Long.parseLong(digits) < min) {
            throw new ModelException(OUT_OF_RANGE, attr, "The value " + quote(value) + " for attribute " + attr
                    + " is out of range: it must be between " + min + " and " + max + ".");
        }
        return Long.parseLong(digits);
    }

    public static int parseInt(String attr, String value, int min, int max) {
        return (int) parseLong(attr, value, min, max);
    }

    public static boolean parseFlag(String attr, String value) {
        return switch (value) {
            case "0" -> false;
            case "1" -> true;
            default -> throw new ModelException(INVALID_VALUE, attr, "The value " + quote(value) + " for attribute "
                    + attr + " is not valid: it must be 0 or 1.");
        };
    }

    public static String flag(boolean b) {
        return b ? "1" : "0";
    }

    public static <E extends Enum<E> & HmcEnum> E parseEnum(String attr, String value, Class<E> type) {
        for (E e : type.getEnumConstants()) {
            if (e.hmcName().equals(value)) {
                return e;
            }
        }
        StringBuilder allowed = new StringBuilder();
        for (E e : type.getEnumConstants()) {
            allowed.append(allowed.isEmpty() ? "" : ", ").append(e.hmcName());
        }
        throw new ModelException(INVALID_VALUE, attr, "The value " + quote(value) + " for attribute " + attr
                + " is not valid: it must be one of " + allowed + ".");
    }

    public static void checkLength(String attr, String value) {
        if (value.length() > MAX_VALUE_LENGTH) {
            throw new ModelException(OUT_OF_RANGE, attr, "The value for attribute " + attr + " is too long: "
                    + value.length() + " characters, at most " + MAX_VALUE_LENGTH + " are allowed.");
        }
    }

    /** Shows a value in an error sentence; long or odd values are cut so the sentence stays one line. */
    public static String quote(String value) {
        return "\"" + oneLine(value, 64, 61) + "\"";
    }

    /**
     * {@code value} as part of a one-line message: longer than {@code longest}, it is cut to
     * {@code keep} characters (never inside a surrogate pair) and marked {@code ...}; no control or
     * line-separator character reaches the line.
     */
    public static String oneLine(String value, int longest, int keep) {
        String v = value;
        if (v.length() > longest) {
            int cut = Character.isHighSurrogate(v.charAt(keep - 1)) ? keep - 1 : keep;
            v = v.substring(0, cut) + "...";
        }
        StringBuilder b = new StringBuilder(v.length());
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            b.append(Character.isISOControl(c) || c == '\u2028' || c == '\u2029' ? '?' : c);
        }
        return b.toString();
    }

    public static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
