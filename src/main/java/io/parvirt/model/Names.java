package io.parvirt.model;

import static io.parvirt.model.ModelException.Kind.INVALID_VALUE;

/** Name rules for partitions, profiles, pools and the managed system. */
public final class Names {
    private Names() {
    }

    /** Partition names: 1-47 characters, no commas, quotes, slashes or control characters (HMC V7 rule). */
    public static boolean isValidPartitionName(String s) {
        return s.length() >= 1 && s.length() <= 47 && s.chars().allMatch(c -> c >= 0x20 && c < 0x7f
                && c != ',' && c != '"' && c != '/' && c != '\\' && c != '\'' && c != '=')
                && !s.isBlank() && s.equals(s.strip());
    }

    /** Profile names: at most 31 characters of letters, digits, space and {@code , . / ; : ~ @ # ^ - _ = + { }}. */
    public static boolean isValidProfileName(String s) {
        return s.length() >= 1 && s.length() <= 31 && s.equals(s.strip())
                && s.chars().allMatch(c -> Character.isLetterOrDigit(c) && c < 0x80 || " ,./;:~@#^-_=+{}".indexOf(c) >= 0);
    }

    /** Pool and system names: 1-63 characters, letters, digits, '.', '-' and '_'. */
    public static boolean isValidPoolName(String s) {
        return s.matches("[A-Za-z0-9][A-Za-z0-9_.\\-]{0,62}");
    }

    public static String partitionName(String attr, String value) {
        return check(attr, value, isValidPartitionName(value), "partition name: use 1 to 47 printable characters "
                + "without , \" ' / \\ or =");
    }

    public static String profileName(String attr, String value) {
        return check(attr, value, isValidProfileName(value), "profile name: use 1 to 31 letters, digits, spaces or "
                + ", . / ; : ~ @ # ^ - _ = + { }");
    }

    public static String poolName(String attr, String value) {
        return check(attr, value, isValidPoolName(value), "name: use 1 to 63 letters, digits, '.', '-' or '_', "
                + "starting with a letter or digit");
    }

    private static String check(String attr, String value, boolean valid, String rule) {
        Values.checkLength(attr, value);
        if (!valid) {
            throw new ModelException(INVALID_VALUE, attr, "The value " + Values.quote(value) + " for attribute " + attr
                    + " is not a valid " + rule + ".");
        }
        return value;
    }
}
