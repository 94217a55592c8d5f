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
        int cut = value.length() > 64 ? (Character.isHighSurrogate(value.charAt(60)) ? 60 : 61) : value.length();
        String v = value.substring(0, cut) + (cut < value.length() ? "..." : "");
        StringBuilder b = new StringBuilder(v.length() + 2);
        for (char c : v.toCharArray()) {
            // An error is one line: no control or line-separator character reaches it.
            b.append(Character.isISOControl(c) || c == '\u2028' || c == '\u2029' ? '?' : c);
        }
        return "\"" + b + "\"";
    }

    public static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
