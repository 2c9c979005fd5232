package io.github.nettyjobs;

import io.netty.util.concurrent.DefaultPromise;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * One call of {@link Job#join()} or {@link Job#close()}: the future the call returns, and the
 * job's record of it while it waits. Its links and timer are confined to the loop; the promise is
 * completed there, by the job ({@code DefaultJob#complete}) as it ends.
 *
 * <p>The waiters of a job form a circular chain, so a waiter joins at the tail and leaves from
 * anywhere in O(1): a join cancelled by its caller leaves at once, with its timer, and never
 * touches the job. A close cannot be cancelled: it goes on, as {@link Scheduler#close()} does.
 *
 * <p>It is also the {@link Runnable} of everything that reaches it on the loop, told apart by
 * {@link #linkState}: its arrival from another thread, its timeout, and its cancellation from
 * another thread.
 */
final class JobWaiter<V> extends DefaultPromise<V> implements Runnable {

    /** What the caller asked for. */
    enum Kind {
        /** {@link Job#join()}: the job's result. */
        JOIN,
        /**
         * A {@link Job#join(java.time.Duration)} whose timeout passed: it closed the job and fails
         * once the job has ended.
         */
        EXPIRED_JOIN,
        /** {@link Job#close()}: the job's end. */
        CLOSE
    }

    /** Created, on its way to the loop or about to be linked. */
    static final byte NEW = 0;
    /** In its job's chain. */
    static final byte LINKED = 1;
    /** Out of the chain for good: completed, cancelled, or answered at once. */
    static final byte DONE = 2;

    /** The job waited for, which completes the waiter when it ends ({@code DefaultJob#complete}). */
    final DefaultJob<?> job;
    /** Written only by {@link #expire()}. */
    Kind kind;
    /** How long to wait before closing the job; {@link Checks#NO_LIMIT} for no limit. */
    final long timeoutNanos;
    /** On the loop: where the waiter stands; see {@link #NEW}, {@link #LINKED}, {@link #DONE}. */
    byte linkState;
    /** The neighbours in the job's circular chain, while linked. */
    JobWaiter<?> prev;
    JobWaiter<?> next;
    private ScheduledFuture<?> timer;

    JobWaiter(DefaultJob<?> job, Kind kind, long timeoutNanos) {
        super(job.scheduler.executor());
        this.job = job;
        this.kind = kind;
        this.timeoutNanos = timeoutNanos;
        if (kind == Kind.CLOSE) {
            setUncancellable();
        }
    }

    /** A join's timeout passed. */
    void expire() {
        assert kind == Kind.JOIN;
        kind = Kind.EXPIRED_JOIN;
    }

    void scheduleTimeout() {
        timer = executor().schedule(this, timeoutNanos, TimeUnit.NANOSECONDS);
    }

    /** Called when the wait ends otherwise, so the loop's timer queue does not keep the waiter. */
    void cancelTimer() {
        ScheduledFuture<?> timer = this.timer;
        if (timer != null) {
            this.timer = null;
            timer.cancel(/* mayInterruptIfRunning= */ false);
        }
    }

    /** Stops waiting; the job is left as it is. A close's future refuses (see {@link #setUncancellable()}). */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        if (!super.cancel(mayInterruptIfRunning)) {
            return false;
        }
        if (executor().inEventLoop()) {
            job.onWaiterCancelled(this);
        } else {
            job.scheduler.runOnLoop(this, null); // run(): the cancellation
        }
        return true;
    }

    /**
     * On the loop: the arrival of a waiter created on another thread, its timer, or its
     * cancellation from another thread. A stale call finds nothing to do.
     */
    @Override
    public void run() {
        switch (linkState) {
            case NEW -> job.addWaiter(this);
            case LINKED -> {
                if (isCancelled()) {
                    job.onWaiterCancelled(this);
                } else {
                    timer = null;
                    job.onWaiterTimeout(this);
                }
            }
            default -> {
                // done: a cancellation that reached the loop after the job's end
            }
        }
    }
}
