package io.github.nettyjobs;

/**
 * Controlled delay (CoDel) on a scheduler's pending queue, as folly's executors apply it (and
 * Facebook's "Fail at Scale" describes): it tells a queue that stands from a burst. Confined to the
 * scheduler's loop.
 *
 * <p>Each time a slot frees for the queue (or a job starts at once, with a wait of 0) the wait of
 * the oldest pending job is noted: in first-in-first-out order that is the job whose turn it is.
 * At the first turn after an interval has passed, the queue is judged: it <em>stands</em> for the
 * next interval if the shortest of those waits in the one just ended was above the target (no job
 * got through quickly: the queue never emptied). While it stands, an oldest job that waited more
 * than twice the target is shed instead of started: its caller has likely given up, and starting
 * it would only make the jobs behind it late too. A burst that drains within an interval leaves
 * some short wait in it, so nothing is shed; and a new interval never sheds on its first turn, so
 * one job always gets through to measure. Judging by the oldest job keeps adaptive LIFO (which
 * starts the newest job, whose wait is short) from making a standing queue look drained. Without
 * shedding (adaptive LIFO alone), only the judgement is used.
 */
final class ControlledDelay {

    /** The judgement used by adaptive LIFO when no controlled delay is configured: folly's defaults. */
    static final long DEFAULT_TARGET_NANOS = 5_000_000;
    static final long DEFAULT_INTERVAL_NANOS = 100_000_000;

    private final long targetNanos;
    private final long intervalNanos;
    private final boolean sheds;
    private boolean started;
    private long intervalEnd;
    private long shortestWait;
    private boolean standing;

    ControlledDelay(long targetNanos, long intervalNanos, boolean sheds) {
        this.targetNanos = targetNanos;
        this.intervalNanos = intervalNanos;
        this.sheds = sheds;
    }

    /**
     * A slot is free for the queue, whose oldest job has waited {@code waitNanos} (0 for a job that
     * starts at once).
     *
     * @param now       the scheduler's clock
     * @param waitNanos from the oldest job's spawn to now
     * @return whether to shed the oldest job instead of starting a job
     */
    boolean turn(long now, long waitNanos) {
        if (!started || now - intervalEnd >= 0) {
            standing = started && shortestWait > targetNanos;
            started = true;
            intervalEnd = now + intervalNanos;
            shortestWait = waitNanos;
            return false;
        }
        if (waitNanos < shortestWait) {
            shortestWait = waitNanos;
        }
        return sheds && standing && waitNanos > 2 * targetNanos;
    }

    /** Whether the queue stood through the last full interval: adaptive LIFO serves the newest job first meanwhile. */
    boolean isStanding() {
        return standing;
    }

    @Override
    public String toString() {
        return "ControlledDelay{target=" + targetNanos + "ns, interval=" + intervalNanos + "ns"
                + (standing ? ", standing}" : "}");
    }
}
