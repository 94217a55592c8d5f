package io.parvirt.vswitch;

/**
 * Where trunk adapters' TAP interfaces go (the Shared Ethernet Adapter's outside): {@code netns},
 * a network namespace file such as {@code /run/netns/NAME} to create them in, or null for the
 * daemon's own; {@code bridge}, a Linux bridge in that namespace to enslave them to, or null to
 * leave them standalone (up, with no address) for the administrator to wire.
 */
public record SeaSettings(String netns, String bridge) {
    public static final SeaSettings NONE = new SeaSettings(null, null);

    /** The TAP interface of trunk adapter {@code slot} of partition {@code lparId}: {@code pvsea2-7}. */
    public static String interfaceName(int lparId, int slot) {
        return "pvsea" + lparId + "-" + slot;
    }
}
