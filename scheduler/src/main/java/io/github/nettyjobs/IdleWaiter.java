package io.github.nettyjobs;

import io.netty.util.concurrent.Promise;

/** One {@link Scheduler#waitAndClose(java.time.Duration)} waiting for the scheduler to fall idle; confined to the loop. */
final class IdleWaiter extends Waiter<IdleWaiter> {

    private final SchedulerLifecycle lifecycle;
    /** What {@code waitAndClose} returned; completed with the close by {@link SchedulerLifecycle}. */
    final Promise<Void> promise;

    IdleWaiter(SchedulerLifecycle lifecycle, Promise<Void> promise) {
        this.lifecycle = lifecycle;
        this.promise = promise;
    }

    /** The grace period ran out. */
    @Override
    void timedOut() {
        lifecycle.idleWaitTimedOut(this);
    }
}
