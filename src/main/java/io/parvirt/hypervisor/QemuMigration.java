package io.parvirt.hypervisor;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parvirt.hypervisor.qmp.Qmp;
import io.parvirt.hypervisor.qmp.QmpException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * The QMP side of a live migration, for a supervisor's migration jobs. The order of steps:
 *
 * <pre>
 *   target daemon                 target QEMU          source QEMU              source daemon
 *   launch -S -incoming defer ───▶ (inmigrate)
 *   migrate-incoming tcp:H:0 ────▶ listens on H:P
 *        ◀──────────── P (query-migrate socket-address)
 *                                                                  ◀── migrate-set-capabilities
 *                                                                       (events, auto-converge)
 *                                                                  ◀── migrate tcp:H:P
 *                                  ◀═══ RAM, dirty pages again ═══ active   query-migrate on each MIGRATION
 *                                                                           event, or every 50 ms
 *                                  ◀═══ rest + device state ══════ paused   (bytes sent / left)
 *                                  running                        completed (postmigrate)
 *   query-migrate completed ─────▶ cont (-S: only its daemon starts it), announce-self (RARP per NIC)
 *   Running (agent looked for)                                     ◀── quit: reclaimed (or cont,
 *                                                                       if the target failed)
 * </pre>
 *
 * <p><b>Auto-converge, not post-copy.</b> Pre-copy re-sends what the guest dirties; when it
 * dirties faster than the link carries, auto-converge throttles the guest's vCPUs until the rest
 * fits in the downtime limit. Post-copy would resume the guest on the target at once and fetch
 * missing pages on fault; it needs every user of guest memory on the target to take those faults
 * (userfaultfd), which a vhost-user back end such as the switch's fast-path ports must implement
 * itself, and a link failure during post-copy loses the guest on both sides. Auto-converge keeps
 * the source whole until the very end, which is what {@code migrlpar -o s|r} promise.
 *
 * <p><b>TLS.</b> A stream between hosts is a TLS session with a pre-shared key ({@link StreamKey}):
 * both QEMUs load it from a {@code keys.psk} in their run directory (readable by the QEMU user,
 * removed when the stream is over), and QEMU refuses a peer without it. The key travels from the
 * source's daemon to the target's over the daemons' own authenticated channel.
 */
final class QemuMigration {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(QemuMigration.class);
    /**
     * How often progress is read between QEMU's MIGRATION events (which wake the wait at once):
     * often enough for lslparmigr's figures, rarely enough to cost nothing.
     */
    static final long POLL_MS = 50;
    /** How long a cancelled stream may take to be over (QEMU stops it at the next chunk). */
    static final long CANCEL_WAIT_MS = 30_000;

    /** The TLS credentials object's id in QEMU, one per process (a second migration reuses it). */
    private static final String TLS_ID = "mig-tls";

    /**
     * RFC 7919's ffdhe2048 group (as {@code openssl genpkey -genparam -algorithm DH -pkeyopt
     * group:ffdhe2048} prints it), given to the receiving QEMU as {@code dh-params.pem}: without the
     * file, QEMU generates 2048-bit DH parameters when the credentials are added, which took 0.3 to
     * 1.9 s of the destination's prepare step here (bench/migrate.sh). Written once ({@link #dhParams}).
     */
    private static final String FFDHE2048 = """
            -----BEGIN DH PARAMETERS-----
            MIIBCAKCAQEA//////////+t+FRYortKmq/cViAnPTzx2LnFg84tNpWp4TZBFGQz
            +8yTnc4kmz75fS/jY2MMddj2gbICrsRhetPfHtXV/WVhJDP1H18GbtCFY2VVPe0a
            87VXE15/V8k1mE8McODmi3fipona8+/och3xWKE2rec1MKzKT0g6eXq8CrGCsyT7
            YdEIqUuyyOP7uWrat2DX9GgdT0Kj3jlN9K5W7edjcrsZCwenyO4KbXCeAvzhzffi
            7MA0BM0oNC9hkXL+nOmFg/+OTxIy7vKBg8P+OxtMb61zO7X8vC7CIAXFjvGDfRaD
            ssbzSibBsu/6iGtCOGEoXJf//////////wIBAg==
            -----END DH PARAMETERS-----
            """;

    private final Qmp qmp;
    private final MigrationSignal signal;
    private final Path keyDir;
    private final String qemuUser;

    /** {@code keyDir}: where the stream's {@code keys.psk} is written for QEMU ({@code qemuUser} null: QEMU runs as the daemon). */
    QemuMigration(Qmp qmp, MigrationSignal signal, Path keyDir, String qemuUser) {
        this.qmp = qmp;
        this.signal = signal;
        this.keyDir = keyDir;
        this.qemuUser = qemuUser;
    }

