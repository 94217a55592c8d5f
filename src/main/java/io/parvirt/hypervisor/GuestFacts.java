package io.parvirt.hypervisor;

import java.util.List;

/** What the guest agent reports: OS, kernel and addresses. */
public record GuestFacts(String osName, String kernelRelease, List<String> ipv4) {
    public static final GuestFacts UNKNOWN = new GuestFacts("Unknown", "", List.of());

    /** The HMC's {@code os_version} form, e.g. {@code Linux/Debian 6.1.0-28-cloud-amd64}. */
    public String osVersion() {
        return osName.equals("Unknown") ? osName : osName + " " + kernelRelease;
    }
}
