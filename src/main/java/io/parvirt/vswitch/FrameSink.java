package io.parvirt.vswitch;

import java.nio.ByteBuffer;

/**
 * Where the switch hands a frame for one port. The buffer is only valid during the call: copy it.
 * Return false when the port's queue is full (the switch counts a QUEUE_FULL drop). Must not block.
 * The frame is {@code position..limit} of the buffer, which may be the sender's own receive buffer
 * or the switch's scratch buffer: a sink reads it and never writes to it, and it never calls back
 * into the switch (the switch refuses, and counts the frame as PORT_FAILED). An exception it throws
 * is counted as PORT_FAILED on its port and forwarding goes on for the others.
 */
public interface FrameSink {
    boolean offer(ByteBuffer frame);

    /**
     * True when the port's peer takes frames with work left in their {@link NetHeader} (checksum
     * to fill in, a segment to cut): the switch then calls {@link #offer(ByteBuffer, NetHeader)};
     * otherwise it finishes such frames itself and calls {@link #offer(ByteBuffer)}.
     */
    default boolean takesOffloads() {
        return false;
    }

    /** A frame with its virtio-net header (valid only during the call, like the frame). */
    default boolean offer(ByteBuffer frame, NetHeader header) {
        return offer(frame);
    }
}
