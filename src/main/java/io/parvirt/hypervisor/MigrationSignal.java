package io.parvirt.hypervisor;

import java.util.concurrent.TimeUnit;

/**
 * Raised when QEMU reports a migration's progress by event ({@code MIGRATION}, {@code RESUME}):
 * a migration's waits wake at once instead of sleeping out their poll interval, which was the
 * migration's own idle time at each end of the stream. The poll stays as the fallback.
 */
final class MigrationSignal {
    private long raised;

    synchronized void raise() {
        raised++;
        notifyAll();
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
