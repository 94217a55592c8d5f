package io.parvirt.console;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's loop, on its own virtual thread: connect to the chardev (retrying while QEMU comes
 * up, reconnecting when it drops us), then read and hand each chunk to the log, the ring, the
 * vterm session and the line decoder, in that order. None of them may block it: the log is a
 * local file, the session and the listeners take what they can without waiting. It reuses one
 * direct buffer and one array for every chunk.
 */
final class ConsoleLoop implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleLoop.class);
    static final int CHUNK = 64 * 1024;
    static final long FIRST_RETRY_MS = 20;
    static final long LAST_RETRY_MS = 500;

    private final String partition;
    private final ChardevPort guest;
    private final ConsoleLog log;
    private final OutputRing ring;
    private final VtermServer vterm;
    private final LineDecoder lines;
    private final ConsoleCounters counters;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK);
    private final byte[] chunk = new byte[CHUNK];
    // a latch, not Thread.interrupt, wakes the retry wait: an interrupt would also close the log's FileChannel
    private final CountDownLatch stop = new CountDownLatch(1);

    ConsoleLoop(String partition, ChardevPort guest, ConsoleLog log, OutputRing ring, VtermServer vterm,
            LineDecoder lines, ConsoleCounters counters) {
        this.partition = partition;
        this.guest = guest;
        this.log = log;
        this.ring = ring;
        this.vterm = vterm;
        this.lines = lines;
        this.counters = counters;
    }

    @Override
    public void run() {
        long retry = FIRST_RETRY_MS;
        try {
            while (stop.getCount() > 0) {
                SocketChannel ch;
                try {
                    ch = guest.connect();
                } catch (IOException e) {
                    stop.await(retry, TimeUnit.MILLISECONDS);
                    retry = Math.min(retry * 2, LAST_RETRY_MS);
                    continue;
                }
                retry = FIRST_RETRY_MS;
                if (counters.connects.incrementAndGet() > 1) {
                    LOG.info("console of partition {}: reconnected to the serial chardev", partition);
                }
                pump(ch);
                guest.disconnect(ch);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Until QEMU closes the connection (it stopped, or dropped us) or we are stopped. */
    private void pump(SocketChannel ch) {
        try {
            while (true) {
                buffer.clear();
                int n = ch.read(buffer);
                if (n < 0) {
                    return;
                }
                if (n > 0) {
                    buffer.flip();
                    deliver(n);
                }
            }
        } catch (IOException e) {
            // closed by stop() or reset by QEMU: the caller reconnects unless stopped
        }
    }

    private void deliver(int n) {
        buffer.get(0, chunk, 0, n);
        try {
            log.append(buffer);
        } catch (IOException e) {
            if (counters.logErrors.getAndIncrement() == 0) {
                LOG.warn("console of partition {}: cannot write its log (further failures only counted): {}",
                        partition, e.toString());
            }
        }
        ring.put(chunk, 0, n);
        vterm.offer(chunk, n);
        lines.feed(chunk, 0, n);
        counters.outputBytes.addAndGet(n); // last, so a reader of the counter finds the chunk logged
    }

    void stop() {
        stop.countDown();
        guest.close();
    }
}
