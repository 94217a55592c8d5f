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
}
