package io.github.nettyjobs.limit;

/**
 * Decides a scheduler's concurrency limit from the jobs it sees end. One instance serves one
 * scheduler and every call comes from that scheduler's event loop, so an implementation needs no
 * synchronization. The scheduler reads {@link #limit()} once when it is built (on the building
 * thread, before the scheduler is shared with any other) and after every sample.
 *
 * <p>Samples: a job that started and ended {@code SUCCEEDED} or {@code FAILED} gives a sample with
 * {@code dropped} {@code false}; one that ended {@code TIMED_OUT} gives one with {@code dropped}
 * {@code true} (the sign of overload); a job cancelled, abandoned or dropped from the queue gives none.
 *
 * @see Limits
 */
public interface LimitAlgorithm {

    /**
     * Returns the current limit.
     *
     * @return the most jobs that may be active at once, at least 1
     */
    int limit();

    /**
     * Takes the sample of a job that has ended.
     *
     * @param runNanos from the job's start to its end
     * @param inFlight the active jobs when it ended, itself included
     * @param dropped  {@code true} if the job timed out
     */
    void onSample(long runNanos, int inFlight, boolean dropped);
}
