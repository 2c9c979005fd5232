package io.github.nettyjobs;

import io.netty.util.concurrent.Promise;

/**
 * One {@link Scheduler#waitAndClose(java.time.Duration)} waiting for the scheduler to fall idle;
 * confined to the loop. A node of the lifecycle's {@link LinkedQueue}, since one may leave it alone
 * when its grace period runs out.
 */
final class IdleWaiter extends Waiter implements Linked<IdleWaiter> {

    private final SchedulerLifecycle lifecycle;
    /** What {@code waitAndClose} returned; completed with the close by {@link SchedulerLifecycle}. */
    final Promise<Void> promise;

    IdleWaiter(SchedulerLifecycle lifecycle, Promise<Void> promise) {
        this.lifecycle = lifecycle;
        this.promise = promise;
    }

    /** The grace period ran out. */
    @Override
    void onTimeout() {
        lifecycle.onIdleWaitTimeout(this);
    }

    private IdleWaiter prev;
    private IdleWaiter next;

    @Override
    public IdleWaiter prev() {
        return prev;
    }

    @Override
    public void prev(IdleWaiter prev) {
        this.prev = prev;
    }

    @Override
    public IdleWaiter next() {
        return next;
    }

    @Override
    public void next(IdleWaiter next) {
        this.next = next;
    }
}
