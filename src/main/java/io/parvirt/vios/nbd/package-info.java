/**
 * The Virtual I/O Server's data path: parvirt's own NBD server, which serves each mapping of a
 * backing device (a sparse file in a storage pool) to exactly the client partition it is mapped
 * to. The client's QEMU connects with {@code nbd+unix:///NAME?socket=PATH} and shows the guest a
 * virtio-scsi disk.
 *
 * <pre>
 *  client QEMU ──► DIR/NAME.sock (rw-------, one per mapping) ──► Endpoint (accept loop)
 *                                                                    │ one platform thread per connection
 *                    Connection: Handshake (options) ──► Transmission (requests ──► pread/sendfile/pwrite/fdatasync/fallocate)
 *                                                          └─ SocketWait (non-blocking socket: poll, then select)
 *                                                                    │ ──► BackingFile (size, flags, fallocate)
 *                                 counters: ExportCounters (requests, bytes, RequestError, CloseReason)
 * </pre>
 *
 * The shape is the device back end's (STYLE.md §6): the codec ({@link io.parvirt.vios.nbd.Protocol},
 * with the NBD byte layouts), the connection ({@link io.parvirt.vios.nbd.Connection}, with
 * {@link io.parvirt.vios.nbd.Handshake} and {@link io.parvirt.vios.nbd.Transmission}), the loop
 * ({@link io.parvirt.vios.nbd.Endpoint}) and the counters ({@link io.parvirt.vios.nbd.ExportCounters}).
 * {@link io.parvirt.vios.nbd.NbdServer} holds the endpoints; {@link io.parvirt.vios.nbd.NbdServerMain}
 * runs them as a process of their own, the VIOS partition's "operating system": it follows an
 * {@link io.parvirt.vios.nbd.ExportsFile} the host daemon rewrites (SIGHUP: re-read it), signals
 * readiness with a pid file, and shows its status lines on a console socket.
 *
 * <h2>Decisions the issue left open</h2>
 * <ul>
 * <li><b>Isolation.</b> Each export has its own socket, and a socket serves only its export: NBD_OPT_GO
 *     or NBD_OPT_INFO for any other name is refused with NBD_REP_ERR_UNKNOWN, NBD_OPT_LIST shows only
 *     this export, and the empty (default) name means this socket's export. The socket file is
 *     {@code rw-------}, given its mode before it gets its name (see {@code Endpoint}). File modes
 *     keep out other users; processes of the server's own user (and root) are kept to their mapping
 *     by being handed only its socket's path.</li>
 * <li><b>Durability.</b> FLUSH is {@code fdatasync} on the backing file, and a request with FUA is
 *     followed by one before its reply. The server keeps no cache of its own: every write goes to
 *     the file (the kernel's page cache) before its reply, so a FLUSH on any connection covers the
 *     writes completed on all of them, and CAN_MULTI_CONN is advertised. Stopping an export syncs
 *     its file.</li>
 * <li><b>TRIM</b> punches a hole ({@code fallocate(PUNCH_HOLE | KEEP_SIZE)} through the FFM API), giving
 *     the blocks back to the pool; where the file system cannot, TRIM is accepted and does nothing,
 *     as a hint may. <b>WRITE_ZEROES</b> punches a hole too, or with NO_HOLE zeroes the range in
 *     place ({@code ZERO_RANGE}), and writes zeros only where neither works. FAST_ZERO is advertised
 *     and refused with ENOTSUP exactly when zeros would have to be written.</li>
 * <li><b>Replies</b> are simple replies, in request order; structured replies are declined (a READ of a
 *     hole sends zeros). A client may pipeline as many requests as it likes: they are read in
 *     batches and answered in batches (see {@code Transmission}).</li>
 * <li><b>Large requests</b> (issue 17). A READ of 64 KiB or more is sent with {@code sendfile(2)}
 *     ({@code FileChannel.transferTo} on the socket), each run of blocks from the snapshot layer
 *     that holds it ({@code Overlay.sources}): the kernel hands page-cache pages to the Unix socket
 *     by reference, so the only copy left is the client QEMU's receive into guest memory, the one
 *     copy a directly attached file costs too, and it overlaps with the sending. (By reference: a
 *     WRITE to the same blocks that completes before the client has received the reply may show in
 *     it, as it may when the two requests are in flight together, which NBD does not order.) Each connection's
 *     socket has a 4 MiB send buffer (bounded by {@code net.core.wmem_max}), so several 1 MiB replies
 *     are handed over without the thread waking for every 208 KiB. A WRITE longer than 64 KiB is
 *     written in pieces as they arrive, spliced from the socket into the file through a pipe of
 *     the connection's ({@code PayloadPipe}: one copy, into the page cache, where reading into the
 *     buffer and writing from it made two), or, on a device with snapshot layers or a move in
 *     progress, through the buffer in 4 KiB-aligned pieces of at least 64 KiB. Measured with QEMU's NBD
 *     client: {@code bench/guest-fio.sh} (fio in a guest, against the file attached directly).</li>
 * <li><b>Bad input.</b> A request that can be answered is answered with an error and counted, and the
 *     connection goes on; one that leaves the stream unreadable (no magic, a WRITE over 32 MiB) ends
 *     that connection only, as does a READ whose file fails or is shortened after its header went.
 *     A WRITE of up to 64 KiB reaches the file whole or not at all when the client goes in the
 *     middle; a longer one may be written in part, which a client that got no reply cannot tell
 *     from a disk's torn write. Nothing is lost that was replied to.</li>
 * <li><b>Threads.</b> One platform thread per connection; connections share nothing but the
 *     export's counters and the kernel's page cache of the file. In transmission the socket is
 *     non-blocking with a selector of the connection's own, and the thread polls up to 32 us for
 *     the next request before it sleeps, adaptively, as QEMU's iothreads do ({@code SocketWait}):
 *     at queue depth 1 a sleeping thread's wake-up costs more than the request.</li>
 * <li><b>Changing exports.</b> The process outlives the host daemon, so the daemon does not hold the list
 *     of exports in memory of the server's: it rewrites a file (atomically) and sends SIGHUP, and the
 *     server makes its exports equal to the file's, touching only the ones that changed. An export
 *     whose backing file is missing is reported and skipped, not fatal: every other client of the VIOS
 *     keeps its disk, and the next reload tries it again.</li>
 * <li><b>Snapshots</b> (issue 19, {@link io.parvirt.vios.nbd.Overlay}): a read-write device with
 *     snapshots is served through copy-on-write layers of parvirt's own in {@code .NAME.snap/}
 *     beside its file (the file frozen as the base, one sparse delta file and one written-block
 *     bitmap per layer, 4 KiB blocks, a {@code chain} file replaced atomically); one without is
 *     served straight from its file as before, and every request holds the device's I/O lock
 *     shared so that a snapshot can pause it. Bits reach the bitmap only after their data is
 *     synced, so a crash never shows a block without its data; a deleted snapshot's boundary is
 *     merged after its name is gone and before the merged layer's files go, so a crash mid-merge
 *     is finished at the next open. The running server takes requests for them on
 *     {@code --control-socket} ({@link io.parvirt.vios.nbd.SnapshotControl}); a device not served
 *     is changed by opening its overlay directly. The pause: the top's last flush and the chain's
 *     rewrite, about 25 ms at 4 and 16 GiB alike on this host (bench/RESULTS.md). A device's layers are
 *     read again when its first client connects (another VIOS may have served it: mobility), and on
 *     the control socket's {@code refresh} (a live migration's destination, whose client connected
 *     while the source's server still wrote the top layer: asked before the guest runs there).
 *     A snapshot is refused when its pool cannot hold the new layer (the host daemon's check,
 *     {@code vios.PoolRoom}: the device's data against the pool's free space and its file system's).</li>
 * <li><b>Moving a device to another file</b> (issue 19, disk migration between pools,
 *     {@link io.parvirt.vios.nbd.DiskMove}): asked on the control socket; the server copies the
 *     device's data extents into the new file, one 1 MiB chunk at a time under the device's I/O
 *     lock, and mirrors every write, TRIM and WRITE_ZEROES of its clients to it; once synced the
 *     daemon commits it and the export is served from the new file. Only a device without
 *     snapshots moves, and no snapshot is taken while it does.</li>
 * <li><b>Transport.</b> Unix sockets only: the mapping's isolation rests on the socket file. A TCP
 *     listener would need its own check of who the client is.</li>
 * <li><b>vhost-user-blk</b> (issue 17: QEMU's copy of every payload into the NBD socket was what
 *     kept 1 MiB writes at half the directly attached file's speed). Each read-write export is
 *     also served on {@code DIR/NAME.vhost} by a {@link io.parvirt.vios.nbd.BlkDevice}: one
 *     platform thread that accepts QEMU's connection, answers its vhost-user requests
 *     ({@code io.parvirt.vhost}) and serves the guest's virtqueue
 *     ({@link io.parvirt.vios.nbd.BlkQueue}, layouts in {@link io.parvirt.vios.nbd.VirtioBlk})
 *     with {@code pread}/{@code pwrite} straight between the file and the guest's mapped buffers.
 *     Both transports do a request's I/O through {@link io.parvirt.vios.nbd.DiskIo} (the file,
 *     the snapshot layers under the device's I/O lock, a move's mirror, the export's counters), so
 *     snapshots, moves and counters see one disk. Requests run one after another on that thread;
 *     a malformed chain fails alone ({@link io.parvirt.vios.nbd.RequestError#MALFORMED_CHAIN}).</li>
 * </ul>
 */
package io.parvirt.vios.nbd;
