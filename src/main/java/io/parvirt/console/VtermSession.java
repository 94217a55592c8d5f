package io.parvirt.console;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The attached vterm client: a two-way byte stream. Output goes through a fixed backlog that the
 * console loop fills without waiting and a writer thread drains into the socket; when the client
 * is too slow and the backlog is full, a chunk is dropped whole and counted, so a stuck terminal
 * costs that terminal output, never the log. Input is read on a second thread and sent to QEMU,
 * or, for a read-only viewer (no guest port), read and dropped: reading still notices the client leave.
 */
final class VtermSession {
    static final int BACKLOG = 256 * 1024;
    static final int WRITE_CHUNK = 16 * 1024;

    private final SocketChannel channel;
    private final ChardevPort guest;
    private final ConsoleCounters counters;
    private final Consumer<VtermSession> onEnd;
    private final byte[] backlog = new byte[BACKLOG];
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition filled = lock.newCondition();
    private int head;
    private int size;
    private boolean closed;
    private boolean closing;
    /** Who the session is, for the audit trail; null when nobody claimed it. */
    final VtermClaims.Claim claim;
    /** Why it ended, when not because its client left; set before it is closed. */
    private volatile SessionEvent.Kind endKind = SessionEvent.Kind.RELEASED;
    private volatile String endBy = "";

    VtermSession(SocketChannel channel, ChardevPort guest, ConsoleCounters counters, Consumer<VtermSession> onEnd) {
        this(channel, guest, counters, onEnd, null);
    }

    VtermSession(SocketChannel channel, ChardevPort guest, ConsoleCounters counters, Consumer<VtermSession> onEnd,
            VtermClaims.Claim claim) {
        this.claim = claim;
        this.channel = channel;
        this.guest = guest;
        this.counters = counters;
        this.onEnd = onEnd;
    }

    void start(String name) {
        Thread.ofVirtual().name(name + "-out").start(this::writeLoop);
        Thread.ofVirtual().name(name + "-in").start(this::readLoop);
    }

    /** Called by the console loop: queues the chunk if it fits, else drops it. Never waits on the socket. */
    void offer(byte[] chunk, int count) {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            if (count > BACKLOG - size) {
                counters.droppedOutputBytes.addAndGet(count);
                return;
            }
            int tail = (head + size) % BACKLOG;
            int first = Math.min(count, BACKLOG - tail);
            System.arraycopy(chunk, 0, backlog, tail, first);
            System.arraycopy(chunk, first, backlog, 0, count - first);
            size += count;
            filled.signal();
        } finally {
            lock.unlock();
        }
    }

    private void writeLoop() {
        ByteBuffer out = ByteBuffer.allocateDirect(WRITE_CHUNK);
        try {
            while (true) {
                out.clear();
                lock.lock();
                try {
                    while (size == 0 && !closed && !closing) {
                        filled.await();
                    }
                    if (closed || size == 0) {
                        return; // closed, or closing with everything written
                    }
                    int n = Math.min(Math.min(size, WRITE_CHUNK), BACKLOG - head);
                    out.put(backlog, head, n);
                    head = (head + n) % BACKLOG;
                    size -= n;
                } finally {
                    lock.unlock();
                }
                out.flip();
                while (out.hasRemaining()) {
                    channel.write(out); // may block on a stuck client; only this thread waits
                }
            }
        } catch (IOException | InterruptedException e) {
            // the client went away or the session was closed
        } finally {
            close();
        }
    }

    private void readLoop() {
        ByteBuffer in = ByteBuffer.allocateDirect(4096);
        try {
            while (true) {
                in.clear();
                if (channel.read(in) < 0) {
                    return; // the client detached (~.) or exited
                }
                in.flip();
                if (guest != null) {
                    guest.send(in);
                }
            }
        } catch (IOException e) {
            // closed by rmvterm or reset by the client
        } finally {
            close();
        }
    }

    /** Records why the session is about to end (the first reason given wins). */
    void endingBecause(SessionEvent.Kind kind, String by) {
        lock.lock();
        try {
            if (!closed && endKind == SessionEvent.Kind.RELEASED) {
                endKind = kind;
                endBy = by == null ? "" : by;
            }
        } finally {
            lock.unlock();
        }
    }

    /** The event of this session's start ({@code OPENED}) or, once it ended, of its end. */
    SessionEvent event(boolean keyboard, boolean ended) {
        String who = claim == null ? null : claim.who();
        String origin = claim == null ? null : claim.origin();
        return ended ? new SessionEvent(endKind, keyboard, who, origin, endBy)
                : new SessionEvent(SessionEvent.Kind.OPENED, keyboard, who, origin, "");
    }

    /** Ends the session once what is queued and then {@code notice} have been written to the client. */
    void closeAfter(byte[] notice) {
        offer(notice, notice.length);
        lock.lock();
        try {
            closing = true;
            filled.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Ends the session: the client sees end of file; output still queued is discarded. */
    void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            filled.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            channel.close();
        } catch (IOException e) {
            // already gone
        }
        onEnd.accept(this);
    }
}
