package io.parvirt.vswitch;

import java.nio.ByteBuffer;

/**
 * The frame being forwarded, and its delivery in the form each receiver takes: untagged for a
 * port whose PVID is the frame's VLAN, tagged with that VLAN for a tagged member (an additional
 * VLAN of an 802.1Q port). A form the received bytes already have goes out as they are; the other
 * is built at most once per frame, on first need, into a scratch buffer owned here, so rewriting
 * allocates nothing and a broadcast to many tagged members copies once.
 *
 * <p>The scratch buffers are direct, like the ports' own buffers: a sink copies the frame into its
 * direct queue or into guest memory, which is a plain memory copy from a direct source, and a
 * transport that writes straight to a channel gets no hidden temporary copy from the JDK (it
 * copies heap buffers into a direct one first). Sinks see them through read-only views made once,
 * so a sink that writes by mistake fails (counted as PORT_FAILED) rather than corrupting the
 * frame for the next receiver.
 */
final class Egress {
    private final ByteBuffer untaggedScratch;
    private final ByteBuffer taggedScratch;
    private final ByteBuffer untaggedView;
    private final ByteBuffer taggedView;

    private ByteBuffer frame;
    private int off;
    private int len;
    private boolean hasTag;
    private int tci;
    private int vlan;
    private int untaggedLen = -1;
    private int taggedLen = -1;
    private NetHeader header;
    /** The header as a receiver of the other form sees it: its offsets moved by the tag's 4 bytes. */
    private final NetHeader moved = new NetHeader();
    private final Offload offload;

    Egress(int maxTaggedFrame) {
        untaggedScratch = ByteBuffer.allocateDirect(maxTaggedFrame);
        taggedScratch = ByteBuffer.allocateDirect(maxTaggedFrame);
        untaggedView = untaggedScratch.asReadOnlyBuffer();
        taggedView = taggedScratch.asReadOnlyBuffer();
        offload = new Offload(maxTaggedFrame);
    }

    /** A new frame: {@code frame[off, off+len)}, classified into {@code vlan}; {@code tci} if it has a tag. */
    void start(ByteBuffer frame, int off, int len, boolean hasTag, int tci, int vlan, NetHeader header) {
        this.header = header;
        this.frame = frame;
        this.off = off;
        this.len = len;
        this.hasTag = hasTag;
        this.tci = tci;
        this.vlan = vlan;
        untaggedLen = -1;
        taggedLen = -1;
    }

    /** Lets go of the caller's buffer. */
    void finish() {
        frame = null;
    }

    /** Offers the frame to {@code to} and counts the outcome on {@code to}. */
    void deliver(Port to) {
        ByteBuffer b = form(vlan != to.pvid);
        int n = b.remaining();
        NetHeader h = header;
        if (h.pending() && n != len) {
            // A tag was inserted or stripped before the transport headers: their offsets move with it.
            int delta = n - len;
            h = moved.copyFrom(header);
            h.csumStart = h.csumStart == 0 ? 0 : h.csumStart + delta;
            h.hdrLen = h.hdrLen == 0 ? 0 : h.hdrLen + delta;
        }
        boolean taken;
        try {
            if (to.sink.takesOffloads()) {
                taken = to.sink.offer(b, h);
            } else {
                taken = h.pending() ? offload.deliver(b, h, to.sink) : to.sink.offer(b);
            }
        } catch (Exception e) {
            // A failing port is its own problem: count it and go on with the other receivers.
            to.counters.drop(DropReason.PORT_FAILED);
            return;
        }
        if (taken) {
            to.counters.sent(n);
        } else {
            to.counters.drop(DropReason.QUEUE_FULL);
        }
    }

    /**
     * The frame as a tagged member ({@code tagged}) or a PVID member takes it, positioned afresh
     * for every receiver since a sink may move position or limit. A kept tag keeps its priority
     * bits; an inserted one has priority 0; a priority tag (VID 0) gets the frame's VLAN id.
     */
    private ByteBuffer form(boolean tagged) {
        if (tagged) {
            if (hasTag && (tci & Dot1q.VID_MASK) == vlan) {
                return original();
            }
            if (taggedLen < 0) {
                int pcpDei = hasTag ? tci & ~Dot1q.VID_MASK : 0;
                taggedLen = Dot1q.tag(frame, off, len, hasTag, pcpDei | vlan, taggedScratch);
            }
            return taggedView.limit(taggedLen).position(0);
        }
        if (!hasTag) {
            return original();
        }
        if (untaggedLen < 0) {
            untaggedLen = Dot1q.untag(frame, off, len, untaggedScratch);
        }
        return untaggedView.limit(untaggedLen).position(0);
    }

    private ByteBuffer original() {
        return frame.limit(off + len).position(off);
    }
}
