package io.github.nettyjobs;

import io.github.nettyjobs.internal.VarHandles;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.PromiseNotifier;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.concurrent.SingleThreadEventExecutor;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The open → closing → closed life of one {@link Scheduler}: its close future and close timer, the
 * {@code waitAndClose} calls waiting for it to fall idle, and the hook that closes it when its loop
 * shuts down. Confined to the scheduler's loop, except {@link #isClosed()}, published with a
 * release store.
 *
 * <p>What a close does to the jobs is the scheduler's business ({@link Scheduler#cancelAll()},
 * {@link Scheduler#abandonAll()}); this class decides when it happens and when it is over.
 */
final class SchedulerLifecycle {

    private static final int ST_OPEN = 0;
    private static final int ST_CLOSING = 1;
    private static final int ST_CLOSED = 2;

    private static final VarHandle STATE = VarHandles.find(MethodHandles.lookup(), "state", int.class);

    private final Scheduler scheduler;
    private final EventLoop loop;
    private final long closeTimeoutNanos;
    /** Closes the scheduler when its loop shuts down; {@code null} for loops without shutdown hooks. */
    private final Runnable loopShutdownHook;
    /** Written only on the loop, with release semantics. */
    private int state;
    private Promise<Void> closeFuture;
    private ScheduledFuture<?> closeTimer;
    private final LinkedQueue<IdleWaiter> idleWaiters = new LinkedQueue<>();
    /** A walk over the jobs is running (close, or its timeout): the close must not finish inside it. */
    private boolean walking;

    SchedulerLifecycle(Scheduler scheduler, EventLoop loop, long closeTimeoutNanos) {
        this.scheduler = scheduler;
        this.loop = loop;
        this.closeTimeoutNanos = closeTimeoutNanos;
        this.loopShutdownHook = loop instanceof SingleThreadEventExecutor ? this::loopShuttingDown : null;
    }

    void registerShutdownHook() {
        if (loopShutdownHook != null) {
            try {
                ((SingleThreadEventExecutor) loop).addShutdownHook(loopShutdownHook);
            } catch (RejectedExecutionException alreadyShutDown) {
                // Nothing will run on this loop again; spawn and close already answer without it.
            }
        }
    }

    /** On the loop: whether the scheduler still takes jobs. */
    boolean isOpen() {
        return state == ST_OPEN;
    }

    /** Any thread: whether close has begun. */
    boolean isClosed() {
        return (int) STATE.getAcquire(this) != ST_OPEN;
    }

    /** See {@link Scheduler#close()}; on the loop, idempotent. */
    Future<Void> close() {
        if (closeFuture != null) {
            return closeFuture;
        }
        Promise<Void> closed = loop.newPromise();
        closed.setUncancellable();
        closeFuture = closed;
        STATE.setRelease(this, ST_CLOSING);
        walking = true;
        try {
            scheduler.cancelAll();
        } finally {
            walking = false;
        }
        for (IdleWaiter waiter; (waiter = idleWaiters.pollFirst()) != null; ) {
            completeWithClose(waiter);
        }
        if (!maybeFinishClose() && closeTimeoutNanos != Checks.NO_LIMIT) {
            closeTimer = loop.schedule(this::closeTimedOut, closeTimeoutNanos, TimeUnit.NANOSECONDS);
        }
        return closed;
    }

    /** See {@link Scheduler#waitAndClose(java.time.Duration)}; on the loop. */
    Future<Void> waitAndClose(long timeoutNanos) {
        if (state != ST_OPEN || scheduler.isIdle()) {
            return close();
        }
        IdleWaiter waiter = new IdleWaiter(this, loop.newPromise());
        idleWaiters.addLast(waiter);
        if (timeoutNanos != Checks.NO_LIMIT) {
            waiter.scheduleTimeout(loop, timeoutNanos);
        }
        return waiter.promise;
    }

    /** A waitAndClose grace period ran out: close now. */
    void onIdleWaitTimeout(IdleWaiter waiter) {
        idleWaiters.remove(waiter);
        completeWithClose(waiter);
    }

    /** The one path of an idle waiter: closes (if not done yet) and completes the waiter when the close does. */
    private void completeWithClose(IdleWaiter waiter) {
        waiter.cancelTimer();
        close().addListener(new PromiseNotifier<>(waiter.promise));
    }

    /** Something left the scheduler (a job, a waiting spawn, a shielded future, a deferred report). */
    void onReleased() {
        if (state == ST_CLOSING) {
            maybeFinishClose();
        } else if (state == ST_OPEN && !idleWaiters.isEmpty() && scheduler.isIdle()) {
            close();
        }
    }

    private boolean maybeFinishClose() {
        if (state == ST_CLOSED) {
            return true;
        }
        if (walking || scheduler.hasWorkToClose()) {
            return false;
        }
        STATE.setRelease(this, ST_CLOSED);
        ScheduledFuture<?> timer = closeTimer;
        if (timer != null) {
            closeTimer = null;
            timer.cancel(/* mayInterruptIfRunning= */ false);
        }
        if (loopShutdownHook != null) {
            ((SingleThreadEventExecutor) loop).removeShutdownHook(loopShutdownHook);
        }
        closeFuture.setSuccess(null);
        return true;
    }

    private void closeTimedOut() {
        closeTimer = null;
        if (state != ST_CLOSING) {
            return;
        }
        walking = true; // finish once, below, after every straggler is reported
        try {
            scheduler.abandonAll();
        } finally {
            walking = false;
        }
        maybeFinishClose();
    }

    /**
     * The loop shuts down: close, so that waiting spawns fail rather than hang. The loop cancels its
     * scheduled tasks while it shuts down, so no close timeout could fire: whatever has not ended
     * once cancelled is abandoned (and reported) at once.
     */
    private void loopShuttingDown() {
        close();
        closeTimedOut();
    }

    @Override
    public String toString() {
        int state = (int) STATE.getAcquire(this);
        return state == ST_OPEN ? "open" : state == ST_CLOSING ? "closing" : "closed";
    }
}
