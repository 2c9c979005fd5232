package io.github.nettyjobs;

import io.netty.util.concurrent.Promise;

/** One {@link Scheduler#waitAndClose(java.time.Duration)} waiting for the scheduler to fall idle; confined to the loop. */
final class IdleWaiter extends TimedWaiter {

    private final Scheduler scheduler;
    final Promise<Void> promise;
    IdleWaiter next;

    IdleWaiter(Scheduler scheduler, Promise<Void> promise) {
        this.scheduler = scheduler;
        this.promise = promise;
    }

    /** The grace period ran out. */
    @Override
    void timedOut() {
        scheduler.idleWaitTimedOut(this);
    }
}
