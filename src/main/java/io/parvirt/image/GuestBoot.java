package io.parvirt.image;

/**
 * The contract between parvirt and the default image's init, both sides in one place.
 *
 * <p>parvirt passes, on the kernel command line:
 * <ul>
 * <li>{@code parvirt.hostname=NAME}: the guest's host name (see {@link #hostnameOf});
 * <li>{@code parvirt.ip=IFACE:ADDR/PREFIX[:GATEWAY]}: IPv4 addresses, comma separated, the argument
 * may be repeated, e.g. {@code parvirt.ip=eth0:10.0.0.5/24:10.0.0.1,eth1:192.168.7.5/24};
 * <li>{@code parvirt.vlans=IFACE.VID:ADDR/PREFIX[:GATEWAY]}: 802.1Q sub-interfaces on a virtual
 * Ethernet adapter, same syntax, e.g. {@code parvirt.vlans=eth0.100:10.1.0.5/24}.
 * </ul>
 * Interfaces are the kernel's names in probe order ({@code eth0} is the first virtio-net adapter);
 * there is no udev renaming in the guest.
 *
 * <p>The guest answers with exactly one line {@code PARVIRT-READY host=NAME} on the serial console
 * once its modules are loaded, its network is set and the guest agent has been started (the agent
 * answering is the proof of "Running"; the line is the proof the init got that far). A panic shows as
 * a line containing {@link #PANIC_TEXT}.
 */
public final class GuestBoot {
    public static final String READY_PREFIX = "PARVIRT-READY";
    /** What the kernel prints on a panic ("Kernel panic - not syncing: ..."). */
    public static final String PANIC_TEXT = "Kernel panic";
    public static final String HOSTNAME_ARG = "parvirt.hostname";
    public static final String IP_ARG = "parvirt.ip";
    public static final String VLANS_ARG = "parvirt.vlans";

    private GuestBoot() {
    }

    /**
     * The kernel command line for a partition.
     *
     * <ul>
     * <li>{@code console=ttyS0}: the partition's virtual console is its first serial port; it is
     * also /dev/console, where the init writes the ready line.
     * <li>{@code quiet}: printing to an emulated UART is slow under TCG, and nobody reads the boot log
     * of a healthy partition; panics and warnings still print (quiet keeps loglevel 4).
     * <li>{@code swiotlb=noforce}: virtio devices need no bounce buffer, and its 64 MB would be
     * missing from the partition's memory (a 256 MB partition would see 150 MB).
     * <li>{@code no_timer_check}: on a loaded host an emulated guest can miss the kernel's early
     * IO-APIC timer check and panic ("IO-APIC + timer doesn't work!"), seen with 20 TCG partitions
     * starting on 2 cores; virtual machines do not need the check.
     * <li>{@code panic=0}: on a panic the kernel prints "Kernel panic - not syncing" and then stays
     * halted: it never reboots, whatever flags QEMU was started with, so a broken image cannot boot
     * in a loop. parvirt sees the text (and, when QEMU has a pvpanic device, whose guest driver the
     * image loads, the GUEST_PANICKED event) and stops the partition in Error. A value of -1 would
     * reboot at once and loop unless QEMU also had {@code -no-reboot}.
     * <li>{@code memhp_default_state=online_movable}: memory DLPAR adds memory through virtio-mem,
     * and the image has no udev to bring hot-added memory online; the kernel does it at once, into
     * ZONE_MOVABLE, where nothing unmovable is placed, so the same memory can be removed again.
     * </ul>
     *
     * @param hostname the partition's name; the guest's host name is {@link #hostnameOf} it, which
     *     leaves a legal host name as it is
     * @param extra further arguments (network settings, ...), may be empty
     */
    public static String kernelCmdline(String hostname, String extra) {
        String tail = extra == null ? "" : extra.strip();
        if (tail.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("kernel arguments contain a control character");
        }
        String base = "console=ttyS0 quiet panic=0 swiotlb=noforce no_timer_check memhp_default_state=online_movable "
                + HOSTNAME_ARG + "=" + hostnameOf(hostname);
        return tail.isEmpty() ? base : base + " " + tail;
    }

    /** The ready line the init prints for this host (or partition) name, without the line ending. */
    public static String readyLine(String hostname) {
        return READY_PREFIX + " host=" + hostnameOf(hostname);
    }

    /**
     * The host name of a partition: HMC partition names may hold blanks and other characters that a
     * host name may not, and the init reads the name back by splitting /proc/cmdline on blanks, so
     * each such character becomes '-'; leading punctuation goes and the result is cut to 63.
     */
    public static String hostnameOf(String partitionName) {
        if (partitionName == null) {
            throw new IllegalArgumentException("no partition name");
        }
        String h = partitionName.replaceAll("[^A-Za-z0-9._-]", "-").replaceAll("^[._-]+", "");
        h = h.length() > 63 ? h.substring(0, 63) : h;
        return h.isEmpty() ? "lpar" : h;
    }
}
