package io.parvirt.vswitch;

import io.parvirt.vhost.VhostUser;

/**
 * What a virtual Ethernet adapter's vhost-user back end offers beyond the protocol
 * ({@link VhostUser}): virtio-net's feature bits and the two queues of its one queue pair.
 */
final class VhostNet {
    // virtio-net and virtio feature bits the port offers (virtio 1.x 5.1.3, 6).
    static final int NET_F_CSUM = 0;
    static final int NET_F_GUEST_CSUM = 1;
    static final int NET_F_GUEST_TSO4 = 7;
    static final int NET_F_GUEST_TSO6 = 8;
    static final int NET_F_GUEST_ECN = 9;
    static final int NET_F_HOST_TSO4 = 11;
    static final int NET_F_HOST_TSO6 = 12;
    static final int NET_F_HOST_ECN = 13;
    static final int NET_F_MRG_RXBUF = 15;
    /**
     * The guest announcing itself (gratuitous ARP and neighbour advertisements from each of its
     * addresses and VLAN interfaces) when QEMU asks it to after a migration; QEMU serves it (its
     * control queue) but offers it to the guest only if the back end does, and then skips SEND_RARP.
     * Not offered: with it, a TCP stream between two TCG guests stalled (VhostUserEthernetTest, 2 runs
     * of 2; without it 1 of 1 passed), a cause not found yet. SEND_RARP announces the adapter's MAC in
     * its PVID, which is what the switch needs to learn a migrated guest at once; a guest's VLAN
     * interfaces are learned from their first frame.
     */
    static final int NET_F_GUEST_ANNOUNCE = 21;
    static final long FEATURES = VhostUser.bits(NET_F_CSUM, NET_F_GUEST_CSUM, NET_F_GUEST_TSO4, NET_F_GUEST_TSO6,
            NET_F_GUEST_ECN, NET_F_HOST_TSO4, NET_F_HOST_TSO6, NET_F_HOST_ECN, NET_F_MRG_RXBUF,
            VhostUser.RING_F_EVENT_IDX, VhostUser.F_LOG_ALL, VhostUser.F_PROTOCOL_FEATURES, VhostUser.F_VERSION_1);
    /** Guest offloads that let the switch hand it a frame with work left (all or none, for simplicity). */
    static final long GUEST_OFFLOADS = VhostUser.bits(NET_F_GUEST_CSUM, NET_F_GUEST_TSO4, NET_F_GUEST_TSO6);
    static final long PROTOCOL_FEATURES = VhostUser.bits(VhostUser.PROTOCOL_F_LOG_SHMFD, VhostUser.PROTOCOL_F_RARP,
            VhostUser.PROTOCOL_F_REPLY_ACK, VhostUser.PROTOCOL_F_CONFIGURE_MEM_SLOTS);
    /** The receive queue (device writes, guest reads) and the transmit queue of the one queue pair. */
    static final int RX = 0;
    static final int TX = 1;

    private VhostNet() {
    }
}
