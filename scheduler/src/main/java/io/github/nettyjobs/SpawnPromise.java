package io.github.nettyjobs;

import io.netty.util.concurrent.DefaultPromise;

/**
 * The future {@link Scheduler#spawn(java.util.concurrent.Callable) spawn} returns when the job
 * cannot be admitted inside the call: spawned from another thread, or waiting for room in the
 * pending queue. It completes with the job once admitted; cancelling it before then withdraws the
 * spawn, and the task is never called.
 */
final class SpawnPromise<T> extends DefaultPromise<Job<T>> {

    private final DefaultJob<T> job;

    SpawnPromise(DefaultJob<T> job) {
        super(job.scheduler.executor());
        this.job = job;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        if (!super.cancel(mayInterruptIfRunning)) {
            return false;
        }
        if (executor().inEventLoop()) {
            job.spawnCancelled();
        } else {
            job.scheduler.runOnLoop(job, null); // DefaultJob.run() sees the cancellation
        }
        return true;
    }
}
