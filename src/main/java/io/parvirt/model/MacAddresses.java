package io.parvirt.model;

/**
 * The MAC address parvirt gives a virtual Ethernet adapter that names none: the system's 3-byte
 * prefix, then the partition id and the adapter's slot as three hex digits each (the layout of a
 * captured HMC: {@code 26E6B0} + {@code 002} + {@code 007} for partition 2, slot 7), so an address
 * is unique in the system and the same at every activation. An adapter in a slot above 4095 needs
 * a {@code mac_addr} of its own.
 */
public final class MacAddresses {
    public static final int MAX_AUTO_SLOT = 0xFFF;

    private MacAddresses() {
    }

    /** 12 upper-case hex digits, as the HMC shows {@code mac_addr}. */
    public static String assign(String prefix, int lparId, int slot) {
        if (slot > MAX_AUTO_SLOT) {
            throw new ModelException(ModelException.Kind.OUT_OF_RANGE, "mac_addr", "The virtual Ethernet adapter in "
                    + "slot " + slot + " of partition id " + lparId + " needs a mac_addr: parvirt assigns addresses "
                    + "only to slots up to " + MAX_AUTO_SLOT + ".");
        }
        return prefix + String.format("%03X%03X", lparId, slot);
    }

    /** The address as the 48 low bits of a long. */
    public static long toLong(String mac) {
        return Long.parseLong(mac.replace(":", ""), 16);
    }
}
