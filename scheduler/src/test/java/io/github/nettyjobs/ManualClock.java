package io.github.nettyjobs;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A scheduler clock for tests: it stands still until a test moves it on, so the times a listener
 * hears and the remainder of a queue deadline are exact. Beside an {@link EmbeddedLoop} it moves
 * with the loop's frozen time; beside a real loop it lets a test say how long a hop took. Any
 * thread may read and move it.
 */
public final class ManualClock implements LongSupplier {

    /** An arbitrary origin, far from 0, as {@link System#nanoTime()}'s is. */
    private static final long ORIGIN = 1_000_000_000_000L;

    private final AtomicLong nanos = new AtomicLong(ORIGIN);

    /**
     * Makes every scheduler {@code builder} builds from now on read this clock.
     *
     * @param builder the builder to configure
     * @return {@code builder}
     */
    public Scheduler.Builder applyTo(Scheduler.Builder builder) {
        return builder.clock(this);
    }

    /**
     * Moves the clock on.
     *
     * @param duration how far; not negative
     */
    public void advance(Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("duration: " + duration + " (expected: >= 0)");
        }
        nanos.addAndGet(duration.toNanos());
    }

    /**
     * Returns the nanoseconds since the clock's creation.
     *
     * @return how far the clock has been moved on
     */
    public long elapsedNanos() {
        return nanos.get() - ORIGIN;
    }

    @Override
    public long getAsLong() {
        return nanos.get();
    }

    @Override
    public String toString() {
        return "ManualClock{" + elapsedNanos() + " ns}";
    }
}
