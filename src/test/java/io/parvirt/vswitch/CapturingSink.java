package io.parvirt.vswitch;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** An in-memory port end: keeps a copy of every frame it takes; can play a full queue or a broken port. */
final class CapturingSink implements FrameSink {
    final List<byte[]> frames = new ArrayList<>();
    boolean full;
    RuntimeException failure;
    int offers;

    @Override
    public boolean offer(ByteBuffer frame) {
        offers++;
        if (failure != null) {
            throw failure;
        }
        if (full) {
            return false;
        }
        byte[] copy = new byte[frame.remaining()];
        frame.get(frame.position(), copy);
        frames.add(copy);
        return true;
    }

    byte[] only() {
        if (frames.size() != 1) {
            throw new AssertionError("expected one frame, got " + frames.size());
        }
        return frames.getFirst();
    }

    byte[] last() {
        return frames.getLast();
    }

    void clear() {
        frames.clear();
        offers = 0;
    }
}
