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
 * <h2>Adding a vhost-user port</h2>
 * The forwarding core knows nothing of sockets: a transport calls {@code receive(port, buffer)}
 * and implements {@code FrameSink}. A vhost-user back end (QEMU {@code -chardev socket} +
 * {@code -netdev vhost-user}) moves frames through the guest's own virtqueues in shared memory, so
 * frames cross without a syscall each. What that port needs:
 * <ul>
 * <li>The vhost-user protocol on the Unix socket: GET_FEATURES / SET_FEATURES (VIRTIO_F_VERSION_1,
 *     VIRTIO_NET_F_MRG_RXBUF, VIRTIO_RING_F_EVENT_IDX), GET_PROTOCOL_FEATURES /
 *     SET_PROTOCOL_FEATURES, SET_OWNER, SET_MEM_TABLE, SET_VRING_NUM / ADDR / BASE / KICK / CALL /
 *     ERR / ENABLE, GET_VRING_BASE (the queue stops), RESET_OWNER, and SET_LOG_BASE / SET_LOG_FD
 *     with dirty logging so live partition mobility can migrate the guest. Several messages carry
 *     file descriptors (SCM_RIGHTS), which {@code SocketChannel} cannot receive: the port needs
 *     {@code recvmsg}/{@code sendmsg} through the FFM API ({@code java.lang.foreign}).</li>
 * <li>Memory regions: SET_MEM_TABLE gives each region's guest-physical address, size, QEMU
 *     virtual address and an fd; the port {@code mmap}s them (FFM) into {@code MemorySegment}s and
 *     translates descriptor addresses (guest-physical) and ring addresses (QEMU-virtual) into
 *     segment offsets. A {@code ByteBuffer} view of each region is made once at mapping time and
 *     only repositioned per frame, so {@code receive} keeps its signature and allocates nothing.</li>
 * <li>Virtqueues: for the guest's TX queue, walk the available ring, hand each descriptor chain
 *     (after the 12-byte virtio-net header) to {@code receive}, copying into a port buffer only
 *     when a frame spans descriptors, then fill the used ring. {@code FrameSink.offer} writes the
 *     header and frame into the next RX descriptors, returning false when none are available
 *     (QUEUE_FULL). Ring indices are read and written with acquire/release ordering: the guest
 *     runs concurrently.</li>
 * <li>Eventfds: the kick fd (guest posted buffers) wakes the loop and the call fd interrupts the
 *     guest. No syscall per frame: drain a whole batch per kick, write each call fd once per batch
 *     (as {@code StreamPort.flush} does per loop turn), and suppress kicks while polling with
 *     EVENT_IDX. A {@code Selector} cannot watch an eventfd, so the switch loop waits in
 *     {@code epoll} through FFM instead (the stream sockets' fds with the eventfds), keeping every
 *     switch on its one thread.</li>
 * </ul>
 */
package io.parvirt.vswitch;
