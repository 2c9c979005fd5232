package io.github.nettyjobs;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * Something waiting on a scheduler's loop for an event, with an optional timeout on that loop; it
 * is its own timer task. Confined to the loop.
 */
abstract class Waiter implements Runnable {

    private ScheduledFuture<?> timer;

    final void scheduleTimeout(EventExecutor loop, long nanos) {
        timer = loop.schedule(this, nanos, TimeUnit.NANOSECONDS);
    }

    /** Called when the wait ends otherwise, so the loop's timer queue does not keep the waiter. */
    final void cancelTimer() {
        ScheduledFuture<?> timer = this.timer;
        if (timer != null) {
            this.timer = null;
            timer.cancel(/* mayInterruptIfRunning= */ false);
        }
    }

    /** The timer fired. */
    @Override
    public final void run() {
        timer = null;
        onTimeout();
    }

    abstract void onTimeout();
}
