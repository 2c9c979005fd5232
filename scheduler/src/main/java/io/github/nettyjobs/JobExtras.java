package io.github.nettyjobs;

import io.netty.util.concurrent.ScheduledFuture;

/**
 * What a job carries only when its scheduler's options need it: the stack at {@code spawn} in
 * debug mode, the spawn and start times for a listener or a queue deadline, the start wrapped by a
 * {@link TaskDecorator}, and the one timer a job may have at a time. Allocated at the spawn when an
 * option needs it, else on first need (a join's timeout closing the job), so a plain spawn
 * allocates nothing for it.
 *
 * <p>Written on the spawning thread before the job is handed to the loop, then confined to the
 * loop. It is the {@code start} that a {@link TaskDecorator} wraps.
 */
final class JobExtras implements Runnable {

    private final DefaultJob<?> job;
    /** The stack at {@code spawn}, or {@code null} outside debug mode. */
    final Throwable spawnTrace;
    /** The scheduler's clock at the spawn call, when the scheduler reads the clock; else 0. */
    final long spawnNanos;
    /** The scheduler's clock at the start, when the scheduler reads the clock and the job started; else 0. */
    long startNanos;
    /**
     * Spawned from another thread: its queue deadline is shortened by the time it took to reach
     * the loop. A spawn on the loop is queued inside the call, so its deadline is exactly the
     * timeout from then, in the loop's own time (which tests may freeze).
     */
    boolean spawnedElsewhere;
    /**
     * What the loop runs to start the job: the decorator's wrapper; {@code null} without a
     * decorator, or once taken.
     */
    private Runnable decoratedStart;
    /** Why the decorator gave no usable wrapper; the job fails with it when it starts. */
    final Throwable decoratorFailure;
    /**
     * The job's pending timer, or {@code null}: its queue deadline while waiting or pending, its
     * run deadline while active, or its close deadline while closing (see {@code DefaultJob#run()}).
     */
    ScheduledFuture<?> timer;

    private JobExtras(DefaultJob<?> job, Throwable spawnTrace, long spawnNanos, TaskDecorator decorator) {
        this.job = job;
        this.spawnTrace = spawnTrace;
        this.spawnNanos = spawnNanos;
        Throwable failure = null;
        if (decorator != null) {
            try {
                decoratedStart = decorator.decorate(this);
                if (decoratedStart == null) {
                    failure = new NullPointerException("the task decorator returned null");
                }
            } catch (Throwable t) {
                failure = t;
            }
        }
        this.decoratorFailure = failure;
    }

    /** On the spawning thread, in the spawn call: what the scheduler's options ask each job to carry. */
    static JobExtras atSpawn(DefaultJob<?> job, Scheduler scheduler, boolean blocking) {
        // A blocking job's call is decorated on its blocking thread, by its task (see BlockingTask).
        return new JobExtras(job, scheduler.config.debug ? new SpawnTrace() : null,
                scheduler.config.timesSpawn ? scheduler.config.nanoTime() : 0,
                blocking ? null : scheduler.config.taskDecorator);
    }

    /** On the loop, for a job without options that needs a timer after all. */
    static JobExtras forTimer(DefaultJob<?> job) {
        return new JobExtras(job, null, 0, null);
    }

    /** The {@code start} a decorator wraps: calls the job's task (once; later calls do nothing). */
    @Override
    public void run() {
        job.callTask();
    }

    /** Whether the job starts through a {@link TaskDecorator}. */
    boolean isDecorated() {
        return decoratedStart != null || decoratorFailure != null;
    }

    /**
     * Takes the decorator's wrapper, so that nothing of the spawning thread's context stays
     * reachable from the job once it has started.
     */
    Runnable takeDecoratedStart() {
        Runnable start = decoratedStart;
        decoratedStart = null;
        return start;
    }

    void cancelTimer() {
        ScheduledFuture<?> timer = this.timer;
        if (timer != null) {
            this.timer = null;
            timer.cancel(/* mayInterruptIfRunning= */ false);
        }
    }
}
