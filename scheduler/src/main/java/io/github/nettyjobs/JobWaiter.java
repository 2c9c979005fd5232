package io.github.nettyjobs;

import io.netty.util.concurrent.Promise;

import java.util.concurrent.TimeoutException;

/** One call of {@link Job#join()} or {@link Job#close()} waiting for a job to end; confined to the loop. */
final class JobWaiter extends TimedWaiter {

    static final int JOIN = 0;
    static final int CLOSE = 1;

    final DefaultJob<?> job;
    final int kind;
    final Promise<?> promise;
    JobWaiter next;

    JobWaiter(DefaultJob<?> job, int kind, Promise<?> promise) {
        this.job = job;
        this.kind = kind;
        this.promise = promise;
    }

    @Override
    void timedOut() {
        job.waiterTimedOut(this);
    }

    static TimeoutException closeTimedOut(Job<?> job) {
        return new TimeoutException(job.name() + " did not end within its close timeout");
    }

    static TimeoutException joinTimedOut(Job<?> job) {
        return new TimeoutException(job.name() + " did not end within the join timeout");
    }
}
