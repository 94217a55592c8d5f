package io.parvirt.vios;

/** VIOS sizes: a whole number with an optional unit M (the default) or G, either case ({@code 10G}, {@code 512M}). */
final class Sizes {
    private Sizes() {
    }

    /** The largest size accepted: 16 TB. */
    static final long MAX_MB = 16L * 1024 * 1024;

    static long parseMb(String option, String s) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9]{1,9})([mMgG]?)").matcher(s);
        if (!m.matches()) {
            throw bad(option, s);
        }
        long n = Long.parseLong(m.group(1)) * (m.group(2).equalsIgnoreCase("g") ? 1024 : 1);
        if (n < 1 || n > MAX_MB) {
            throw bad(option, s);
        }
        return n;
    }

    private static ViosException bad(String option, String s) {
        return new ViosException(ViosException.Kind.USAGE, option, "The size " + s + " given with " + option
                + " is not valid: give a whole number of megabytes (512M) or gigabytes (10G), from 1M to 16384G.");
    }
}
