package io.parvirt.model;

import static io.parvirt.model.ModelException.Kind.INVALID_VALUE;

/** Hardware page table size as a fraction of maximum memory, written {@code 1:N}. */
public record HptRatio(int denominator) {
    public static final HptRatio DEFAULT = new HptRatio(64);
    public static final String POSSIBLE = "1:32,1:64,1:128,1:256,1:512";

    public HptRatio {
        if (denominator != 32 && denominator != 64 && denominator != 128 && denominator != 256
                && denominator != 512) {
            throw new IllegalArgumentException("hpt ratio 1:" + denominator);
        }
    }

    public static HptRatio parse(String attr, String value) {
        return switch (value) {
            case "1:32" -> new HptRatio(32);
            case "1:64" -> new HptRatio(64);
            case "1:128" -> new HptRatio(128);
            case "1:256" -> new HptRatio(256);
            case "1:512" -> new HptRatio(512);
            default -> throw new ModelException(INVALID_VALUE, attr, "The value " + Values.quote(value)
                    + " for attribute " + attr + " is not valid: it must be one of " + POSSIBLE + ".");
        };
    }

    @Override
    public String toString() {
        return "1:" + denominator;
    }
}
