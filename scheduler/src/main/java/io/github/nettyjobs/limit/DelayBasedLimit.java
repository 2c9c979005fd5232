package io.github.nettyjobs.limit;

/**
 * What the delay-based limits ({@link VegasLimit}, {@link Gradient2Limit}) share: a no-load time
 * ({@link NoLoadTime}) to compare run times with, samples taken in rounds, and the reaction to a
 * timed-out job. Confined to the loop of the scheduler that owns it.
 *
 * <p>A timed-out job (a dropped sample) cuts the limit to {@code backoff * limit} at once and starts
 * a new round. While the no-load time is being re-probed the limit is the probe's and rounds rest.
 * Otherwise each sample adds to the round (its run time, and the most jobs in flight it saw); once
 * it holds {@link #roundSize()} samples the round is done, and if a no-load time is known the
 * algorithm adjusts the limit from the round ({@link #roundDone}).
 */
abstract class DelayBasedLimit implements LimitAlgorithm {

    final int minLimit;
    final int maxLimit;
    private final double backoff;
    private final NoLoadTime noLoad;
    /** The limit outside probes; {@link #limit()} truncates it. */
    double limit;
    private double roundSum;
    private int roundCount;
    private int roundMaxInFlight;

    DelayBasedLimit(int initialLimit, int minLimit, int maxLimit, double backoff, int probeInterval) {
        this.limit = initialLimit;
        this.minLimit = minLimit;
        this.maxLimit = maxLimit;
        this.backoff = backoff;
        this.noLoad = new NoLoadTime(probeInterval);
    }

    /**
     * Returns how many samples make a round under the current limit.
     *
     * @return the round's size, at least 1
     */
    abstract int roundSize();

    /**
     * Adjusts {@link #limit} from a finished round, once a no-load time is known.
     *
     * @param noLoadNanos  the no-load time
     * @param averageNanos the round's average run time
     * @param busy         whether at least half the limit was in use during the round
     */
    abstract void roundDone(double noLoadNanos, double averageNanos, boolean busy);

    @Override
    public final int limit() {
        return noLoad.isProbing() ? noLoad.probeLimit() : (int) limit;
    }

    @Override
    public final void onSample(long runNanos, int inFlight, boolean dropped) {
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
        if (++roundCount >= roundSize()) {
            finishRound();
        }
    }

    private void finishRound() {
        double noLoadNanos = noLoad.nanos();
        double average = roundSum / roundCount;
        boolean busy = 2 * roundMaxInFlight >= (int) limit;
        resetRound();
        if (!Double.isNaN(noLoadNanos)) {
            roundDone(noLoadNanos, average, busy);
        }
    }

    private void resetRound() {
        roundSum = 0;
        roundCount = 0;
        roundMaxInFlight = 0;
    }

    @Override
    public final String toString() {
        return getClass().getSimpleName() + "{limit=" + limit() + ", " + noLoad + '}';
    }
}
