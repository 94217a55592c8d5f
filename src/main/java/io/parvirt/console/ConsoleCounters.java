package io.parvirt.console;

import java.util.concurrent.atomic.AtomicLong;

/** The live counters behind {@link Counters}; each is bumped once per chunk or event, never per byte. */
final class ConsoleCounters {
    final AtomicLong outputBytes = new AtomicLong();
    final AtomicLong inputBytes = new AtomicLong();
    final AtomicLong connects = new AtomicLong();
    final AtomicLong sessions = new AtomicLong();
    final AtomicLong refusedSessions = new AtomicLong();
    final AtomicLong viewers = new AtomicLong();
    final AtomicLong droppedOutputBytes = new AtomicLong();
    final AtomicLong droppedInputBytes = new AtomicLong();
    final AtomicLong droppedLines = new AtomicLong();
    final AtomicLong logErrors = new AtomicLong();
    final AtomicLong rotations = new AtomicLong();

    Counters snapshot() {
        return new Counters(outputBytes.get(), inputBytes.get(), connects.get(), sessions.get(),
                refusedSessions.get(), droppedOutputBytes.get(), droppedInputBytes.get(), droppedLines.get(),
                logErrors.get(), rotations.get(), viewers.get());
    }
}
