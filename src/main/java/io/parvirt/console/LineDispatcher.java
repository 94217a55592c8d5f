package io.parvirt.console;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands complete lines to the listeners on a thread of its own. Listeners react to what they see
 * (a panic line makes the hypervisor stop QEMU, which can take seconds); doing that on the output
 * loop would stall the log, and a stalled chardev reader can stall QEMU's serial port. So lines
 * queue here, and when the queue is full a line is dropped and counted instead.
 */
final class LineDispatcher implements LineDecoder.Sink, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LineDispatcher.class);
    static final int QUEUE = 1024;
    private static final String STOP = new String("stop"); // compared by identity, never equal to a real line

    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(QUEUE);
    private final ConsoleCounters counters;
    private final String partition;
    private volatile Thread thread;

    LineDispatcher(String partition, ConsoleCounters counters) {
        this.partition = partition;
        this.counters = counters;
    }

    void add(Consumer<String> listener) {
        listeners.add(listener);
    }

    @Override
    public void line(byte[] bytes, int length) {
        if (listeners.isEmpty()) {
            return;
        }
        if (!queue.offer(new String(bytes, 0, length, StandardCharsets.UTF_8))) {
            counters.droppedLines.incrementAndGet();
        }
    }

    void start() {
        thread = Thread.ofVirtual().name("console-lines-" + partition).start(this::run);
    }

    private void run() {
        try {
            while (true) {
                String line = queue.take();
                if (line == STOP) {
                    return;
                }
                for (Consumer<String> l : listeners) {
                    try {
                        l.accept(line);
                    } catch (RuntimeException e) {
                        LOG.warn("console of partition {}: a line listener failed", partition, e);
                    }
                }
            }
        } catch (InterruptedException e) {
            // closed while the queue was full: the remaining lines are not wanted any more
        }
    }

    /** Lets the lines already queued reach the listeners, then ends; never waits for them. */
    @Override
    public void close() {
        Thread t = thread;
        if (t != null && !queue.offer(STOP)) {
            t.interrupt();
        }
    }
}
