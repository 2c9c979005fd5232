package io.github.nettyjobs;

import io.github.nettyjobs.internal.VarHandles;
import io.netty.util.concurrent.CompleteFuture;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;
import io.netty.util.concurrent.Promise;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static io.github.nettyjobs.Checks.checkNotNull;
import static io.github.nettyjobs.Checks.checkTimeout;
import static io.github.nettyjobs.Checks.toNanos;

/**
 * The {@link Job} implementation and the one owner of a job's state: every transition of its life
 * (new, waiting, pending, active, closed) is a method of this class, and so is the delivery of its
 * outcome. Its fields are confined to the scheduler's event loop, except {@code state} and
 * {@code name}, which other threads read.
 *
 * <p>The {@link Scheduler} decides admission (it owns the slots and the queues) and calls the
 * transition that records its decision; the job tells the scheduler when it leaves a queue.
 *
 * <p>To keep spawn to one allocation the job plays four more parts: admitted on the loop inside
 * {@code spawn}, it is the future {@link Scheduler#spawn(Callable)} returns (a future already
 * succeeded with the job itself, so handing it out costs no atomic operation); it is the listener of
 * its task's future; it is the {@link Runnable} that brings work from other threads onto the loop
 * and the task of its own timer ({@link #run()} dispatches on the state); and it is its own node in
 * the scheduler's queues. Only a spawn from another thread, or one that waits for room, needs a
 * {@link SpawnPromise}; only a debug spawn or a timer needs {@link JobExtras}.
 */
