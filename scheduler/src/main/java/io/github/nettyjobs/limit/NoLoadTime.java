package io.github.nettyjobs.limit;

/**
 * The run time of a job when nothing queues behind it (the no-load time), the reference that
 * {@link VegasLimit} and {@link Gradient2Limit} compare run times with. Confined to the loop of the
 * algorithm that owns it.
 *
 * <p>Two known failure modes of such estimates are avoided on purpose:
 * <ul>
 *   <li><b>One lucky sample.</b> A plain minimum of all run times falls for good to one job that
 *       happened to be fast, and the limit then collapses: every later run time looks like a
 *       queue. The estimate here is the lowest <em>average of a batch</em> of {@value #BATCH}
 *       consecutive samples, so one sample moves it by at most a sixteenth.</li>
 *   <li><b>A stale estimate.</b> The lowest average only ever falls; a downstream that became
 *       slower for good would look overloaded forever, and one whose load hides the no-load time
 *       (the scheduler keeps it busy) would never show it again. So the estimate is re-probed:
 *       when no batch has come down to it for {@code probeInterval} run times, the algorithm lowers
 *       its limit to half (see {@link #probeLimit()}) until the jobs that started above that have
 *       ended, then the next batch's average <em>replaces</em> the estimate, up or down. As in
 *       BBR's probe of its minimum round trip, this costs a short dip in concurrency and keeps the
 *       reference honest without letting it follow the load, which is what makes a limit creep.</li>
 * </ul>
 * Samples are never discarded for being fast: run times are kept in nanoseconds as doubles, so
 * jobs of a few microseconds count as much as slow ones.
 */
final class NoLoadTime {

    /** Samples averaged into one batch. */
    static final int BATCH = 16;

    private static final int NORMAL = 0;
    /** Waiting for the active jobs to fall to the probe limit. */
    private static final int DRAINING = 1;
    /** Passing over the samples of jobs that started before the concurrency fell. */
    private static final int SETTLING = 2;
    /** Averaging the batch that replaces the estimate. */
    private static final int MEASURING = 3;

    private final double probeInterval;
    private double nanos = Double.NaN;
    private double batchSum;
    private int batchCount;
    /** Run times (samples divided by concurrency, by Little's law) since a batch came down to the estimate. */
    private double runTimesSinceConfirmed;
    private int state = NORMAL;
    private int probeLimit;
    private int toSkip;

    /** @param probeInterval run times without a batch at or below the estimate before it is re-probed */
    NoLoadTime(int probeInterval) {
        this.probeInterval = probeInterval;
    }

    /** Returns the estimate in nanoseconds, or {@code NaN} before the first batch. */
    double nanos() {
        return nanos;
    }

    /** Whether the algorithm should hold its limit at {@link #probeLimit()} and leave it alone meanwhile. */
    boolean isProbing() {
        return state != NORMAL;
    }

    int probeLimit() {
        return probeLimit;
    }

    /**
     * Takes a sample.
     *
     * @param runNanos the job's run time
     * @param inFlight the active jobs at its end
     * @param limit    the owner's limit, which a probe halves (but not below {@code minLimit})
     * @param minLimit the owner's lowest limit
     */
    void onSample(long runNanos, int inFlight, int limit, int minLimit) {
        switch (state) {
            case NORMAL:
                runTimesSinceConfirmed += 1.0 / Math.max(1, inFlight);
                if (addToBatch(runNanos)) {
                    batchDone(limit, minLimit);
                }
                break;
            case DRAINING:
                if (inFlight <= probeLimit) {
                    state = SETTLING;
                    toSkip = inFlight;
                }
                break;
            case SETTLING:
                if (--toSkip <= 0) {
                    state = MEASURING;
                }
                break;
            default:
                if (addToBatch(runNanos)) {
                    nanos = batchSum / BATCH; // the probe's batch replaces the estimate, up or down
                    confirmed();
                    state = NORMAL;
                }
                break;
        }
    }

    private boolean addToBatch(long runNanos) {
        batchSum += runNanos;
        return ++batchCount == BATCH;
    }

    private void batchDone(int limit, int minLimit) {
        double average = batchSum / BATCH;
        if (!(average > nanos)) { // also the first batch, when nanos is NaN
            nanos = average;
            confirmed();
        } else {
            batchSum = 0;
            batchCount = 0;
            if (runTimesSinceConfirmed >= probeInterval) {
                probeLimit = Math.max(minLimit, limit / 2);
                state = DRAINING;
            }
        }
    }

    private void confirmed() {
        batchSum = 0;
        batchCount = 0;
        runTimesSinceConfirmed = 0;
    }

    @Override
    public String toString() {
        return "NoLoadTime{nanos=" + (long) nanos + (isProbing() ? ", probing}" : "}");
    }
}
