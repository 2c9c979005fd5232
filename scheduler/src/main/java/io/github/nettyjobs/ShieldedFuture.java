package io.github.nettyjobs;

import io.netty.util.concurrent.DefaultPromise;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;

/**
 * The future {@link Scheduler#shield(Future)} returns: it completes as the inner future does, and
 * cancelling it leaves the inner one alone. Its fields are confined to the scheduler's event loop;
 * like a job it is its own listener, its own hop onto the loop and its own queue node.
 */
final class ShieldedFuture<T> extends DefaultPromise<T>
        implements GenericFutureListener<Future<T>>, Runnable, Linked<ShieldedFuture<?>> {

    private final Scheduler scheduler;
    private final Future<T> inner;
    private ShieldedFuture<?> prev;
    private ShieldedFuture<?> next;
    private boolean registered;
    private boolean tracked;

    ShieldedFuture(Scheduler scheduler, Future<T> inner) {
        super(scheduler.executor());
        this.scheduler = scheduler;
        this.inner = inner;
    }

    /** On the loop: starts tracking (unless the scheduler is closed) and listens to the inner future. */
    void register() {
        registered = true;
        tracked = scheduler.track(this);
        inner.addListener(this);
    }

    @Override
    public void operationComplete(Future<T> future) {
        if (scheduler.executor().inEventLoop()) {
            innerDone();
        } else {
            scheduler.runOnLoop(this, null);
        }
    }

    /** The registration when shielding from another thread, or the end of an inner future completed elsewhere. */
    @Override
    public void run() {
        if (!registered) {
            register();
        } else if (inner.isDone()) {
            innerDone();
        }
    }

    private void innerDone() {
        if (tracked) {
            tracked = false;
            scheduler.untrack(this);
        }
        if (inner.isSuccess()) {
            trySuccess(inner.getNow());
        } else if (inner.isCancelled()) {
            cancel(/* mayInterruptIfRunning= */ false);
        } else {
            tryFailure(inner.cause());
        }
    }

    /** Scheduler close: the one place where the shielded future itself is cancelled. */
    void cancelInner() {
        inner.cancel(/* mayInterruptIfRunning= */ false);
    }

    /** The scheduler gave up waiting for the inner future after its close timeout. */
    void onUntracked() {
        tracked = false;
    }

    @Override
    public ShieldedFuture<?> prev() {
        return prev;
    }

    @Override
    public void prev(ShieldedFuture<?> prev) {
        this.prev = prev;
    }

    @Override
    public ShieldedFuture<?> next() {
        return next;
    }

    @Override
    public void next(ShieldedFuture<?> next) {
        this.next = next;
    }
}
