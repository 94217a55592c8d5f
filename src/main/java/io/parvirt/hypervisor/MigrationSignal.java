package io.parvirt.hypervisor;

import java.util.concurrent.TimeUnit;

/**
 * Raised when QEMU reports a migration's progress by event ({@code MIGRATION}, {@code RESUME}):
 * a migration's waits wake at once instead of sleeping out their poll interval, which was the
 * migration's own idle time at each end of the stream. The poll stays as the fallback.
 */
final class MigrationSignal {
    private long raised;
    /** The status the last MIGRATION event named (null: none since {@link #forgetStatus}). */
    private String status;
    /** When that event came (nanoTime). */
    private long statusAt;

    synchronized void raise() {
        raised++;
        notifyAll();
    }

    /** A MIGRATION event: its status is kept, so a wait for {@code completed} needs no query-migrate. */
    synchronized void raise(String migrationStatus) {
        status = migrationStatus;
        statusAt = System.nanoTime();
        raise();
    }

    synchronized String status() {
        return status;
    }

    synchronized long statusAt() {
        return statusAt;
    }

    /** Before a new stream: an earlier one's last status says nothing of it. */
    synchronized void forgetStatus() {
        status = null;
    }

    /** How often it has been raised; what {@link #await} compares with. */
    synchronized long count() {
        return raised;
    }

    /** Returns once raised beyond {@code seen}, or after {@code millis}. */
    synchronized void await(long seen, long millis) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (raised == seen) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                return;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }
}
