package io.github.nettyjobs.limit;

/**
 * A Vegas limit: TCP Vegas's estimate of the queue the scheduler builds at its downstream, kept
 * between {@code alpha} and {@code beta} jobs. Confined to the loop of the scheduler that owns it.
 *
 * <p>Samples are taken in rounds of {@code min(limit, 32)} jobs (about one run time's worth). With
 * {@code avg} the round's average run time and {@code noLoad} the no-load time ({@link NoLoadTime}),
 * the jobs queued beyond what the downstream serves at once are
 * <pre>
 *   queue = limit * (1 - noLoad / avg)
 * </pre>
 * and at the end of each round: {@code queue > beta} lowers the limit to {@code limit - queue + beta}
 * (it drops the excess at once, instead of Netflix's one or two per sample, so a slowdown is met
 * within a round or two); {@code queue < alpha} raises it by {@code alpha}, if at least half the
 * limit was in use during the round (light load grows nothing); in between it stays. A timed-out
 * job cuts the limit to {@code backoff * limit} at once.
 *
 * <p>Vegas's known weakness is its no-load time: a minimum that one lucky fast sample can drag down
 * for good, collapsing the limit. Here it is the lowest average of a batch and it is re-probed
 * (see {@link NoLoadTime}); and no sample is discarded for being fast, so microsecond jobs count.
 */
final class VegasLimit extends DelayBasedLimit {

    private static final int MAX_ROUND = 32;

    private final int alpha;
    private final int beta;

    VegasLimit(int initialLimit, int minLimit, int maxLimit, int alpha, int beta, double backoff, int probeInterval) {
        super(initialLimit, minLimit, maxLimit, backoff, probeInterval);
        this.alpha = alpha;
        this.beta = beta;
    }

    @Override
    int roundSize() {
        return Math.min(MAX_ROUND, (int) limit);
    }

    @Override
    void roundDone(double noLoadNanos, double average, boolean busy) {
        double queue = limit * (1 - noLoadNanos / Math.max(1.0, average));
        if (queue > beta) {
            limit = Math.max(minLimit, limit - queue + beta);
        } else if (queue < alpha && busy) {
            limit = Math.min(maxLimit, limit + alpha);
        }
    }
}
