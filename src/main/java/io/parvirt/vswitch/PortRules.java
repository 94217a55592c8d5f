package io.parvirt.vswitch;

/**
 * What a port's configuration must be before it may attach, the virtual Ethernet adapter rules
 * of the HMC checked again at the switch so a bad caller fails at attach, not in forwarding.
 */
final class PortRules {
    private PortRules() {
    }

    static void check(PortConfig c) {
        if (c.name() == null || c.name().isBlank()) {
            throw new IllegalArgumentException("a virtual switch port needs a name");
        }
        if (!Dot1q.isUnicastAddress(c.mac())) {
            throw bad(c, "MAC address " + Long.toHexString(c.mac()) + " is not a 48-bit unicast address");
        }
        checkVlan(c, "port VLAN id", c.pvid());
        if (!c.ieee8021q() && !c.additionalVlans().isEmpty()) {
            throw bad(c, "additional VLANs need an IEEE 802.1Q adapter");
        }
        for (int v : c.additionalVlans()) {
            checkVlan(c, "additional VLAN id", v);
            if (v == c.pvid()) {
                throw bad(c, "additional VLAN " + v + " is also the port VLAN id");
            }
        }
        if (c.trunkPriority() < 0 || c.trunkPriority() > 15) {
            throw bad(c, "trunk priority must be 0 (not a trunk) or 1..15, not " + c.trunkPriority());
        }
    }

    private static void checkVlan(PortConfig c, String what, int v) {
        if (v < 1 || v > Dot1q.MAX_VID) {
            throw bad(c, what + " must be 1.." + Dot1q.MAX_VID + ", not " + v);
        }
    }

    private static IllegalArgumentException bad(PortConfig c, String why) {
        return new IllegalArgumentException("virtual switch port " + c.name() + ": " + why);
    }
}
