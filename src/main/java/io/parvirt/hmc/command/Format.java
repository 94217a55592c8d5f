package io.parvirt.hmc.command;

/**
 * How a listing is printed: {@code -F} (null when absent, empty for a bare {@code -F}: every
 * attribute, values only) and {@code --header}.
 */
public record Format(String fields, boolean header) {
    /** {@code name=value} pairs, every attribute: what the API asks for. */
    public static final Format PAIRS = new Format(null, false);
}
