package io.parvirt.vswitch;

/**
 * Why the switch did not deliver a frame. The first group is counted on the port that sent the
 * frame, the last two on the port that could not take it.
 */
public enum DropReason {
    /** Shorter than an Ethernet header (14 bytes), or than an 802.1Q-tagged one (18 bytes). */
    RUNT,
    /** Longer than {@link SwitchSettings#maxFrameSize()} untagged, or 4 bytes more tagged. */
    OVERSIZED,
    /** An 802.1Q tag with the reserved VLAN id 4095, or stacked tags (Q-in-Q is not carried). */
    MALFORMED_TAG,
    /** A tag the port may not send: a VLAN it is not a member of, or any VLAN tag from a port without 802.1Q. */
    VLAN_NOT_PERMITTED,
    /** A partition's port sent from a source address other than its adapter's own. */
    SPOOFED_SOURCE,
    /** A trunk sent from a group (multicast, broadcast) or all-zero source address, which no station owns. */
    INVALID_SOURCE,
    /**
     * A trunk that is not its VLAN's active trunk sent a frame: a standby Shared Ethernet Adapter
     * does not bridge, or the outside's broadcasts would reach partitions once per trunk.
     */
    STANDBY_TRUNK,
    /** Unicast that has nowhere to go: unknown and no active trunk, or only back to its sender. */
    NO_DESTINATION,
    /**
     * A guest's descriptor chain the switch would not follow (vhost-user): a descriptor outside
     * the guest's memory, out of range, in a loop, the wrong direction, indirect, or too long; or
     * a ring index no ring can have. Counted on the guest's port; the frame is lost.
     */
    MALFORMED_CHAIN,
    /** The receiving port's sink refused the frame: its queue was full. */
    QUEUE_FULL,
    /** The receiving port's sink threw. */
    PORT_FAILED
}
