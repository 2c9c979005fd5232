package io.github.nettyjobs.benchmarks.simulation;

import com.netflix.concurrency.limits.Limit;
import io.github.nettyjobs.limit.LimitAlgorithm;

import java.util.function.LongSupplier;

/**
 * A Netflix concurrency-limits {@link Limit} as a nettyjobs {@link LimitAlgorithm}: the scheduler's
 * samples go to its {@code onSample} (the start time taken from the clock), its limit is the
 * scheduler's. Confined to the scheduler's loop, like any algorithm.
 */
final class NetflixLimit implements LimitAlgorithm {

    private final Limit limit;
    private final LongSupplier clock;

    NetflixLimit(Limit limit, LongSupplier clock) {
        this.limit = limit;
        this.clock = clock;
    }

    @Override
    public int limit() {
        return limit.getLimit();
    }

    @Override
    public void onSample(long runNanos, int inFlight, boolean dropped) {
        limit.onSample(clock.getAsLong() - runNanos, runNanos, inFlight, dropped);
    }

    @Override
    public String toString() {
        return "NetflixLimit{" + limit + '}';
    }
}
