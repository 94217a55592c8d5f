package io.parvirt.vswitch;

import java.time.Duration;

/**
 * One entry of a switch's address table, as {@link VirtualSwitch#macTable()} shows it: the
 * address (48 bits), the port it leads to, and whether it was learned (then {@code age} is the
 * time since its address last sent) or is the port's own configured address ({@code age} zero).
 */
public record MacEntry(int vlan, long mac, String port, boolean learned, Duration age) {
    /** The address as the HMC writes it: 12 upper-case hex digits. */
    public String macText() {
        return String.format("%012X", mac);
    }
}
