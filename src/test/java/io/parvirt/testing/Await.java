package io.parvirt.testing;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The tests' one way of waiting for something another thread or process does: poll a probe until its
 * value is the one awaited, within a timeout. On timeout it fails with an {@link AssertionError} naming
 * what was awaited, the timeout, the last value seen and, if given, further detail (a log, a console).
 *
 * <pre>{@code
 * Await.until("the connection counted", Duration.ofSeconds(10), () -> counters().closes() == 1);
 * String s = Await.on("lp1's state", () -> state("lp1")).within(Duration.ofSeconds(120))
 *         .every(Duration.ofMillis(200)).detail(() -> console("lp1")).until("Running"::equals);
 * }</pre>
 *
 * A probe's exception ends the wait at once (wrapped in an AssertionError if it is checked): a probe
 * that may fail while the awaited thing is not there yet catches that itself and says so in its value.
 */
public final class Await {
    /** What a wait without {@link Waiter#within} allows. */
    public static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** How often a wait without {@link Waiter#every} polls. */
    public static final Duration POLL = Duration.ofMillis(10);

    private Await() {
    }

    /** A value to watch; may throw. */
    @FunctionalInterface
    public interface Probe<T> {
        T get() throws Exception;
    }

    /** A condition to wait for; may throw. */
    @FunctionalInterface
    public interface Condition {
        boolean test() throws Exception;
    }

    /** Waits for {@code probe}'s value; set the timeout, interval and detail, then call {@link Waiter#until}. */
    public static <T> Waiter<T> on(String what, Probe<T> probe) {
        return new Waiter<>(what, probe);
    }

    /** Waits until {@code condition} holds, polling every {@link #POLL}. */
    public static void until(String what, Duration timeout, Condition condition) {
        on(what, condition::test).within(timeout).until(Boolean.TRUE::equals);
    }

    /** Waits up to {@link #TIMEOUT} until {@code condition} holds, polling every {@link #POLL}. */
    public static void until(String what, Condition condition) {
        until(what, TIMEOUT, condition);
    }

    /** Waits up to {@link #TIMEOUT} until {@code probe}'s value satisfies {@code done}; returns that value. */
    public static <T> T until(String what, Probe<T> probe, Predicate<? super T> done) {
        return on(what, probe).until(done);
    }

    /** Waits until {@code probe}'s value satisfies {@code done}, polling every {@link #POLL}; returns that value. */
    public static <T> T until(String what, Duration timeout, Probe<T> probe, Predicate<? super T> done) {
        return on(what, probe).within(timeout).until(done);
    }

    /** One wait being set up. */
    public static final class Waiter<T> {
        private final String what;
        private final Probe<T> probe;
        private Duration timeout = TIMEOUT;
        private Duration poll = POLL;
        private Supplier<String> detail = () -> null;

        private Waiter(String what, Probe<T> probe) {
            this.what = Objects.requireNonNull(what);
            this.probe = Objects.requireNonNull(probe);
        }

        public Waiter<T> within(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        public Waiter<T> every(Duration poll) {
            this.poll = poll;
            return this;
        }

        /** More to say on timeout than the last value (computed only then). */
        public Waiter<T> detail(Supplier<String> detail) {
            this.detail = detail;
            return this;
        }

        /** Polls until the probe's value satisfies {@code done}; returns that value. */
        public T until(Predicate<? super T> done) {
            long start = System.nanoTime();
            long deadline = start + timeout.toNanos();
            while (true) {
                T value = probe();
                if (done.test(value)) {
                    return value;
                }
                if (System.nanoTime() - deadline > 0) {
                    String more = detail.get();
                    throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what
                            + "; last value seen: " + value + (more == null ? "" : "\n" + more));
                }
                try {
                    Thread.sleep(poll);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted waiting for " + what, e);
                }
            }
        }

        private T probe() {
            try {
                return probe.get();
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Exception e) {
                throw new AssertionError("waiting for " + what + ": " + e, e);
            }
        }
    }
}
