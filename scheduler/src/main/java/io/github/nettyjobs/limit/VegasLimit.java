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
final class VegasLimit implements LimitAlgorithm {

    private static final int MAX_ROUND = 32;

    private final int minLimit;
    private final int maxLimit;
    private final int alpha;
    private final int beta;
    private final double backoff;
    private final NoLoadTime noLoad;
    private double limit;
    private double roundSum;
    private int roundCount;
    private int roundMaxInFlight;

    VegasLimit(int initialLimit, int minLimit, int maxLimit, int alpha, int beta, double backoff, int probeInterval) {
        this.limit = initialLimit;
        this.minLimit = minLimit;
        this.maxLimit = maxLimit;
        this.alpha = alpha;
        this.beta = beta;
        this.backoff = backoff;
        this.noLoad = new NoLoadTime(probeInterval);
    }

    @Override
    public int limit() {
        return noLoad.isProbing() ? noLoad.probeLimit() : (int) limit;
    }

    @Override
    public void onSample(long runNanos, int inFlight, boolean dropped) {
        noLoad.onSample(runNanos, inFlight, (int) limit, minLimit);
        if (dropped) {
            limit = Math.max(minLimit, limit * backoff);
            resetRound();
            return;
        }
        if (noLoad.isProbing()) {
            resetRound();
            return;
        }
        roundSum += runNanos;
        roundMaxInFlight = Math.max(roundMaxInFlight, inFlight);
        if (++roundCount >= Math.min(MAX_ROUND, (int) limit)) {
            roundDone();
        }
    }

    private void roundDone() {
        double noLoadNanos = noLoad.nanos();
        double average = roundSum / roundCount;
        boolean busy = 2 * roundMaxInFlight >= (int) limit;
        resetRound();
        if (Double.isNaN(noLoadNanos)) {
            return;
        }
        double queue = limit * (1 - noLoadNanos / Math.max(1.0, average));
        if (queue > beta) {
            limit = Math.max(minLimit, limit - queue + beta);
        } else if (queue < alpha && busy) {
            limit = Math.min(maxLimit, limit + alpha);
        }
    }

    private void resetRound() {
        roundSum = 0;
        roundCount = 0;
        roundMaxInFlight = 0;
    }

    @Override
    public String toString() {
        return "VegasLimit{limit=" + limit() + ", " + noLoad + '}';
    }
}
