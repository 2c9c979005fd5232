package io.github.nettyjobs.limit;

/**
 * Additive increase, multiplicative decrease, as TCP Reno: each job that ends in time while at least
 * half the limit is in use raises the limit by one; each that times out (or, with a
 * {@code timeout}, runs longer than it) cuts it to {@code floor(backoff * limit)}. It reacts only to
 * failures, not to run times creeping up, so it suits downstreams that fail fast when overloaded.
 * Confined to the loop of the scheduler that owns it.
 */
final class AimdLimit implements LimitAlgorithm {

    private final int minLimit;
    private final int maxLimit;
    private final double backoff;
    /** A run longer than this counts as a drop; {@code Long.MAX_VALUE} for none. */
    private final long timeoutNanos;
    private int limit;

    AimdLimit(int initialLimit, int minLimit, int maxLimit, double backoff, long timeoutNanos) {
        this.limit = initialLimit;
        this.minLimit = minLimit;
        this.maxLimit = maxLimit;
        this.backoff = backoff;
        this.timeoutNanos = timeoutNanos;
    }

    @Override
    public int limit() {
        return limit;
    }

    @Override
    public void onSample(long runNanos, int inFlight, boolean dropped) {
        if (dropped || runNanos > timeoutNanos) {
            limit = Math.max(minLimit, (int) (limit * backoff));
        } else if (2 * inFlight >= limit) {
            limit = Math.min(maxLimit, limit + 1);
        }
    }

    @Override
    public String toString() {
        return "AimdLimit{limit=" + limit + '}';
    }
}
