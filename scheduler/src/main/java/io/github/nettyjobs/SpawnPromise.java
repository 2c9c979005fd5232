package io.github.nettyjobs;

import io.netty.util.concurrent.DefaultPromise;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;
import io.netty.util.concurrent.Promise;

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
    public Promise<Job<T>> addListener(GenericFutureListener<? extends Future<? super Job<T>>> listener) {
        job.onSpawnListenerAdded();
        return super.addListener(listener);
    }

    @Override
    @SafeVarargs
    @SuppressWarnings("varargs")
    public final Promise<Job<T>> addListeners(GenericFutureListener<? extends Future<? super Job<T>>>... listeners) {
        job.onSpawnListenerAdded();
        return super.addListeners(listeners);
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        if (!super.cancel(mayInterruptIfRunning)) {
            return false;
        }
        if (executor().inEventLoop()) {
            job.onSpawnCancelled();
        } else {
            job.scheduler.runOnLoop(job, null); // DefaultJob.run() sees the cancellation
        }
        return true;
    }
}
