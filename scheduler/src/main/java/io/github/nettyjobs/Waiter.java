package io.github.nettyjobs;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * Something waiting on a scheduler's loop for an event, with an optional timeout on that loop; a
 * node of the {@link LinkedQueue} of its kind, so waiting allocates no list node. Confined to the
 * loop.
 *
 * @param <W> the concrete waiter type, the element type of its queue
 */
abstract class Waiter<W extends Waiter<W>> implements Runnable, Linked<W> {

    private ScheduledFuture<?> timer;
    private W prev;
    private W next;

    final void scheduleTimeout(EventExecutor loop, long nanos) {
        timer = loop.schedule(this, nanos, TimeUnit.NANOSECONDS);
    }

    /** Called when the wait ends otherwise, so the loop's timer queue does not keep the waiter. */
    final void cancelTimer() {
        ScheduledFuture<?> timer = this.timer;
        if (timer != null) {
            this.timer = null;
            timer.cancel(false);
        }
    }

    /** The timer fired. */
    @Override
    public final void run() {
        timer = null;
        timedOut();
    }

    abstract void timedOut();

    @Override
    public final W prev() {
        return prev;
    }

    @Override
    public final void prev(W prev) {
        this.prev = prev;
    }

    @Override
    public final W next() {
        return next;
    }

    @Override
    public final void next(W next) {
        this.next = next;
    }
}
