package io.github.nettyjobs;

/**
 * Hears what happens to a {@link Scheduler}'s jobs, for metrics and tracing (see
 * {@code io.github.nettyjobs.micrometer.SchedulerMetrics}). Every method is called on the
 * scheduler's event loop, so it must be quick and must not block; a listener that throws is logged
 * and ignored. One listener may serve many schedulers (a {@link SchedulerGroup}'s, say), and so be
 * called from several loops at once. Every method does nothing by default.
 *
 * <p>Times are read with {@link System#nanoTime()} only when a listener (or a
 * {@linkplain Scheduler.Builder#pendingTimeout(java.time.Duration) pending timeout}) is configured;
 * a task's call is timed only with a
 * {@linkplain Scheduler.Builder#slowTaskThreshold(java.time.Duration) slow-task threshold}.
 */
public interface SchedulerListener {

    /**
     * A job's task is about to be called.
     *
     * @param job         the job, active from now on
     * @param queuedNanos how long it waited since its {@code spawn} call (pending, or waiting for room)
     */
    default void jobStarted(Job<?> job, long queuedNanos) {
    }

    /**
     * A job that entered the scheduler (it was pending or active) has ended; called once per such job.
     *
     * @param job         the job, closed now
     * @param outcome     how it ended, as {@link Job#outcome()}
     * @param queuedNanos from its {@code spawn} call until it started, or until it ended if it never started
     * @param runNanos    from its start to its end, at least 1 for a job that started; 0 for one that never did
     */
    default void jobEnded(Job<?> job, JobOutcome outcome, long queuedNanos, long runNanos) {
    }

    /**
     * A spawn failed, so no job entered the scheduler: it is closed, its pending queue was full
     * ({@linkplain Scheduler.Builder#rejectWhenFull(boolean) rejectWhenFull}), the spawn timed out
     * waiting for room, or the loop is shut down. Not called for withdrawn (cancelled) spawns.
     * When the loop is shut down there is no loop left to call on: then it is called on the thread
     * that called {@code spawn}.
     *
     * @param scheduler the scheduler that refused
     * @param reason    the spawn future's failure, a {@link java.util.concurrent.RejectedExecutionException}
     */
    default void spawnRejected(Scheduler scheduler, Throwable reason) {
    }

    /**
     * The scheduler's {@linkplain Scheduler.Builder#limit(java.util.function.Supplier) adaptive limit}
     * moved, after the sample of a job that ended.
     *
     * @param scheduler the scheduler whose limit changed
     * @param oldLimit  the limit before
     * @param newLimit  the limit from now on, at least 1
     */
    default void limitChanged(Scheduler scheduler, int oldLimit, int newLimit) {
    }

    /**
     * A task's call held the event loop for at least the scheduler's
     * {@linkplain Scheduler.Builder#slowTaskThreshold(java.time.Duration) slow-task threshold}: it
     * blocked (a blocking call belongs in {@code spawnBlocking}) or computed too long. Called once
     * per such job, right after its task returned, before the job can end.
     *
     * @param job       the job whose task was slow, active (or closing, if its task closed it)
     * @param callNanos how long the task's call took, read with the scheduler's clock
     */
    default void slowTask(Job<?> job, long callNanos) {
    }
}
