package io.parvirt.hypervisor;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.parvirt.hypervisor.qmp.Qmp;
import io.parvirt.hypervisor.qmp.QmpException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The memory half of a partition snapshot (issue 19): QEMU's {@code background-snapshot}
 * migration capability, streamed to a file through the daemon as a suspend's is ({@link StateFile}).
 *
 * <pre>
 *   daemon (one monitor call, on the supervisor's thread)      QEMU
 *   stop ───────────────────────────────────────────────────▶ vCPUs stop (drained, flushed)
 *   atStop: the disk point (VIOS overlays, ~25 ms)
 *   migrate unix:snapshot.sock (background-snapshot on) ────▶ its thread: stop (already), device state
 *                                                              kept, RAM write-protected (userfaultfd),
 *                                                              vm_start: the guest runs again
 *   query-migrate every 50 ms ◀══ RAM as it was at the stop ══ a page the guest writes is sent first
 *   completed: the file renamed into place                     device state last, then EOF
 * </pre>
 *
 * <p>QEMU 7.2 starts the machine itself at the end of the background snapshot's setup, whether it
 * was running before or not (checked here: {@code stop}, then {@code migrate}: {@code running}
 * once the status is {@code active}), so the guest's pause is our {@code stop}, the disk point and
 * QEMU's setup; the RAM is written while it runs. {@code savevm} would instead keep it stopped for
 * the whole RAM. The capability is switched off after, or the next live migration would be one.
 *
 * <p><b>Without userfaultfd</b> QEMU refuses the capability ("not supported by host kernel"): a
 * QEMU confined to {@code qemu.user} may not open one while {@code vm.unprivileged_userfaultfd} is
 * 0 (QEMU 7.2 does not use {@code /dev/userfaultfd}). Then the memory is a live migration's stream
 * to the file (pre-copy, auto-converge): the guest runs while its RAM is sent and re-sent, QEMU
 * stops it for the last part (its downtime), and the disk point is taken in that stop, before
 * {@code cont}: the file is then the memory at the end, the disks at the same instant. The pause is
 * QEMU's downtime plus the disk point; the file holds the pages sent more than once.
 */
final class BackgroundSnapshot {
    private static final Logger LOG = LoggerFactory.getLogger(BackgroundSnapshot.class);
    private static final String SOCKET = "snapshot.sock";
    private static final long POLL_MS = 20;
    private static final Duration CLOSE = Duration.ofSeconds(60);
    private static final long FINALIZE_WAIT_NS = 30_000_000_000L;

    private final Hypervisor hypervisor;
    private final int lparId;

    BackgroundSnapshot(Hypervisor hypervisor, int lparId) {
        this.hypervisor = hypervisor;
        this.lparId = lparId;
    }

    /** Returns how long the guest was stopped (ms; QEMU's setup or downtime plus the disk point). */
    long take(LaunchSpec spec, Path file, Runnable atStop, long bandwidth, Duration timeout) throws IOException {
        Path socket = spec.runDir().resolve(SOCKET);
        try (StateFile.Recording rec = StateFile.record(socket, file, spec.qemuUser())) {
            boolean[] background = new boolean[1];
            long[] stopped = new long[1];
            try {
                hypervisor.monitor(lparId, q -> {
                    background[0] = capabilities(q, bandwidth);
                    if (background[0]) {
                        stopped[0] = System.nanoTime();
                        q.stop();
                        try {
                            atStop.run();
                            q.migrate("unix:" + socket);
                            stopped[0] = System.nanoTime() - stopped[0];
                        } catch (IOException | RuntimeException e) {
                            q.cont();
                            throw e;
                        }
                    } else {
                        q.migrate("unix:" + socket);
                    }
                    return null;
                });
                Qmp.MigrationInfo info = await(timeout);
                long pauseMs;
                if (background[0]) {
                    // ours (stop, disk point, migrate) then QEMU's (from its setup's stop to its vm_start)
                    pauseMs = stopped[0] / 1_000_000 + info.downtimeMs();
                } else {
                    pauseMs = info.downtimeMs() + atTheStop(info, atStop);
                }
                if (!info.status().equals("completed")) {
                    throw new IOException("the memory snapshot ended " + info.status()
                            + (info.error().isEmpty() ? "" : ": " + info.error()));
                }
                rec.complete(CLOSE);
                LOG.info("partition {}: memory snapshot ({}) written, {} bytes sent, guest stopped about {} ms",
                        spec.name(), background[0] ? "background" : "pre-copy", info.transferred(), pauseMs);
                return pauseMs;
            } finally {
                if (background[0]) {
                    hypervisor.monitor(lparId, q -> {
                        q.migrateSetCapabilities(Map.of("background-snapshot", false));
                        return null;
                    });
                }
            }
        }
    }

    /**
     * The stream's capabilities and bandwidth; true when QEMU takes {@code background-snapshot},
     * false when it refuses it for want of userfaultfd (then a pre-copy migration is set up).
     */
    private static boolean capabilities(Qmp q, long bandwidth) throws IOException {
        q.migrateSetParameters(JsonNodeFactory.instance.objectNode().put("max-bandwidth", bandwidth));
        Map<String, Boolean> caps = new LinkedHashMap<>();
        caps.put("events", true);
        caps.put("auto-converge", false); // a live migration's; QEMU refuses it beside background-snapshot
        caps.put("background-snapshot", true);
        try {
            q.migrateSetCapabilities(caps);
            return true;
        } catch (QmpException e) {
            if (!e.getMessage().contains("not supported")) {
                throw e;
            }
        }
        caps.put("auto-converge", true);
        caps.put("background-snapshot", false);
        q.migrateSetCapabilities(caps);
        return false;
    }

    /**
     * Pre-copy: QEMU stopped the guest for the stream's end; once it is finalized, the disk point,
     * then {@code cont} (also when the stream failed: the guest must run on). Returns the ms
     * between the stream's end being seen and {@code cont}.
     */
    private long atTheStop(Qmp.MigrationInfo info, Runnable atStop) throws IOException {
        long seen = System.nanoTime();
        hypervisor.monitor(lparId, q -> {
            long deadline = System.nanoTime() + FINALIZE_WAIT_NS;
            while (q.status().equals("finish-migrate") && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(5); // QEMU sends no event for this run-state change
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while QEMU finalized the stream", e);
                }
            }
            try {
                if (info.status().equals("completed")) {
                    atStop.run();
                }
            } finally {
                if (!q.status().equals("running")) {
                    q.cont();
                }
            }
            return null;
        });
        return (System.nanoTime() - seen) / 1_000_000;
    }

    /** Until QEMU says the stream is over; at the deadline it is cancelled (the guest runs on regardless). */
    private Qmp.MigrationInfo await(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Qmp.MigrationInfo info = hypervisor.monitor(lparId, Qmp::queryMigrate);
            if (info.over()) {
                return info;
            }
            if (System.nanoTime() > deadline) {
                hypervisor.monitor(lparId, q -> {
                    q.migrateCancel();
                    return null;
                });
                throw new IOException("the memory snapshot did not complete within " + timeout.toSeconds() + " s");
            }
            try {
                Thread.sleep(POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while the memory snapshot was written");
            }
        }
    }
}
