package io.github.nettyjobs.limit;

/**
 * A gradient limit: it compares the recent run time with the no-load time and scales the limit
 * by their ratio, as Netflix's {@code Gradient2Limit} does, with its two known gaps closed.
 * Confined to the loop of the scheduler that owns it.
 *
 * <p>With {@code short} the moving average of the last {@code shortWindow} run times and
 * {@code noLoad} the no-load time ({@link NoLoadTime}), each sample computes
 * <pre>
 *   gradient = clamp(tolerance * noLoad / short, 0.5, 1)
 *   target   = limit * gradient + (gradient == 1 and inFlight &gt;= limit / 2 ? sqrt(limit) : 0)
 *   limit    = limit * (1 - smoothing) + target * smoothing
 * </pre>
 * and a timed-out job (a dropped sample) cuts the limit to {@code backoff * limit} at once.
 * <ul>
 *   <li><b>No creep at steady load.</b> Netflix's version adds its {@code sqrt(limit)} headroom
 *       on every sample and compares with a long average that follows the load, so at a steady
 *       load the gradient is 1 and the limit climbs for ever. Here headroom is added only while the
 *       run time is within {@code tolerance} of the no-load time, and the no-load time does not
 *       follow the load (it is re-probed, not averaged), so the limit settles where queueing
 *       starts to show: about {@code tolerance} times what the downstream can take.</li>
 *   <li><b>Timeouts cut.</b> Netflix's version ignores drops; here a timed-out job is the
 *       clearest sign of overload and cuts the limit multiplicatively, like AIMD.</li>
 *   <li><b>Light load does not grow the limit</b>: headroom needs half the limit in use.</li>
 * </ul>
 * While the no-load time is being re-probed the limit is held at half its value and the
 * gradient rule rests.
 */
final class Gradient2Limit implements LimitAlgorithm {

    private final int minLimit;
    private final int maxLimit;
    private final double tolerance;
    private final double smoothing;
    private final double shortAlpha;
    private final double backoff;
    private final NoLoadTime noLoad;
    private double limit;
    private double shortNanos = Double.NaN;

    Gradient2Limit(int initialLimit, int minLimit, int maxLimit, double tolerance, double smoothing, int shortWindow,
                   double backoff, int probeInterval) {
        this.limit = initialLimit;
        this.minLimit = minLimit;
        this.maxLimit = maxLimit;
        this.tolerance = tolerance;
        this.smoothing = smoothing;
        this.shortAlpha = 2.0 / (shortWindow + 1);
        this.backoff = backoff;
        this.noLoad = new NoLoadTime(probeInterval);
    }

    @Override
    public int limit() {
        return noLoad.isProbing() ? noLoad.probeLimit() : (int) limit;
    }

    @Override
    public void onSample(long runNanos, int inFlight, boolean dropped) {
        shortNanos = Double.isNaN(shortNanos) ? runNanos : shortNanos + shortAlpha * (runNanos - shortNanos);
        noLoad.onSample(runNanos, inFlight, (int) limit, minLimit);
        if (dropped) {
            limit = Math.max(minLimit, limit * backoff);
            return;
        }
        double noLoadNanos = noLoad.nanos();
        if (noLoad.isProbing() || Double.isNaN(noLoadNanos)) {
            return;
        }
        double gradient = Math.max(0.5, Math.min(1.0, tolerance * noLoadNanos / Math.max(1.0, shortNanos)));
        double target = limit * gradient;
        if (gradient == 1.0 && 2 * inFlight >= (int) limit) {
            target += Math.sqrt(limit);
        }
        limit = Math.max(minLimit, Math.min(maxLimit, limit * (1 - smoothing) + target * smoothing));
    }

    @Override
    public String toString() {
        return "Gradient2Limit{limit=" + limit() + ", shortNanos=" + (long) shortNanos + ", " + noLoad + '}';
    }
}
