package io.github.nettyjobs;

import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/** One {@link Scheduler#waitAndClose(java.time.Duration)} waiting for the scheduler to fall idle; confined to the loop. */
final class IdleWaiter implements Runnable {

    private final Scheduler scheduler;
    final Promise<Void> promise;
    IdleWaiter next;
    private ScheduledFuture<?> timer;

    IdleWaiter(Scheduler scheduler, Promise<Void> promise) {
        this.scheduler = scheduler;
        this.promise = promise;
    }

    void scheduleTimeout(long nanos) {
        timer = scheduler.executor().schedule(this, nanos, TimeUnit.NANOSECONDS);
    }

    void cancelTimer() {
        ScheduledFuture<?> timer = this.timer;
        if (timer != null) {
            this.timer = null;
            timer.cancel(false);
        }
    }

    /** The grace period ran out. */
    @Override
    public void run() {
        timer = null;
        scheduler.idleWaitTimedOut(this);
    }
}