    /**
     * Source: streams to {@code order.uri()} and returns QEMU's last look (status {@code completed},
     * {@code failed} or {@code cancelled}). Interrupted, it cancels the stream and returns once QEMU
     * says it is over; the guest then runs on here.
     */
    Qmp.MigrationInfo send(MigrationOrder order) throws IOException {
        long t0 = System.nanoTime();
        Map<String, Boolean> caps = new LinkedHashMap<>();
        caps.put("events", true);
        caps.put("auto-converge", true);
        qmp.migrateSetCapabilities(caps);
        ObjectNode params = JsonNodeFactory.instance.objectNode().put("max-bandwidth", order.maxBandwidth());
        // "" turns TLS off again in a QEMU whose earlier migration used it
        params.put("tls-creds", order.key() == null ? "" : credentials(order.key(), false));
        qmp.migrateSetParameters(params);
        // QEMU's own word that the stream will be TLS, before a byte of guest memory leaves
        String creds = qmp.queryMigrateParameters().path("tls-creds").asText("");
        if (order.key() != null && !creds.equals(TLS_ID)) {
            forgetKey();
            throw new QmpException("GenericError", "QEMU did not take the stream's TLS credentials (tls-creds '"
                    + creds + "')");
        }
        try {
            long t1 = System.nanoTime();
            qmp.migrate(order.uri());
            long t2 = System.nanoTime();
            Qmp.MigrationInfo info = follow(order);
            // QEMU's own times read at its completed event are often 0: it records them just after
            LOG.debug("outgoing migration: set up {} us (TLS {}), migrate {} us, to {} seen {} ms (QEMU's "
                    + "total-time {} ms, downtime {} ms)", (t1 - t0) / 1000, order.key() != null, (t2 - t1) / 1000,
                    info.status(), (System.nanoTime() - t2) / 1_000_000, info.totalTimeMs(), info.downtimeMs());
            return info;
        } finally {
            forgetKey();
        }
    }

    private Qmp.MigrationInfo follow(MigrationOrder order) throws IOException {
        while (true) {
            Qmp.MigrationInfo info;
            long seen = signal.count();
            try {
                info = qmp.queryMigrate();
            } catch (QmpException e) {
                if (!e.errorClass().equals("Interrupted")) {
                    throw e;
                }
                return cancel(order);
            }
            order.progress().accept(info);
            if (info.over()) {
                return info;
            }
            try {
                signal.await(seen, POLL_MS);
            } catch (InterruptedException e) {
                return cancel(order);
            }
        }
    }

    /** migrate_cancel, then the wait for QEMU to say the stream is over (not interruptible: the job's last word). */
    private Qmp.MigrationInfo cancel(MigrationOrder order) throws IOException {
        Thread.interrupted();
        qmp.migrateCancel();
        long deadline = System.nanoTime() + CANCEL_WAIT_MS * 1_000_000;
        while (true) {
            long seen = signal.count();
            Qmp.MigrationInfo info = qmp.queryMigrate();
            order.progress().accept(info);
            if (info.over() || System.nanoTime() > deadline) {
                return info;
            }
            try {
                signal.await(seen, POLL_MS);
            } catch (InterruptedException e) {
                Thread.interrupted(); // already cancelling
            }
        }
    }

