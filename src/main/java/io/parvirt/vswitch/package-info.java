/**
 * The POWER Hypervisor's virtual Ethernet: IEEE 802.1Q switches whose ports are partitions'
 * virtual Ethernet adapters (virtio-net in the guest) and trunk adapters that bridge VLANs to the
 * outside.
 *
 * <pre>
 *  QEMU -netdev stream ──► StreamPort ──► VirtualSwitch.receive ──► Egress ──► FrameSink.offer
 *   (one socket per NIC)      ▲   (transport)   (classify, check, learn,     (tag kept, inserted   │
 *                             │                  look up, flood)              or stripped)         │
 *                             └────────────────────────────── frames for the guest ◄──────────────┘
 *                      SwitchLoop: the one thread that runs all of it
 *
 *  host TAP (pvsea&lt;lpar&gt;-&lt;slot&gt;) ──► TapPort ──► VirtualSwitch.receive ... ──► TapPort.offer ──► TAP
 *   (a VIOS's trunk adapter)   (poll(2) thread wakes the loop once per batch; reads and writes on the loop)
 * </pre>
 *
 * <h2>The Shared Ethernet Adapter</h2>
 * A VIOS partition's trunk adapters are not given to its guest: parvirt's VIOS operating system
 * is its own storage server, so the daemon plays the SEA, bridging each trunk port to a persistent
 * TAP interface ({@link io.parvirt.vswitch.TapDevice}, opened with {@code TUNSETIFF} through the
 * FFM API) in the namespace and bridge {@link io.parvirt.vswitch.SeaSettings} name. The TAP is
 * made when the VIOS is activated (or re-adopted, reopening the interface a killed daemon left)
 * and deleted when it ends; its VLANs' next trunk by priority then becomes active, as an SEA
 * failover does. A standby trunk bridges nothing in either direction, so the outside's broadcasts
 * reach partitions once. The PVID's frames cross the TAP untagged and the additional VLANs' tagged,
 * as on any 802.1Q port: the host side uses VLAN sub-interfaces or a VLAN-aware bridge for those.
 *
 * The shape is the device back end's (STYLE.md §6): the codec ({@link io.parvirt.vswitch.Dot1q},
 * with the 802.1Q byte layout), the ports ({@link io.parvirt.vswitch.Port} in the switch, a
 * transport's {@link io.parvirt.vswitch.FrameSink} outside it), the loop, and the counters
 * ({@link io.parvirt.vswitch.PortCounters}, drops by {@link io.parvirt.vswitch.DropReason}).
 * {@link io.parvirt.vswitch.VirtualSwitch} states the forwarding rules; {@link io.parvirt.vswitch.Vlan}
 * how the active trunk is chosen; {@link io.parvirt.vswitch.MacTable} how addresses are kept.
 *
 * <h2>Decisions the issue left open</h2>
 * <ul>
 * <li>A frame tagged with VLAN id 0 (priority-tagged) is in the sender's PVID, from any port: IEEE
 *     802.1Q classifies it as untagged, and an adapter without 802.1Q may still mark priority. A
 *     frame tagged with the PVID by an 802.1Q port is in the PVID. Both are delivered like any
 *     frame of the PVID (a tagged member gets the VLAN id, with the frame's priority bits).</li>
 * <li>A tagged frame shorter than 18 bytes is RUNT (the tag is cut short; counted once, as RUNT).
 *     Stacked tags (0x8100 or 0x88A8 right after the tag) are MALFORMED_TAG.</li>
 * <li>Trunks never forward to each other (split horizon): two trunks on a VLAN bridge the same
 *     outside, so a frame between them could only loop. A standby trunk neither learns nor gets
 *     flooded frames; its own adapter address still reaches it.</li>
 * <li>Only the active trunk learns (partitions' ports may send only from their own, already known
 *     address). Unknown unicast goes to the active trunk too, so a learned entry never changes
 *     where a partition's frame goes; it is what the table shows ({@code VirtualSwitch.macTable}),
 *     what the per-port limit bounds, and it makes the trunk's frames to its own outside a
 *     NO_DESTINATION drop rather than an echo. Past the limit an address is not learned, the frame
 *     is still forwarded, and {@code PortCounters.macLimitExceeded} counts it.</li>
 * <li>A broadcast in a VLAN with no other member reaches no one: not a drop.</li>
 * </ul>
 *
 * <h2>The vhost-user transport (issue 17)</h2>
 * {@code vswitch.transport=vhost-user}: {@link io.parvirt.vswitch.VhostUserPort} serves a guest
 * adapter as a vhost-user back end (QEMU {@code -chardev socket} + {@code -netdev vhost-user},
 * guest memory a shared memfd). {@link io.parvirt.vswitch.VhostUserSession} speaks the protocol
 * ({@link io.parvirt.vhost.VhostUser}, {@link io.parvirt.vswitch.VhostUserRequests}) on the port's
 * thread through {@link io.parvirt.vhost.Posix} (FFM: recvmsg/SCM_RIGHTS, mmap, eventfd, poll);
 * the data path runs on the switch loop: {@link io.parvirt.vhost.Virtqueue} walks the guest's split
 * rings with every descriptor checked against {@link io.parvirt.vhost.GuestMemory}, and the
 * virtio-net header ({@link io.parvirt.vswitch.NetHeader}) goes with the frame through
 * {@code VirtualSwitch.receive}, so checksum and TSO cross between vhost-user ports; a port that
 * cannot take them gets the work done by {@link io.parvirt.vswitch.Offload}.
 *
 * <p>Migration and memory DLPAR: the port offers VHOST_F_LOG_ALL with PROTOCOL_F_LOG_SHMFD, so QEMU
 * sets no migration blocker; while QEMU logs, every guest page the switch writes (receive buffers,
 * used rings) is marked in the shared {@link io.parvirt.vhost.DirtyLog}. PROTOCOL_F_RARP: after
 * the switch-over the target's QEMU sends SEND_RARP and the port broadcasts the guest's RARP into
 * its VLAN, so the other ports and, through the active trunk, the outside hear at once where the
 * guest is (GUEST_ANNOUNCE is not offered: see {@code VhostNet.NET_F_GUEST_ANNOUNCE}). The
 * arriving port itself was attached without its address
 * ({@code VirtualSwitch.attachArriving}): until that first frame here the guest runs on the source,
 * and frames for it leave through the trunk; with it the address becomes the port's fixed entry.
 * PROTOCOL_F_CONFIGURE_MEM_SLOTS: regions come and go one by one (ADD_MEM_REG, REM_MEM_REG), up to
 * {@code GuestMemory.MAX_REGIONS}.
 *
 * <p>A daemon restart: QEMU listens on the NIC's socket ({@code server=on}) and the port connects,
 * when the partition starts and again when a restarted daemon re-adopts it; QEMU replays the start
 * with each ring's used index as its base, so the guest's networking is back as soon as the daemon
 * is ({@link io.parvirt.vswitch.VhostUserSession}). The ports' counters are saved in the partition's
 * run directory ({@link io.parvirt.vswitch.CounterCheckpoint}) every few seconds and at a stop, and
 * a re-adopted partition's ports go on from them ({@code VirtualEthernet.resume}).
 *
 * <p>Notifications: the port offers VIRTIO_RING_F_EVENT_IDX ({@link io.parvirt.vhost.Virtqueue}):
 * the guest kicks the transmit queue only for the first chain after the switch found it empty, never
 * the receive queue (nothing waits for its buffers), and is interrupted only when the used index
 * crosses the index it asked for; without the feature the rings' flags do the same, less finely.
 *
 * <p>Not done yet: multi-queue, zero-copy transmit (a chain is copied once into the port's buffer).
 */
package io.parvirt.vswitch;
