package io.github.nettyjobs.limit;

import java.util.function.IntToLongFunction;

/** Feeds an algorithm the samples of a scheduler, saturated or lightly loaded. */
final class Samples {

    static final long MILLIS = 1_000_000;

    private Samples() {
    }

    /** {@code count} samples under saturation (every slot in use), each of {@code runNanos}. */
    static void saturated(LimitAlgorithm algorithm, long runNanos, int count) {
        for (int i = 0; i < count; i++) {
            algorithm.onSample(runNanos, algorithm.limit(), false);
        }
    }

    /**
     * {@code count} samples under saturation from a downstream that serves {@code capacity} jobs at
     * once and queues the rest: the run time grows with the concurrency beyond capacity.
     */
    static void downstream(LimitAlgorithm algorithm, long baseNanos, int capacity, int count) {
        saturated(algorithm, inFlight -> baseNanos * Math.max(capacity, inFlight) / capacity, count);
    }

    static void saturated(LimitAlgorithm algorithm, IntToLongFunction runNanos, int count) {
        for (int i = 0; i < count; i++) {
            int inFlight = algorithm.limit();
            algorithm.onSample(runNanos.applyAsLong(inFlight), inFlight, false);
        }
    }

    /** Samples until the limit reaches {@code limit}; returns how many it took, or -1 if not within {@code max}. */
    static int untilLimitAtLeast(LimitAlgorithm algorithm, long runNanos, int limit, int max) {
        for (int i = 1; i <= max; i++) {
            algorithm.onSample(runNanos, algorithm.limit(), false);
            if (algorithm.limit() >= limit) {
                return i;
            }
        }
        return -1;
    }
}
