package io.github.nettyjobs;

import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** One call of {@link Job#join()} or {@link Job#close()} waiting for a job to end; confined to the loop. */
final class JobWaiter implements Runnable {

    static final int JOIN = 0;
    static final int CLOSE = 1;

    final DefaultJob<?> job;
    final int kind;
    final Promise<?> promise;
    JobWaiter next;
    private ScheduledFuture<?> timer;

    JobWaiter(DefaultJob<?> job, int kind, Promise<?> promise) {
        this.job = job;
        this.kind = kind;
        this.promise = promise;
    }

    void scheduleTimeout(long nanos) {
        timer = job.scheduler.executor().schedule(this, nanos, TimeUnit.NANOSECONDS);
    }

    void cancelTimer() {
        ScheduledFuture<?> timer = this.timer;
        if (timer != null) {
            this.timer = null;
            timer.cancel(false);
        }
    }

    /** The timeout. */
    @Override
    public void run() {
        timer = null;
        job.waiterTimedOut(this);
    }

    static TimeoutException closeTimedOut(Job<?> job) {
        return new TimeoutException(job.name() + " did not end within its close timeout");
    }

    static TimeoutException joinTimedOut(Job<?> job) {
        return new TimeoutException(job.name() + " did not end within the join timeout");
    }
}
