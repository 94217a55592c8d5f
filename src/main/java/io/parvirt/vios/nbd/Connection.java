package io.parvirt.vios.nbd;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection to one export, run on a platform thread of its own: negotiation (blocking
 * socket), then transmission (non-blocking socket and the connection's own selector, see
 * {@link SocketWait}), then the count of why it ended. A platform thread, not a virtual one,
 * because the data path blocks in file I/O, which pins a virtual thread's carrier anyway, and
 * because its waits must not go through a shared poller: they are the latency of every request.
 *
 * <p>Nothing ever interrupts this thread: the connection is stopped by closing its socket and
 * waking its selector, after which its next read or write fails; an interrupt would instead close
 * the file channel in the middle of an I/O.
 */
final class Connection implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(Connection.class);

    private final SocketChannel channel;
    private final BackingFile backing;
    private final ExportCounters counters;
    private final Endpoint endpoint;
    private final long pollNanos;
    private final Selector selector;
    private Thread thread;

    Connection(SocketChannel channel, BackingFile backing, ExportCounters counters, Endpoint endpoint,
            long pollNanos) throws IOException {
        this.channel = channel;
        this.backing = backing;
        this.counters = counters;
        this.endpoint = endpoint;
        this.pollNanos = pollNanos;
        this.selector = Selector.open();
    }

    void start(Thread.Builder threads) {
        thread = threads.unstarted(this);
        thread.start();
    }

    @Override
    public void run() {
        CloseReason reason = CloseReason.SOCKET_ERROR;
        try (Selector sel = selector; SocketChannel ch = channel; FileChannel file = backing.openChannel()) {
            Handshake handshake = new Handshake(ch, backing);
            reason = handshake.negotiate()
                    ? new Transmission(new SocketWait(ch, sel, pollNanos), file, backing, counters).serve()
                    : handshake.closeReason();
        } catch (ClosedChannelException e) {
            reason = CloseReason.SERVER_STOP;
        } catch (IOException e) {
            reason = CloseReason.SOCKET_ERROR;
        } finally {
            counters.closed(reason);
            counters.open.decrementAndGet();
            endpoint.ended(this);
        }
        switch (reason) {
            case DISCONNECT, ABORT, CLIENT_GONE, SERVER_STOP -> LOG.debug("nbd {}: connection closed: {}",
                    backing.export.name(), reason);
            default -> LOG.info("nbd {}: connection closed: {}", backing.export.name(), reason);
        }
    }

    /**
     * Closes the socket: a blocking read or write in negotiation fails at once; a wait in the
     * selector is woken, and the read or write after it fails. Either way the thread ends.
     */
    void stop() {
        try {
            channel.close();
        } catch (IOException e) {
            // closing
        }
        selector.wakeup();
    }

    void join(long millis) throws InterruptedException {
        if (thread != null) {
            thread.join(millis);
        }
    }
}
