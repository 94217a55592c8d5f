package io.parvirt.vswitch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that owns every switch and port: it reads frames from the ports' sockets, runs
 * the switches' forwarding, and writes what they delivered. Other threads hand it work through
 * {@link #call}; nothing else touches a switch, so the forwarding core needs no locks.
 */
final class SwitchLoop implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SwitchLoop.class);
    private final Selector selector;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final List<StreamPort> ports = new ArrayList<>();
    /** Work for the end of this turn (loop thread only): a vhost-user port interrupts its guest once per turn. */
    private final List<Runnable> afterTurn = new ArrayList<>();
    /**
     * Work for the next turn, after its tasks (loop thread only): a vhost-user drain that stopped at
     * its batch with frames left. Taken in turns with the next list, so neither allocates.
     */
    private List<Runnable> nextTurn = new ArrayList<>();
    private List<Runnable> thisTurn = new ArrayList<>();
    private final Thread thread;
    private volatile boolean stopped;

    SwitchLoop() {
        try {
            selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        thread = Thread.ofPlatform().daemon().name("vswitch").start(this::run);
    }

    /** Runs {@code work} on the loop thread and returns its result. */
    <T> CompletableFuture<T> call(Supplier<T> work) {
        CompletableFuture<T> f = new CompletableFuture<>();
        tasks.add(() -> {
            try {
                f.complete(work.get());
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        });
        selector.wakeup();
        return f;
    }

    /** Runs {@code work} on the loop thread, soon; for work that answers nothing. */
    void execute(Runnable work) {
        tasks.add(work);
        selector.wakeup();
    }

    /** Loop thread only: runs {@code work} once at the end of this turn. */
    void afterTurn(Runnable work) {
        afterTurn.add(work);
    }

    /**
     * Loop thread only: runs {@code work} again in the next turn, after the sockets' events and the
     * tasks queued meanwhile; that turn does not wait in select. So a port with more work than one
     * batch goes on without a round trip through another thread (a wake-up of this one per batch),
     * and still after everything else that waits.
     */
    void nextTurn(Runnable work) {
        nextTurn.add(work);
    }

    /** Loop thread only. */
    void add(StreamPort p) {
        ports.add(p);
        p.connect(selector, System.nanoTime());
    }

    /** Loop thread only. */
    void remove(StreamPort p) {
        ports.remove(p);
        p.close();
    }

    private void run() {
        // No garbage per turn under load: select(action) instead of the selected-key set (a node
        // per ready key), indexed loops instead of iterators.
        java.util.function.Consumer<SelectionKey> ready = this::ready;
        while (!stopped) {
            try {
                long now = System.nanoTime();
                long wait = 1000;
                for (int i = 0; i < ports.size(); i++) {
                    StreamPort p = ports.get(i);
                    if (!p.connected() && !p.connect(selector, now)) {
                        wait = Math.min(wait, Math.max(1, (p.retryAt() - now) / 1_000_000));
                    }
                }
                List<Runnable> again = nextTurn;
                nextTurn = thisTurn;
                thisTurn = again;
                if (again.isEmpty() && nextTurn.isEmpty()) { // (not empty: left by a turn a task broke off)
                    selector.select(ready, wait);
                } else {
                    selector.selectNow(ready);
                }
                Runnable t;
                while ((t = tasks.poll()) != null) {
                    t.run();
                }
                for (int i = 0; i < again.size(); i++) {
                    try {
                        again.get(i).run();
                    } catch (RuntimeException e) {
                        LOG.error("virtual switch loop", e); // one port's trouble; the others go on
                    }
                }
                again.clear();
                now = System.nanoTime();
                for (int i = 0; i < ports.size(); i++) {
                    StreamPort p = ports.get(i);
                    if (p.dirty()) {
                        p.flush(now);
                    }
                }
                for (int i = 0; i < afterTurn.size(); i++) {
                    afterTurn.get(i).run();
                }
                afterTurn.clear();
            } catch (IOException | RuntimeException e) {
                // One port's trouble must not stop the switch for the others.
                LOG.error("virtual switch loop", e);
            }
        }
        for (StreamPort p : ports) {
            p.close();
        }
        try {
            selector.close();
        } catch (IOException e) {
            // closing
        }
    }

    private void ready(SelectionKey k) {
        StreamPort p = (StreamPort) k.attachment();
        if (!k.isValid()) {
            return;
        }
        long now = System.nanoTime();
        try {
            if (k.isReadable()) {
                p.readable(now);
            }
            if (k.isValid() && k.isWritable()) {
                p.flush(now);
            }
        } catch (RuntimeException e) {
            LOG.error("virtual switch port {}", p.port, e); // one port's trouble; the others go on
        }
    }

    @Override
    public void close() {
        stopped = true;
        selector.wakeup();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
