/**
 * vhost-user back ends' device-independent half (QEMU docs/interop/vhost-user.rst): what a
 * process of parvirt's needs to serve a guest's virtio device from the guest's own memory, with
 * no copy through QEMU. Two devices use it: the virtual switch's Ethernet adapters
 * ({@code io.parvirt.vswitch}, virtio-net) and the VIOS storage server's disks
 * ({@code io.parvirt.vios.nbd}, virtio-blk).
 *
 * <pre>
 *  QEMU ──unix socket──► VhostUserChannel (one request at a time, SCM_RIGHTS descriptors, replies)
 *                          │ SET_MEM_TABLE / ADD_MEM_REG ──► GuestMemory (memfd regions mmap'd shared)
 *                          │ SET_VRING_*                 ──► Virtqueue   (split ring in guest memory)
 *                          │ SET_LOG_BASE                ──► DirtyLog    (migration's dirty bitmap)
 *                          └ everything through Posix (FFM: recvmsg/sendmsg, mmap, eventfd, poll)
 * </pre>
 *
 * What stays with each device: its feature bits, its configuration space, what a chain means, and
 * its threading (the switch changes a port's state only on its loop; the storage server serves a
 * disk's protocol and queue on one thread). Every guest-supplied address is checked by
 * {@link io.parvirt.vhost.GuestMemory} before it is touched, and a chain walk
 * ({@link io.parvirt.vhost.Virtqueue}) fails rather than throws: a malformed chain is the device's
 * to drop and count.
 */
package io.parvirt.vhost;
