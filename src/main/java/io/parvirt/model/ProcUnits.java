package io.parvirt.model;

import static io.parvirt.model.ModelException.Kind.GRANULARITY;
import static io.parvirt.model.ModelException.Kind.INVALID_VALUE;
import static io.parvirt.model.ModelException.Kind.OUT_OF_RANGE;

/**
 * Processing units in hundredths of a core: PowerVM's entitlement granularity is 0.01, so the
 * value is kept as an exact integer and never as a floating-point number.
 */
public record ProcUnits(int hundredths) implements Comparable<ProcUnits> {
    public static final ProcUnits ZERO = new ProcUnits(0);
    /** 0.05 units per virtual processor (20 micro-partitions per core, POWER7+ and later). */
    public static final ProcUnits MIN_PER_VP = new ProcUnits(5);
    private static final int MAX_HUNDREDTHS = 100_000 * 100;

    public ProcUnits {
        if (hundredths < 0 || hundredths > MAX_HUNDREDTHS) {
            throw new IllegalArgumentException("processing units out of range: " + hundredths);
        }
    }

    public static ProcUnits ofCores(int cores) {
        return new ProcUnits(cores * 100);
    }

    /** Parses {@code 1}, {@code 0.5} or {@code 0.25}; more than two decimals is a granularity error. */
    public static ProcUnits parse(String attr, String value) {
        Values.checkLength(attr, value);
        if (!value.matches("[0-9]{1,7}(\\.[0-9]*)?") || value.endsWith(".")) {
            throw new ModelException(INVALID_VALUE, attr, "The value " + Values.quote(value) + " for attribute "
                    + attr + " is not valid: it must be a number of processing units such as 0.5.");
        }
        int dot = value.indexOf('.');
        String whole = dot < 0 ? value : value.substring(0, dot);
        String frac = dot < 0 ? "" : value.substring(dot + 1).replaceFirst("0+$", "");
        if (frac.length() > 2) {
            throw new ModelException(GRANULARITY, attr, "The value " + Values.quote(value) + " for attribute "
                    + attr + " is not valid: processing units are specified in hundredths (0.01).");
        }
        long h = Long.parseLong(whole) * 100 + (frac.isEmpty() ? 0 : Integer.parseInt((frac + "0").substring(0, 2)));
        if (h > MAX_HUNDREDTHS) {
            throw new ModelException(OUT_OF_RANGE, attr, "The value " + Values.quote(value) + " for attribute "
                    + attr + " is out of range.");
        }
        return new ProcUnits((int) h);
    }

    public boolean isWhole() {
        return hundredths % 100 == 0;
    }

    public ProcUnits plus(ProcUnits o) {
        return new ProcUnits(hundredths + o.hundredths);
    }

    public ProcUnits minus(ProcUnits o) {
        return new ProcUnits(Math.max(0, hundredths - o.hundredths));
    }

    public ProcUnits times(int n) {
        return new ProcUnits(hundredths * n);
    }

    @Override
    public int compareTo(ProcUnits o) {
        return Integer.compare(hundredths, o.hundredths);
    }

    /** HMC form: always with a decimal point, no trailing zeros beyond the first ({@code 0.3}, {@code 2.0}). */
    @Override
    public String toString() {
        int whole = hundredths / 100;
        int frac = hundredths % 100;
        if (frac == 0) {
            return whole + ".0";
        }
        return frac % 10 == 0 ? whole + "." + frac / 10 : whole + "." + (frac < 10 ? "0" : "") + frac;
    }
}