final class DefaultJob<T> extends CompleteFuture<Job<T>>
        implements Job<T>, GenericFutureListener<Future<T>>, Runnable, Linked<DefaultJob<?>> {

    // The states, in the only order a job moves through them (any of them may jump to ST_CLOSED).
    /** Spawned from another thread and on its way to the loop. */
    static final int ST_NEW = 0;
    /** Waiting for room in the pending queue; not in the scheduler yet. */
    static final int ST_WAITING = 1;
    /** In the scheduler's pending queue, waiting for a slot under the limit. */
    static final int ST_PENDING = 2;
    /** Its task has been called and its future is not done. */
    static final int ST_ACTIVE = 3;
    /** Ended (see {@link #outcome}), or never admitted: withdrawn or rejected. */
    static final int ST_CLOSED = 4;

    // What a close of the job asks for (see closeRequest); a byte rather than a JobOutcome keeps a job at 72 bytes.
    /** No close was asked. */
    private static final byte CLOSE_NOT_ASKED = 0;
    /** A close ends the job {@link JobOutcome#CANCELLED} (or as its future ends, if it fails or succeeds anyway). */
    private static final byte CLOSE_CANCELS = 1;
    /**
     * A deadline closes the job: it ends {@link JobOutcome#TIMED_OUT}, and its joins time out even
     * if it is abandoned.
     */
    private static final byte CLOSE_TIMES_OUT = 2;
    /** Controlled delay shed the pending job: it ends {@link JobOutcome#DROPPED}, having waited too long. */
    private static final byte CLOSE_SHEDS = 3;

    // Where the report of a failure that ended the job inside its spawn stands (see reportState).
    /** No report waits. */
    private static final byte REPORT_NONE = 0;
    /** The report is queued on the loop ({@link #run()}, closed), behind what the spawn's caller queued. */
    private static final byte REPORT_QUEUED = 1;
    /**
     * A listener was added to the spawn's future (or it completed) after the report was queued:
     * Netty may have queued that listener's call behind the report (it does so past a depth of
     * nested listener calls), so the report queues once more, behind it, when its turn comes.
     */
    private static final byte REPORT_REQUEUE = 2;

    private static final VarHandle STATE = VarHandles.find(MethodHandles.lookup(), "state", int.class);
    private static final VarHandle NAME = VarHandles.find(MethodHandles.lookup(), "name", String.class);

    /** The owner; final, so read by the scheduler's walks and by {@link SpawnPromise}. */
    final Scheduler scheduler;
    /**
     * Read with acquire and set with release by any thread; the constructor's plain store is
     * published with the job (a volatile store there would fence every spawn).
     */
    private String name;
    /** Written only on the loop, with release semantics. */
    private int state;
    /** How an admitted job ended; set before the release store of {@link #ST_CLOSED}. */
    private JobOutcome outcome;
    /** What a close asked of the job: one of the {@code CLOSE_*} constants; kept once the job has ended. */
    private byte closeRequest;
    private Callable<? extends Future<T>> task;
    /** The future the task returned (a failed one if the task threw or returned null), once called. */
    private Future<T> future;
    /** Numbers the default name; given at admission. */
    private long sequence;
    /** The future spawn returned when admission could not happen inside spawn; else {@code null}. */
    private SpawnPromise<T> spawnPromise;
    private DefaultJob<?> prev;
    private DefaultJob<?> next;
    /** The first of the waiters of join() and close(), chained in arrival order; {@code null} if none. */
    private JobWaiter<?> waiters;
    /** {@code null} until needed. */
    private JobExtras extras;
    /**
     * Active and its task being called: on the scheduler's stack of such jobs, not in its active
     * list (see {@code Scheduler#start}). Written by the scheduler, on the loop.
     */
    boolean inCall;
        /** The spawn's caller has (or can have) the job: its spawn future is complete. */
    private boolean spawnCompleted;
    /** Whether a failure nobody has taken yet waits on the loop for a join(): one of the {@code REPORT_*} constants. */
    private byte reportState;

    /** On the spawning thread, in the {@code spawn} call. */
    DefaultJob(Scheduler scheduler, String name, Callable<? extends Future<T>> task) {
        super(scheduler.executor());
        this.scheduler = scheduler;
        this.name = name;
        this.task = task;
        if (scheduler.config.jobsCarryExtras) {
            this.extras = JobExtras.atSpawn(this, scheduler, task instanceof BlockingTask);
        }
    }

    // ---- Job: any thread ----

    @Override
    public String name() {
        String name = (String) NAME.getAcquire(this);
        return name != null ? name : "job-" + sequence;
    }

    @Override
    public void setName(String name) {
        NAME.setRelease(this, checkNotNull(name, "name"));
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
        return stateAcquire() == ST_CLOSED ? outcome : null;
    }

    @Override
    public Future<T> join() {
        return await(JobWaiter.Kind.JOIN, Checks.NO_LIMIT);
    }

    @Override
    public Future<T> join(Duration timeout) {
        return await(JobWaiter.Kind.JOIN, toNanos(checkTimeout(timeout, "timeout")));
    }

    @Override
    public Future<Void> close() {
        return await(JobWaiter.Kind.CLOSE, scheduler.config.closeTimeoutNanos);
    }

    @Override
    public Future<Void> close(Duration timeout) {
        return await(JobWaiter.Kind.CLOSE, toNanos(checkTimeout(timeout, "timeout")));
    }

    private <V> Future<V> await(JobWaiter.Kind kind, long timeoutNanos) {
        JobWaiter<V> waiter = new JobWaiter<>(this, kind, timeoutNanos);
        if (loop().inEventLoop()) {
            addWaiter(waiter);
        } else {
            scheduler.runOnLoop(waiter, waiter); // JobWaiter.run(): addWaiter
        }
        return waiter;
    }

    private EventExecutor loop() {
        return executor();
    }

    private int stateAcquire() {
        return (int) STATE.getAcquire(this);
    }

    private void setState(int newState) {
        assert newState > state : state + " -> " + newState;
        STATE.setRelease(this, newState);
    }

    // ---- admission: the scheduler decides, these transitions record it (on the loop) ----

    /**
     * A spawn from another thread, on the spawning thread: the job travels to the loop (see
     * {@link #run()}), and its caller gets a promise that completes there.
     */
    Future<Job<T>> spawnFromAnotherThread() {
        if (extras != null) {
            extras.spawnedElsewhere = true;
        }
        return spawnPromise = new SpawnPromise<>(this);
    }

    /** The future the spawn returned or returns: the job itself when admitted inside an on-loop spawn. */
    Future<Job<T>> spawnFuture() {
        SpawnPromise<T> promise = spawnPromise;
        return promise != null ? promise : this;
    }

    /**
     * Everything that reaches the job on its loop through {@code execute} or {@code schedule},
     * told apart by the state: the arrival of a job spawned from another thread, the cancellation
     * of a waiting spawn, the job's one timer (a queue, run or close deadline), the end of a future
     * completed on another thread, and a failure report put off by one loop turn. A stale call
     * finds nothing to do.
     */
    @Override
    public void run() {
        switch (state) {
            case ST_NEW -> onArrival();
            case ST_WAITING -> onWaitingTurn();
            case ST_PENDING -> onQueueDeadline(); // its timer: the only reason to run while pending
            case ST_ACTIVE -> onActiveTurn();
            case ST_CLOSED -> onDeferredReportTurn();
            default -> throw new AssertionError(state);
        }
    }

    /**
     * Spawned from another thread, the job reaches the loop: admitted, or withdrawn if cancelled on
     * the way. Admission finds the cancellation itself, by the compare-and-set that makes the spawn
     * uncancellable, so a job that starts at once touches its promise's line once, with a write.
     */
    private void onArrival() {
        scheduler.admit(this);
    }

    /** Whether the spawn's caller cancelled its future before the job was admitted. */
    boolean isSpawnCancelled() {
        SpawnPromise<T> promise = spawnPromise;
        return promise != null && promise.isCancelled();
    }

    /** New → closed: the spawn was cancelled on its way to the loop; its future is the cancelled promise. */
    Future<Job<T>> withdrawOnArrival() {
        closeUnadmitted();
        return spawnPromise;
    }

    /** Waiting for room: its spawn was cancelled (SpawnPromise.cancel hopped here), or its queue deadline passed. */
    private void onWaitingTurn() {
        if (spawnPromise.isCancelled()) {
            withdraw();
        } else {
            onQueueDeadline();
        }
    }

    /**
     * Active: its future completed on another thread, or its one timer fired: the run deadline
     * while it runs, the close deadline while it closes.
     */
    private void onActiveTurn() {
        if (future != null && future.isDone()) {
            onFutureDone();
        } else if (closeRequest == CLOSE_NOT_ASKED) {
            onRunDeadline();
        } else {
            onCloseDeadline();
        }
    }

    /**
     * The scheduler takes the job in and numbers it. Returns false if its spawn was cancelled
     * meanwhile: the job is then withdrawn, and the scheduler must not queue it.
     */
    boolean enter(long sequence) {
        SpawnPromise<T> promise = spawnPromise;
        if (promise != null && !promise.setUncancellable()) {
            closeUnadmitted();
            return false;
        }
        this.sequence = sequence;
        return true;
    }

    /**
     * New or waiting → pending: the scheduler put the job at the tail of its pending queue, where
     * it waits for a slot (see {@link #start()}).
     */
    void enqueue() {
        boolean wasWaiting = state == ST_WAITING;
        setState(ST_PENDING);
        if (!wasWaiting) {
            startQueueDeadline(); // a waiting job keeps the deadline it has
        }
    }

    /**
     * New → waiting: the pending queue is full; the spawn's future stays incomplete until
     * {@link #enter(long)}, {@link #reject} or {@link #withdraw()}.
     *
     * @return the spawn's future
     */
    Future<Job<T>> waitForRoom() {
        SpawnPromise<T> promise = spawnPromise;
        if (promise == null) {
            spawnPromise = promise = new SpawnPromise<>(this);
        }
        setState(ST_WAITING);
        startQueueDeadline();
        return promise;
    }

    /**
     * Arms the queue deadline of a job that has to wait (see
     * {@link Scheduler.Builder#pendingTimeout(Duration)}); a deadline that has passed already
     * fires on the next loop turn.
     */
    private void startQueueDeadline() {
        long timeout = scheduler.config.pendingTimeoutNanos;
        if (timeout != Checks.NO_LIMIT) {
            long left = extras.spawnedElsewhere ? timeout - (scheduler.config.nanoTime() - extras.spawnNanos) : timeout;
            // run(): onQueueDeadline()
            extras.timer = loop().schedule(this, Math.max(0, left), TimeUnit.NANOSECONDS);
        }
    }

    /**
     * The queue deadline passed: a waiting spawn fails, a pending job is dropped. Neither is a
     * failure of the job (it never ran), so nothing goes to the exception handler.
     */
    private void onQueueDeadline() {
        extras.timer = null;
        if (state == ST_PENDING) {
            end(JobOutcome.DROPPED);
            return;
        }
        scheduler.removeWaiting(this);
        reject(new SpawnRefusedException("Spawn timed out after " + scheduler.pendingTimeout()
                + " waiting for room in the pending queue"));
        scheduler.onReleased();
    }

    /**
     * Completes the spawn's future with the job, once it is pending or active: its caller has it
     * from now on.
     *
     * @return the spawn's future
     */
    Future<Job<T>> completeSpawn() {
        spawnCompleted = true;
        SpawnPromise<T> promise = spawnPromise;
        if (promise == null) {
            return this;
        }
        spawnPromise = null;
        promise.trySuccess(this);
        onSpawnListenerAdded(); // trySuccess may have queued its listeners' calls behind the report
        return promise;
    }

    /**
     * A listener was added to the spawn's future (the job itself, or its {@link SpawnPromise}), or
     * that promise completed: if a failure report waits, it must wait behind that listener's call,
     * which Netty may have queued. Off the loop the order is not ours to keep (see {@link Job}).
     */
    void onSpawnListenerAdded() {
        if (reportState == REPORT_QUEUED && loop().inEventLoop()) {
            reportState = REPORT_REQUEUE;
        }
    }

    /**
     * New or waiting → closed without entering the scheduler (closed, or its loop shut down): the
     * spawn fails with {@code cause} and the task is never called. A waiting spawn has already been
     * taken off the waiting queue.
     *
     * @return the spawn's (failed) future
     */
    Future<Job<T>> reject(RejectedExecutionException cause) {
        closeUnadmitted();
        SpawnPromise<T> promise = spawnPromise;
        if (promise != null && promise.isCancelled()) {
            // Withdrawn, though the withdrawal has not reached the loop yet (close() came first):
            // its caller cancelled it, so nobody is refused, and the listener hears nothing.
            return promise;
        }
        scheduler.spawnRejected(cause);
        if (promise == null) {
            return loop().newFailedFuture(cause);
        }
        promise.tryFailure(cause);
        return promise;
    }

    /** The spawn's future was cancelled before admission, on the loop or through a hop (see {@link SpawnPromise}). */
    void onSpawnCancelled() {
        if (state == ST_WAITING) {
            withdraw();
        }
        // A job still on its way to the loop sees the cancellation when it arrives, in run().
    }

    /** New or waiting → closed: the cancelled spawn is withdrawn and its task never called. */
    private void withdraw() {
        boolean wasWaiting = state == ST_WAITING;
        closeUnadmitted();
        if (wasWaiting) {
            scheduler.removeWaiting(this);
            scheduler.onReleased();
        }
    }

    private void closeUnadmitted() {
        task = null;
        if (extras != null) {
            extras.cancelTimer();
        }
        setState(ST_CLOSED);
    }

    // ---- running ----

    /**
     * New or pending → active: calls the task. The scheduler has counted the job active already.
     * Ends the job right here if its future is done, so this may re-enter the scheduler.
     */
    void start() {
        JobExtras extras = this.extras;
        if (extras == null) {
            setState(ST_ACTIVE);
            if (scheduler.hasAdaptiveLimit()) {
                startTimed();
            } else {
                callTask();
            }
            return;
        }
        extras.cancelTimer(); // the queue deadline
        setState(ST_ACTIVE);
        if (scheduler.config.readsClock) {
            extras.startNanos = scheduler.config.nanoTime();
            if (scheduler.listener() != null) {
                scheduler.jobStarted(this, extras.startNanos - extras.spawnNanos);
            }
        }
        if (extras.isDecorated()) {
            startDecorated(extras);
        } else {
            callTask();
        }
        long timeout = scheduler.config.jobTimeoutNanos;
        if (timeout != Checks.NO_LIMIT && state == ST_ACTIVE && closeRequest == CLOSE_NOT_ASKED && !future.isDone()) {
            extras.timer = loop().schedule(this, timeout, TimeUnit.NANOSECONDS); // run(): onRunDeadline()
        }
    }

    /**
     * Calls the task of a job that carries no extras but whose run the adaptive limit times. A job
     * that ends inside this call (its future was done at once) finds its start time in the
     * scheduler (see {@link Scheduler#startedAt}), so it allocates nothing for it; one still
     * running afterwards keeps it in extras made now.
     */
    private void startTimed() {
        long startNanos = scheduler.config.nanoTime();
        DefaultJob<?> outer = scheduler.startingJob;
        long outerNanos = scheduler.startingNanos;
        scheduler.startingJob = this; // a task may start other jobs of the scheduler: restored below
        scheduler.startingNanos = startNanos;
        try {
            callTask();
        } finally {
            scheduler.startingJob = outer;
            scheduler.startingNanos = outerNanos;
        }
        if (state == ST_ACTIVE) {
            extrasForTimer().startNanos = startNanos;
        }
    }

    /**
     * Starts through the task decorator's wrapper, which must call {@link #callTask()} (see
     * {@link JobExtras#run()}).
     */
    private void startDecorated(JobExtras extras) {
        Throwable failure = extras.decoratorFailure;
        if (failure == null) {
            try {
                extras.takeDecoratedStart().run();
            } catch (Throwable t) {
                failure = t;
            }
        }
        if (task != null) {
            // The decorator failed, or its wrapper did not run start: the job fails as if its task had thrown.
            taskFailed(failure != null ? failure
                    : new IllegalStateException("the task decorator's Runnable did not run the job's start"));
        } else if (failure != null) {
            // The task was called, then the wrapper threw (restoring its context, say): the job runs on.
            scheduler.onDecoratorThrewAfterStart(this, failure);
        }
    }

    /** Calls the task once (a decorator's wrapper may call this again: nothing happens then). */
    void callTask() {
        Callable<? extends Future<T>> task = this.task;
        if (task == null) {
            return;
        }
        this.task = null;
        long slowNanos = scheduler.config.slowTaskThresholdNanos;
        long calledAt = slowNanos == Checks.NO_LIMIT ? 0 : scheduler.config.nanoTime();
        Future<T> future;
        try {
            future = task.call();
            if (future == null) {
                future = loop().newFailedFuture(new NullPointerException("task of " + name() + " returned null"));
            }
        } catch (Throwable t) {
            future = loop().newFailedFuture(t);
        }
        if (slowNanos != Checks.NO_LIMIT) {
            long callNanos = scheduler.config.nanoTime() - calledAt;
            if (callNanos >= slowNanos) {
                scheduler.slowTask(this, callNanos); // before the job can end: a listener hears of it first
            }
        }
        taskReturned(future);
    }

    private void taskFailed(Throwable cause) {
        task = null;
        taskReturned(loop().newFailedFuture(cause));
    }

    private void taskReturned(Future<T> future) {
        this.future = future;
        if (closeRequest != CLOSE_NOT_ASKED) {
            // Closed from inside its own task, before there was a future to cancel.
            future.cancel(/* mayInterruptIfRunning= */ false);
        }
        if (future.isDone()) {
            onFutureDone();
        } else {
            future.addListener(this);
        }
    }

    /** Listener of the task's future; the outcome is handled on the loop. */
    @Override
    public void operationComplete(Future<T> future) {
        if (loop().inEventLoop()) {
            onFutureDone();
        } else {
            scheduler.runOnLoop(this, null); // run(), active: onFutureDone()
        }
    }

    private void onFutureDone() {
        if (state != ST_ACTIVE) {
            return; // abandoned after a close timeout: it already counts as closed
        }
        Future<T> future = this.future;
        if (closeRequest == CLOSE_TIMES_OUT) {
            end(JobOutcome.TIMED_OUT); // whatever its future did once cancelled: its time was up
        } else {
            end(future.isSuccess() ? JobOutcome.SUCCEEDED
                    : future.isCancelled() ? JobOutcome.CANCELLED : JobOutcome.FAILED);
        }
    }

    // ---- closing ----

    /** Whether a close of this active job is in progress. */
    boolean isClosing() {
        return closeRequest != CLOSE_NOT_ASKED;
    }

    /**
     * Asks the job to end: a pending job is dropped at once (its task is never called); an active
     * one has its future cancelled and ends when that future is done, which may be right here, since
     * cancelling runs listeners. A job that is closing or closed already is left as it is.
     */
    void requestClose() {
        requestClose(CLOSE_CANCELS);
    }

    /** As {@link #requestClose()}, for {@code request}: {@link #CLOSE_CANCELS} or {@link #CLOSE_TIMES_OUT}. */
    private void requestClose(byte request) {
        if (state == ST_PENDING) {
            closeRequest = request;
            end(request == CLOSE_TIMES_OUT ? JobOutcome.TIMED_OUT : JobOutcome.CANCELLED);
            return;
        }
        if (state != ST_ACTIVE || closeRequest != CLOSE_NOT_ASKED) {
            return;
        }
        closeRequest = request;
        if (extras != null) {
            extras.cancelTimer(); // its run deadline: a close in progress decides the outcome now
        }
        Future<T> future = this.future;
        if (future != null) {
            // May re-enter through operationComplete and end this job (and start others).
            future.cancel(/* mayInterruptIfRunning= */ false);
        }
        // else its task is running: start() cancels the future it returns
    }

    /**
     * The job's close deadline passed (see {@link #startCloseDeadline()}): it counts as closed
     * from now on, and the timeout goes to the exception handler, since the join that asked for
     * the close took its own timeout.
     */
    private void onCloseDeadline() {
        extras.timer = null;
        onCloseTimeout();
    }

    /**
     * The job ran for its scheduler's {@code jobTimeout}: it is closed and ends timed out, and gets
     * the close timeout to do so.
     */
    private void onRunDeadline() {
        extras.timer = null;
        timeOut();
    }

    /** Closes the job as timed out, with the scheduler's close timeout as its close deadline. */
    private void timeOut() {
        requestClose(CLOSE_TIMES_OUT);
        if (state == ST_ACTIVE) {
            startCloseDeadline();
        }
    }

    /**
     * The job outlived a close timeout that nobody waits on: the exception handler hears of it as
     * {@code "Job closing timed out"}, then the job is abandoned.
     */
    void onCloseTimeout() {
        report("Job closing timed out", closeTimedOut());
        abandon();
    }

    /**
     * Active → closed, abandoned: it outlived its close timeout and counts as closed whatever its
     * future does later.
     */
    private void abandon() {
        if (state == ST_ACTIVE) {
            end(JobOutcome.ABANDONED);
        }
    }

    /** Abandons the job, reporting it, if it is still active after the scheduler's close timeout. */
    private void startCloseDeadline() {
        long nanos = scheduler.config.closeTimeoutNanos;
        JobExtras extras = extrasForTimer();
        if (nanos != Checks.NO_LIMIT && extras.timer == null) {
            extras.timer = loop().schedule(this, nanos, TimeUnit.NANOSECONDS); // run(), active: onCloseDeadline()
        }
    }

    private JobExtras extrasForTimer() {
        JobExtras extras = this.extras;
        if (extras == null) {
            this.extras = extras = JobExtras.forTimer(this);
        }
        return extras;
    }

    // ---- the end ----

    /**
     * Pending or active → closed with {@code outcome}: the job leaves its queue (and the next jobs
     * start), then its outcome is handed out.
     */
    private void end(JobOutcome outcome) {
        int from = state;
        assert from == ST_PENDING || from == ST_ACTIVE : from;
        this.outcome = outcome;
        task = null;
        JobExtras extras = this.extras;
        if (extras != null) {
            extras.cancelTimer();
        }
        setState(ST_CLOSED);
        if (scheduler.hasAdaptiveLimit() || (extras != null && scheduler.listener() != null)) {
            timeEnd(extras, from == ST_ACTIVE, outcome);
        }
        if (from == ST_ACTIVE) {
            scheduler.onActiveJobEnded(this);
        } else {
            scheduler.onPendingJobEnded(this);
        }
        deliverOutcome();
        scheduler.onReleased();
    }

    /** Tells the listener of the end and gives the adaptive limit its sample, with one reading of the clock. */
    private void timeEnd(JobExtras extras, boolean started, JobOutcome outcome) {
        long now = scheduler.config.nanoTime();
        long startNanos = extras != null ? extras.startNanos : scheduler.startedAt(this, now);
        long run = started ? Math.max(1, now - startNanos) : 0;
        if (scheduler.listener() != null) {
            scheduler.jobEnded(this, outcome, (started ? extras.startNanos : now) - extras.spawnNanos, run);
        }
        if (started) {
            scheduler.sample(outcome, run); // before the slot frees, so the job counts as in flight
        }
    }

    /** Hands the outcome to the waiters, or a failure nobody took to the exception handler. */
    private void deliverOutcome() {
        JobWaiter<?> first = waiters == null ? null : takeWaiters(); // most jobs have no waiter
        boolean taken = false;
        for (JobWaiter<?> waiter = first; waiter != null; waiter = waiter.next) {
            waiter.cancelTimer();
            taken |= complete(waiter.kind, waiter);
        }
        if (taken) {
            return;
        }
        if (outcome == JobOutcome.TIMED_OUT) {
            report("Job timed out", timedOut());
            return;
        }
        if (outcome != JobOutcome.FAILED) {
            return; // cancellation and shedding are never reported; abandonment is by whoever gave up waiting
        }
        if (spawnCompleted) {
            reportFailure();
            return;
        }
        // Ended inside spawn(): nobody could have joined yet. Give a join() one loop turn (run(), closed).
        try {
            loop().execute(this);
            reportState = REPORT_QUEUED;
            scheduler.onDeferredReportQueued();
        } catch (RejectedExecutionException loopShutDown) {
            reportFailure();
        }
    }

    /** The turn of a failure report put off by {@link #deliverOutcome()}: it goes out, or queues once more. */
    private void onDeferredReportTurn() {
        if (reportState == REPORT_REQUEUE) {
            reportState = REPORT_QUEUED;
            try {
                loop().execute(this); // behind the listener calls queued meanwhile
                return;
            } catch (RejectedExecutionException loopShutDown) {
                // report now: nothing will run on this loop again
            }
        }
        if (reportState == REPORT_QUEUED) {
            // The report first: the scheduler may count itself idle once it is done, and a
            // waitAndClose() that completes then must have seen the handler called.
            reportState = REPORT_NONE;
            reportFailure();
            scheduler.onDeferredReportDone();
        }
    }

    /** The report put off is over: sent, or taken by a join. */
    private void clearDeferredReport() {
        reportState = REPORT_NONE;
        scheduler.onDeferredReportDone();
    }

    /**
     * Completes one waiter of the ended job with its outcome.
     *
     * @return whether the waiter took a failure that would otherwise go to the exception handler
     */
    @SuppressWarnings("unchecked")
    private boolean complete(JobWaiter.Kind kind, Promise<?> promise) {
        if (outcome == JobOutcome.TIMED_OUT) {
            return promise.tryFailure(timedOut()); // every waiter times out with the job
        }
        return switch (kind) {
            case JOIN -> completeJoin((Promise<T>) promise);
            case EXPIRED_JOIN -> {
                promise.tryFailure(new TimeoutException(name() + " did not end within the join timeout"));
                yield false;
            }
            case CLOSE -> completeClose((Promise<Void>) promise);
        };
    }

    /** Completes a {@code join()} of the ended job (not timed out); see {@link #complete}. */
    private boolean completeJoin(Promise<T> promise) {
        switch (outcome) {
            case SUCCEEDED -> promise.trySuccess(future.getNow());
            case FAILED -> {
                return promise.tryFailure(future.cause());
            }
            case DROPPED -> promise.tryFailure(dropped());
            case ABANDONED -> {
                if (closeRequest == CLOSE_TIMES_OUT) {
                    promise.tryFailure(timedOut());
                } else {
                    promise.cancel(/* mayInterruptIfRunning= */ false);
                }
            }
            default -> promise.cancel(/* mayInterruptIfRunning= */ false); // closed before it finished
        }
        return false;
    }

    /** Completes a {@code close()} of the ended job (not timed out); see {@link #complete}. */
    private boolean completeClose(Promise<Void> promise) {
        return switch (outcome) {
            case FAILED -> promise.tryFailure(future.cause());
            case ABANDONED -> {
                promise.tryFailure(closeTimedOut());
                yield false;
            }
            default -> {
                promise.trySuccess(null);
                yield false;
            }
        };
    }

    /** The exception of a join of a job dropped before it started. */
    private TimeoutException dropped() {
        return new TimeoutException(closeRequest == CLOSE_SHEDS
                ? name() + " was dropped: it waited too long in a standing queue (controlled delay)"
                : name() + " was dropped: not started within the pending timeout " + scheduler.pendingTimeout());
    }

    // ---- waiters ----

    /** On the loop: a join or close starts waiting, or is answered at once if the job has ended. */
    @SuppressWarnings("unchecked")
    void addWaiter(JobWaiter<?> waiter) {
        if (waiter.isCancelled()) {
            waiter.linkState = JobWaiter.DONE; // cancelled on its way to the loop
            return;
        }
        if (state == ST_CLOSED) {
            waiter.linkState = JobWaiter.DONE;
            if (waiter.kind == JobWaiter.Kind.CLOSE) {
                ((Promise<Void>) waiter).trySuccess(null);
            } else if (complete(waiter.kind, waiter) && reportState != REPORT_NONE) {
                clearDeferredReport(); // this join takes the failure whose report waited for it
            }
            return;
        }
        link(waiter);
        if (waiter.kind == JobWaiter.Kind.CLOSE) {
            requestClose(); // may end the job, and complete the waiter, right here
        }
        if (state != ST_CLOSED && waiter.timeoutNanos != Checks.NO_LIMIT) {
            waiter.scheduleTimeout();
        }
    }

    /** Puts {@code waiter} at the tail of the circular chain whose head is {@link #waiters}. */
    private void link(JobWaiter<?> waiter) {
        JobWaiter<?> head = waiters;
        if (head == null) {
            waiter.prev = waiter;
            waiter.next = waiter;
            waiters = waiter;
        } else {
            JobWaiter<?> tail = head.prev;
            waiter.prev = tail;
            waiter.next = head;
            tail.next = waiter;
            head.prev = waiter;
        }
        waiter.linkState = JobWaiter.LINKED;
    }

    /**
     * On the loop: the caller cancelled {@code waiter}'s future. It leaves the chain with its timer
     * and the job is left as it is (a join that expired has closed the job already).
     */
    void onWaiterCancelled(JobWaiter<?> waiter) {
        if (waiter.linkState != JobWaiter.LINKED) {
            return; // still on its way (it will not be linked), or taken by the job's end
        }
        waiter.cancelTimer();
        JobWaiter<?> next = waiter.next;
        if (next == waiter) {
            waiters = null;
        } else {
            waiter.prev.next = next;
            next.prev = waiter.prev;
            if (waiters == waiter) {
                waiters = next;
            }
        }
        waiter.prev = null;
        waiter.next = null;
        waiter.linkState = JobWaiter.DONE;
    }

    /**
     * Takes the whole chain for the job's end: every waiter is marked done first, so that a
     * listener run by completing one cannot unlink another from under the walk.
     *
     * @return the first waiter of a chain ending with {@code null}, or {@code null} if none
     */
    private JobWaiter<?> takeWaiters() {
        JobWaiter<?> head = waiters;
        if (head == null) {
            return null;
        }
        waiters = null;
        head.prev.next = null;
        for (JobWaiter<?> waiter = head; waiter != null; waiter = waiter.next) {
            waiter.linkState = JobWaiter.DONE;
            waiter.prev = null;
        }
        return head;
    }

    /** The number of waiters in the chain, for tests. */
    int waiterCount() {
        JobWaiter<?> head = waiters;
        if (head == null) {
            return 0;
        }
        int count = 1;
        for (JobWaiter<?> waiter = head.next; waiter != head; waiter = waiter.next) {
            count++;
        }
        return count;
    }

    /** A waiter's time ran out; it is still waiting, since the job's end cancels every waiter's timer. */
    void onWaiterTimeout(JobWaiter<?> waiter) {
        assert state == ST_PENDING || state == ST_ACTIVE : state;
        if (waiter.kind == JobWaiter.Kind.CLOSE) {
            // The close caller takes the TimeoutException as the job ends; nothing is reported.
            abandon();
            return;
        }
        // As aiojobs: a join that times out closes the job, then fails with TimeoutException.
        waiter.expire();
        timeOut();
    }

    // ---- reports ----

    private void reportFailure() {
        report("Job processing failed", future.cause());
    }

    private void report(String message, Throwable exception) {
        scheduler.callExceptionHandler(new ExceptionContext(message, this, exception,
                extras != null ? extras.spawnTrace : null));
    }

    /** The exception of a job that ended {@link JobOutcome#TIMED_OUT} (or was abandoned after it timed out). */
    private TimeoutException timedOut() {
        Duration limit = scheduler.jobTimeout();
        return new TimeoutException(name() + " timed out" + (limit != null ? " (jobTimeout " + limit + ')' : ""));
    }

    private TimeoutException closeTimedOut() {
        return new TimeoutException(name() + " did not end within its close timeout");
    }

    // ---- for the scheduler's walks ----

    /** The scheduler's clock at the spawn call; only when the scheduler reads the clock. */
    long spawnNanos() {
        return extras.spawnNanos;
    }

    /** Pending → closed, dropped by controlled delay: its task is never called. */
    void shed() {
        closeRequest = CLOSE_SHEDS;
        end(JobOutcome.DROPPED);
    }

    /** Whether {@code scheduler} holds this job, active or pending. */
    boolean isHeldBy(Scheduler scheduler) {
        return this.scheduler == scheduler && (state == ST_ACTIVE || state == ST_PENDING);
    }

    boolean isActiveOnLoop() {
        return state == ST_ACTIVE;
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

    @Override
    public Future<Job<T>> addListener(GenericFutureListener<? extends Future<? super Job<T>>> listener) {
        onSpawnListenerAdded();
        return super.addListener(listener);
    }

    @Override
    @SafeVarargs
    @SuppressWarnings("varargs")
    public final Future<Job<T>> addListeners(GenericFutureListener<? extends Future<? super Job<T>>>... listeners) {
        onSpawnListenerAdded();
        return super.addListeners(listeners);
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
