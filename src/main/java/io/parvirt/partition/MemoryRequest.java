package io.parvirt.partition;

import io.parvirt.model.Partition;
import java.time.Duration;

/** A memory DLPAR change of a running partition ({@code chhwres -r mem -q MB}), done within {@code timeout} ({@code -w}). */
public sealed interface MemoryRequest {
    Duration timeout();

    /** {@code -o a|r -q MB}. */
    record Change(boolean add, long mb, Duration timeout) implements MemoryRequest {
    }

    /** {@code -o m -t TARGET -q MB}: memory taken from this partition and given to another. */
    record Move(Partition target, long mb, Duration timeout) implements MemoryRequest {
    }
}
