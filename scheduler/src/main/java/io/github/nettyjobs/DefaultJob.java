package io.github.nettyjobs;

import io.netty.util.concurrent.CompleteFuture;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;
import io.netty.util.concurrent.Promise;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;

import static io.github.nettyjobs.Checks.checkNotNull;
import static io.github.nettyjobs.Checks.checkTimeout;
import static io.github.nettyjobs.Checks.toNanos;

/**
 * The {@link Job} implementation; its fields are confined to the scheduler's event loop except
 * {@code state} and {@code name}, which other threads read.
 *
 * <p>To keep spawn to one allocation the job plays three more parts: admitted on the loop inside
 * {@code spawn}, it is the future {@link Scheduler#spawn(Callable)} returns (a future already
 * succeeded with the job itself, so handing it out costs no atomic operation); it is the listener of
 * its task's future; and it is the {@link Runnable} that brings work from other threads onto the
 * loop ({@link #run()} dispatches on the state). It is also its own node in the scheduler's queues.
 * Only a spawn from another thread, or one that waits for room, needs a {@link SpawnPromise}.
 */
final class DefaultJob<T> extends CompleteFuture<Job<T>>
        implements Job<T>, GenericFutureListener<Future<T>>, Runnable, Linked<DefaultJob<?>> {

    /** Spawned from another thread and on its way to the loop. */
    static final int ST_NEW = 0;
    /** Waiting for room in the pending queue; not in the scheduler yet. */
    static final int ST_WAITING = 1;
    static final int ST_PENDING = 2;
    static final int ST_ACTIVE = 3;
    static final int ST_CLOSED = 4;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(DefaultJob.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Scheduler scheduler;
    final Throwable spawnTrace;
    private volatile String name;
    /** Written only on the loop, with release semantics. */
    private int state;
    private Callable<? extends Future<T>> task;
    /** The future the task returned, once it has been called. */
    private Future<T> future;
    long sequence;
    /** The future spawn returned when admission could not happen inside spawn; else {@code null}. */
    SpawnPromise<T> spawnPromise;
    private DefaultJob<?> prev;
    private DefaultJob<?> next;
    /** Waiters of join() and close(), most recent first; rarely more than one. */
    private JobWaiter waiters;

    /** Someone asked for the outcome, so a failure is theirs rather than the exception handler's. */
    private boolean explicit;
    /** Close was asked while the task was running, before its future existed. */
    private boolean cancelRequested;
    /** The outcome, fixed when the job ends. */
    private Throwable failure;
    private boolean cancelled;
    private boolean abandoned;
    /** The spawn's caller has (or can have) the job: the spawn future is complete. */
    private boolean handedOut;
    /** A failure that nobody has claimed yet waits one loop turn for a join() before it is reported. */
    private boolean reportDeferred;

    DefaultJob(Scheduler scheduler, String name, Callable<? extends Future<T>> task, Throwable spawnTrace) {
        super(scheduler.executor());
        this.scheduler = scheduler;
        this.name = name;
        this.task = task;
        this.spawnTrace = spawnTrace;
    }

    // ---- Job ----

    @Override
    public String name() {
        String name = this.name;
        return name != null ? name : "job-" + sequence;
    }

    @Override
    public void setName(String name) {
        this.name = checkNotNull(name, "name");
    }

    @Override
    public Scheduler scheduler() {
        return scheduler;
    }

    @Override
    public boolean isPending() {
        return stateAcquire() == ST_PENDING;
    }

    @Override
    public boolean isActive() {
        return stateAcquire() == ST_ACTIVE;
    }

    @Override
    public boolean isClosed() {
        return stateAcquire() == ST_CLOSED;
    }

    @Override
    public JobOutcome outcome() {
        if (stateAcquire() != ST_CLOSED) {
            return null;
        }
        if (abandoned) {
            return JobOutcome.ABANDONED;
        }
        if (cancelled) {
            return JobOutcome.CANCELLED;
        }
        return failure != null ? JobOutcome.FAILED : JobOutcome.SUCCEEDED;
    }

    @Override
    public Future<T> join() {
        return await(JobWaiter.JOIN, Checks.NO_LIMIT);
    }

    @Override
    public Future<T> join(Duration timeout) {
        return await(JobWaiter.JOIN, toNanos(checkTimeout(timeout, "timeout")));
    }

    @Override
    public Future<Void> close() {
        return await(JobWaiter.CLOSE, scheduler.closeTimeoutNanos());
    }

    @Override
    public Future<Void> close(Duration timeout) {
        return await(JobWaiter.CLOSE, toNanos(checkTimeout(timeout, "timeout")));
    }

    private <V> Future<V> await(int kind, long timeoutNanos) {
        Promise<V> promise = scheduler.executor().newPromise();
        if (scheduler.executor().inEventLoop()) {
            addWaiter(kind, promise, timeoutNanos);
        } else {
            scheduler.runOnLoop(() -> addWaiter(kind, promise, timeoutNanos), promise);
        }
        return promise;
    }

    // ---- state ----

    int state() {
        return state;
    }

    private int stateAcquire() {
        return (int) STATE.getAcquire(this);
    }

    void setState(int newState) {
        STATE.setRelease(this, newState);
    }

    // ---- Linked ----

    @Override
    public DefaultJob<?> prev() {
        return prev;
    }

    @Override
    public void prev(DefaultJob<?> prev) {
        this.prev = prev;
    }

    @Override
    public DefaultJob<?> next() {
        return next;
    }

    @Override
    public void next(DefaultJob<?> next) {
        this.next = next;
    }

    // ---- lifecycle, on the loop ----

    /** Calls the task; the job is already counted active. Ends the job at once if its future is done. */
    void start() {
        Callable<? extends Future<T>> task = this.task;
        this.task = null;
        Future<T> future;
        try {
            future = task.call();
        } catch (Throwable t) {
            scheduler.jobEnded(this, t, false, false);
            return;
        }
        if (future == null) {
            scheduler.jobEnded(this, new NullPointerException("task of " + name() + " returned null"), false, false);
            return;
        }
        this.future = future;
        if (cancelRequested) {
            // Closed from inside its own task, before there was a future to cancel.
            future.cancel(false);
        }
        if (future.isDone()) {
            futureDone();
        } else {
            future.addListener(this);
        }
    }

    boolean isCancelRequested() {
        return cancelRequested;
    }

    /** Cancels the job's future; a job whose task is running is cancelled as soon as the task returns. */
    void requestCancel() {
        assert state == ST_ACTIVE;
        cancelRequested = true;
        Future<T> future = this.future;
        if (future != null) {
            // May re-enter through operationComplete and end this job (and start others) right here.
            future.cancel(false);
        }
    }

    /** Listener of the task's future; the outcome is handled on the loop. */
    @Override
    public void operationComplete(Future<T> future) {
        if (scheduler.executor().inEventLoop()) {
            futureDone();
        } else {
            scheduler.runOnLoop(this, null);
        }
    }

    private void futureDone() {
        if (state != ST_ACTIVE) {
            return; // abandoned after a close timeout: it already counts as closed
        }
        Future<T> future = this.future;
        if (future.isSuccess()) {
            scheduler.jobEnded(this, null, false, false);
        } else if (future.isCancelled()) {
            scheduler.jobEnded(this, null, true, false);
        } else {
            scheduler.jobEnded(this, future.cause(), false, false);
        }
    }

    /**
     * Brings work onto the loop: the admission of a job spawned from another thread, the withdrawal
     * of a cancelled waiting spawn, the end of a future completed elsewhere, or a deferred failure
     * report. Each case checks the state, so a stale or repeated dispatch does nothing.
     */
    @Override
    public void run() {
        switch (state) {
            case ST_NEW:
                scheduler.admit(this);
                break;
            case ST_WAITING:
                if (spawnPromise.isCancelled()) {
                    scheduler.withdraw(this);
                }
                break;
            case ST_ACTIVE:
                Future<T> future = this.future;
                if (future != null && future.isDone()) {
                    futureDone();
                }
                break;
            case ST_CLOSED:
                if (reportDeferred) {
                    reportDeferred = false;
                    if (!explicit) {
                        scheduler.reportFailure(this, failure);
                    }
                    scheduler.deferredReportDone();
                }
                break;
            default:
                throw new AssertionError(state);
        }
    }

    // ---- the spawn future, once admitted: succeeded with the job itself ----

    @Override
    public boolean isSuccess() {
        return true;
    }

    @Override
    public Throwable cause() {
        return null;
    }

    @Override
    public Job<T> getNow() {
        return this;
    }

    /** Completes the future {@code spawn} returned: the job is in the scheduler now. */
    void completeSpawn() {
        handedOut = true;
        SpawnPromise<T> promise = spawnPromise;
        if (promise != null) {
            spawnPromise = null;
            promise.trySuccess(this);
        }
    }

    void withdrawIfWaiting() {
        if (state == ST_WAITING) {
            scheduler.withdraw(this);
        }
    }

    /** Marks a spawn that never entered the scheduler (withdrawn or rejected) as closed. */
    void discard() {
        task = null;
        setState(ST_CLOSED);
    }

    /** Fixes the outcome; the scheduler has already removed the job from its queues. */
    void markEnded(Throwable failure, boolean cancelled, boolean abandoned) {
        this.failure = failure;
        this.cancelled = cancelled;
        this.abandoned = abandoned;
        this.task = null;
        setState(ST_CLOSED);
    }

    /** Hands the outcome to the waiters, or a failure nobody claimed to the exception handler. */
    void notifyEnded() {
        JobWaiter waiter = waiters;
        waiters = null;
        boolean delivered = false;
        for (; waiter != null; waiter = waiter.next) {
            waiter.cancelTimer();
            delivered |= completeWaiter(waiter.kind, waiter.promise, true);
        }
        Throwable failure = this.failure;
        if (failure != null && !delivered) {
            if (handedOut) {
                scheduler.reportFailure(this, failure);
            } else {
                // Ended inside spawn(): nobody could have joined yet. Give a join() one loop turn.
                try {
                    scheduler.executor().execute(this);
                    reportDeferred = true;
                    scheduler.reportDeferred();
                } catch (RejectedExecutionException loopShutDown) {
                    scheduler.reportFailure(this, failure);
                }
            }
        }
    }

    /**
     * Completes one waiter with the job's outcome.
     *
     * @param ending whether the job is ending now (else the waiter came after the end)
     * @return whether the waiter took a failure
     */
    @SuppressWarnings("unchecked")
    private boolean completeWaiter(int kind, Promise<?> promise, boolean ending) {
        if (kind == JobWaiter.CLOSE) {
            if (!ending) {
                return ((Promise<Void>) promise).trySuccess(null);
            }
            if (abandoned) {
                promise.tryFailure(JobWaiter.closeTimedOut(this));
                return false;
            }
            if (failure != null) {
                return promise.tryFailure(failure);
            }
            ((Promise<Void>) promise).trySuccess(null);
            return false;
        }
        if (failure != null) {
            return promise.tryFailure(failure);
        }
        if (cancelled) { // also when dropped while pending, or abandoned after a close timeout
            promise.cancel(false);
        } else {
            ((Promise<T>) promise).trySuccess(future.getNow());
        }
        return false;
    }

    private void addWaiter(int kind, Promise<?> promise, long timeoutNanos) {
        if (state == ST_CLOSED) {
            if (kind == JobWaiter.JOIN) {
                explicit = true;
            }
            completeWaiter(kind, promise, false);
            return;
        }
        explicit = true;
        JobWaiter waiter = new JobWaiter(this, kind, promise);
        waiter.next = waiters;
        waiters = waiter;
        if (kind == JobWaiter.CLOSE) {
            scheduler.closeJob(this); // may end the job, and complete the waiter, right here
        }
        if (state != ST_CLOSED && timeoutNanos != Checks.NO_LIMIT) {
            waiter.scheduleTimeout(scheduler.executor(), timeoutNanos);
        }
    }

    /** A waiter's time ran out. */
    void waiterTimedOut(JobWaiter waiter) {
        if (!removeWaiter(waiter)) {
            return; // completed meanwhile
        }
        if (waiter.kind == JobWaiter.CLOSE) {
            // The job outlived its close timeout: it counts as closed from now on.
            scheduler.abandon(this);
            waiter.promise.tryFailure(JobWaiter.closeTimedOut(this));
            return;
        }
        // As aiojobs: a join that times out closes the job, then fails with TimeoutException.
        Promise<Void> closing = scheduler.executor().newPromise();
        closing.addListener(f -> {
            if (abandoned) {
                scheduler.reportCloseTimeout(this);
            } else if (!f.isSuccess()) {
                scheduler.reportFailure(this, f.cause());
            }
            waiter.promise.tryFailure(JobWaiter.joinTimedOut(this));
        });
        addWaiter(JobWaiter.CLOSE, closing, scheduler.closeTimeoutNanos());
    }

    private boolean removeWaiter(JobWaiter waiter) {
        JobWaiter previous = null;
        for (JobWaiter w = waiters; w != null; previous = w, w = w.next) {
            if (w == waiter) {
                if (previous == null) {
                    waiters = w.next;
                } else {
                    previous.next = w.next;
                }
                w.next = null;
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        String stateName;
        switch (stateAcquire()) {
            case ST_PENDING:
                stateName = "pending";
                break;
            case ST_ACTIVE:
                stateName = "active";
                break;
            case ST_CLOSED:
                stateName = "closed";
                break;
            default:
                stateName = "spawning";
                break;
        }
        return "Job{name=" + name() + ", " + stateName + '}';
    }
}