    /**
     * Target: listens on {@code uri} ({@code tcp:HOST:0}: a port of the kernel's choosing, told to
     * {@code listening}; {@code unix:PATH}: that socket, 0 told), waits until the whole stream has
     * arrived and the guest runs, then has its NICs announce themselves so that switches learn
     * their new port at once.
     */
    void receive(String uri, StreamKey key, Runnable beforeRun, IntConsumer listening)
            throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        qmp.migrateSetCapabilities(Map.of("events", true));
        if (key != null) {
            qmp.migrateSetParameters(JsonNodeFactory.instance.objectNode().put("tls-creds", credentials(key, true)));
        }
        LOG.debug("incoming migration: set up {} us (TLS {})", (System.nanoTime() - t0) / 1000, key != null);
        try {
            receiveStream(uri, beforeRun, listening);
        } finally {
            forgetKey();
        }
    }

    /**
     * Writes the key where QEMU reads it and loads it as QEMU's credentials; their id. The file
     * stays until the stream is over: a server's GnuTLS reads it at the handshake, not before.
     */
    private String credentials(StreamKey key, boolean server) throws IOException {
        Path dir = keyDir.resolve("migration-tls");
        Files.createDirectories(dir);
        Path file = dir.resolve("keys.psk");
        // rw-------, then the QEMU user's group may read; not forced to disk: the key is for this stream
        // alone, removed when it is over, and a host that crashes meanwhile has no stream left to key
        io.parvirt.durable.AtomicFile.replaceVolatile(file, key.pskLine());
        if (qemuUser != null) {
            QemuUser.grant(qemuUser, file, false);
        }
        if (server) {
            dhParams(dir.resolve("dh-params.pem"));
        }
        try {
            qmp.objectDel(TLS_ID);
        } catch (QmpException e) {
            // none yet: the first migration of this QEMU
        }
        qmp.addTlsPskCredentials(TLS_ID, dir.toString(), server, StreamKey.IDENTITY, StreamKey.TLS_PRIORITY);
        return TLS_ID;
    }

    /**
     * The DH parameters where QEMU reads them ({@code dh}): a hard link to one file the daemon
     * writes once beside its run root ({@code migration-dh-params.pem}, not in the run root, whose
     * entries are partitions' directories), so a migration only links it; written in place if a
     * link cannot be made. The parameters are public (RFC 7919), so sharing the file shares nothing.
     */
    private void dhParams(Path dh) throws IOException {
        if (Files.isRegularFile(dh)) {
            return; // an earlier migration into this QEMU
        }
        Path shared = keyDir.toAbsolutePath().getParent().resolveSibling("migration-dh-params.pem");
        try {
            synchronized (QemuMigration.class) {
                if (!Files.isRegularFile(shared) || !Files.readString(shared).equals(FFDHE2048)) {
                    io.parvirt.durable.AtomicFile.replace(shared, FFDHE2048);
                    if (qemuUser != null) {
                        QemuUser.grant(qemuUser, shared, false);
                    }
                }
            }
            Files.createLink(dh, shared);
        } catch (IOException | UnsupportedOperationException e) {
            io.parvirt.durable.AtomicFile.replace(dh, FFDHE2048);
            if (qemuUser != null) {
                QemuUser.grant(qemuUser, dh, false);
            }
        }
    }

    private void forgetKey() {
        try {
            Files.deleteIfExists(keyDir.resolve("migration-tls").resolve("keys.psk"));
        } catch (IOException e) {
            // the run directory goes with the partition's QEMU
        }
    }

    private void receiveStream(String uri, Runnable beforeRun, IntConsumer listening)
            throws IOException, InterruptedException {
        signal.forgetStatus();
        qmp.migrateIncoming(uri);
        Qmp.MigrationInfo info = qmp.queryMigrate();
        if (uri.startsWith("tcp:") && info.incomingPort() == 0) {
            throw new QmpException("Protocol", "the incoming migration named no listening port");
        }
        listening.accept(uri.startsWith("tcp:") ? info.incomingPort() : 0);
        while (true) {
            long seen = signal.count();
            // QEMU's MIGRATION event said completed: no query-migrate round trip before the cont
            String status = "completed".equals(signal.status()) ? "completed" : null;
            if (status == null) {
                info = qmp.queryMigrate();
                if (info.status().equals("failed")) {
                    throw new QmpException("MigrationFailed", "the incoming migration failed: " + info.error());
                }
                status = info.status();
            }
            if (status.equals("completed")) {
                // Started with -S (QemuCommandLine.incoming): the guest runs here only once its daemon
                // says so. QEMU is paused from before it says completed, so cont goes at once: every
                // round trip here is downtime (the source's guest is stopped already). Only a refused
                // cont asks what state QEMU is in.
                long done = "completed".equals(signal.status()) ? signal.statusAt() : System.nanoTime();
                try {
                    beforeRun.run();
                } catch (RuntimeException e) {
                    throw new IOException("the partition could not be readied to run here: " + e.getMessage(), e);
                }
                boolean running;
                try {
                    qmp.cont();
                    running = true;
                } catch (QmpException e) {
                    running = qmp.status().equals("running");
                }
                if (running) {
                    long resumed = System.nanoTime();
                    qmp.announceSelf();
                    LOG.debug("incoming migration: QEMU's completed (event or query) to cont done {} us, "
                            + "announce-self {} us", (resumed - done) / 1000, (System.nanoTime() - resumed) / 1000);
                    return;
                }
            }
            signal.await(seen, POLL_MS);
        }
    }

    /**
     * The running configuration as a launch: the vCPUs QEMU has plugged and the virtio-mem
     * device's requested size, read from QEMU itself (after DLPAR, what the run record says of the
     * guest is what it uses, not what QEMU holds).
     */
    LaunchSpec current(LaunchSpec spec) throws IOException {
        int vcpus = qmp.vcpus().size();
        long mem = spec.bootMemMb();
        for (Qmp.VirtioMem m : qmp.virtioMem()) {
            if (m.id().equals(QemuCommandLine.VIRTIO_MEM_ID)) {
                mem += m.requestedSize() >> 20;
            }
        }
        return spec.current(vcpus, mem);
    }

    /**
     * After a completed stream whose target then failed: the source's paused guest runs on here.
     * QEMU announces the stream completed before its migration thread moves the run state from
     * {@code finish-migrate} to {@code postmigrate}, and refuses {@code cont} in between ("Migration
     * is not finalized yet"); a target that fails at once (its daemon gone) lands in that window,
     * the more so on a loaded host, and the guest would stay stopped while listed Running.
     */
    void resume() throws IOException {
        long deadline = System.nanoTime() + FINALIZE_WAIT_NS;
        while (qmp.status().equals("finish-migrate") && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10); // a rare path, and QEMU sends no event for this run-state change
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while QEMU finalized the migration", e);
            }
        }
        qmp.cont();
    }

    /** How long a resume waits for QEMU to finalize a completed stream (its migration thread's last step). */
    private static final long FINALIZE_WAIT_NS = 30_000_000_000L;
}
