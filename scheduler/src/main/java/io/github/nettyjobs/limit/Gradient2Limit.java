package io.github.nettyjobs.limit;

/**
 * A gradient limit: it compares the recent run time with the no-load time and scales the limit
 * by their ratio, as Netflix's {@code Gradient2Limit} does, with its two known gaps closed.
 * Confined to the loop of the scheduler that owns it.
 *
 * <p>Samples are taken in rounds of {@code limit} jobs (about one run time's worth: the jobs of a
 * round started under the limit the last round set, so each update sees the effect of the one
 * before, and the limit cannot swing wider than its feedback, as per-sample updates do). With
 * {@code recent} the round's average run time and {@code noLoad} the no-load time
 * ({@link NoLoadTime}), each round computes
 * <pre>
 *   gradient = clamp(tolerance * noLoad / recent, 0.5, 1)
 *   limit    = gradient &lt; 1 ? limit * gradient                       (a queue showed: cut at once)
 *            : inFlight reached limit / 2 ? limit + growth * sqrt(limit) (no queue: probe upwards)
 *            : limit                                                    (light load proves nothing)
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
final class Gradient2Limit extends DelayBasedLimit {

    private final double tolerance;
    private final double growth;

    Gradient2Limit(int initialLimit, int minLimit, int maxLimit, double tolerance, double growth, double backoff,
                   int probeInterval) {
        super(initialLimit, minLimit, maxLimit, backoff, probeInterval);
        this.tolerance = tolerance;
        this.growth = growth;
    }

    @Override
    int roundSize() {
        return (int) limit;
    }

    @Override
    void roundDone(double noLoadNanos, double recent, boolean busy) {
        double gradient = Math.max(0.5, Math.min(1.0, tolerance * noLoadNanos / Math.max(1.0, recent)));
        if (gradient < 1.0) {
            // the round saw a queue: cut in proportion, at once
            limit = Math.max(minLimit, limit * gradient);
        } else if (busy) {
            limit = Math.min(maxLimit, limit + growth * Math.sqrt(limit));
        }
    }
}
