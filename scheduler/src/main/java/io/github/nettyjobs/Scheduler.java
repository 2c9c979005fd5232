package io.github.nettyjobs;

import io.github.nettyjobs.internal.LogText;
import io.github.nettyjobs.internal.VarHandles;
import io.github.nettyjobs.limit.LimitAlgorithm;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.PromiseNotifier;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import static io.github.nettyjobs.Checks.checkNotNull;
import static io.github.nettyjobs.Checks.checkPositive;
import static io.github.nettyjobs.Checks.checkPositiveOrZero;
import static io.github.nettyjobs.Checks.checkTimeout;
import static io.github.nettyjobs.Checks.toNanos;

/**
 * A container of {@link Job jobs} whose whole state lives on one Netty {@link EventLoop}: it is
 * read and changed only on that loop, without locks. Methods called from other threads hop onto
 * the loop and return a {@link Future} that completes there; the counts are published to other
 * threads with release stores.
 *
 * <p>At most {@link #limit()} jobs are active at once; further jobs wait, first in first out, in a
 * pending queue of at most {@link #pendingLimit()} jobs, and a {@code spawn} that finds that queue
 * full waits for room (backpressure). {@link #close()} cancels everything;
 * {@link #waitAndClose()} lets the jobs finish first, within a grace period. A scheduler closes
 * itself when its loop shuts down, so nothing waits on a loop that will never run again.
 *
 * <p>For servers under load, all off by default: {@link Builder#jobTimeout(Duration) jobTimeout}
 * closes jobs that run too long, {@link Builder#pendingTimeout(Duration) pendingTimeout} sheds
 * spawns that wait too long for a slot, {@link Builder#rejectWhenFull(boolean) rejectWhenFull}
 * refuses spawns at once when the queue is full, a {@link SchedulerListener} (for metrics) hears of
 * every start, end and refusal, and a {@link TaskDecorator} carries thread context into the tasks.
 * The limit can set itself ({@link Builder#limit(Supplier)} with an algorithm of
 * {@link io.github.nettyjobs.limit.Limits}), and the queue can shed what waited too long while it
 * stands ({@link Builder#controlledDelay(Duration, Duration) controlledDelay}) and serve the newest
 * job first meanwhile ({@link Builder#adaptiveLifo(boolean) adaptiveLifo}).
 *
 * <p>A task must never block the loop: {@link #spawnBlocking(String, Callable)} runs a blocking call
 * on another thread as a job like any other, and {@link Builder#slowTaskThreshold(Duration)
 * slowTaskThreshold} reports tasks whose call held the loop too long.
 *
 * <pre>{@code
 * Scheduler scheduler = Scheduler.create(channel.eventLoop());
 * scheduler.spawn(() -> sendReport(channel))          // a task returning a Netty Future
 *          .addListener(spawned -> log(spawned.getNow().name()));
 * ...
 * scheduler.waitAndClose(Duration.ofSeconds(10));
 * }</pre>
 */
public final class Scheduler implements Iterable<Job<?>> {

    private static final InternalLogger logger = InternalLoggerFactory.getInstance(Scheduler.class);

    static final String CLOSED_MESSAGE = "Scheduling a new job after closing";

    private static final VarHandle LIMIT = VarHandles.find(MethodHandles.lookup(), "limit", int.class);

    private final EventLoop loop;
    /** The options, read by the scheduler and its jobs; never written after the constructor. */
    final SchedulerConfig config;
    private final SchedulerLifecycle lifecycle;

    /**
     * The limit in force: the configured one, or the adaptive algorithm's last answer. Published:
     * written only on the loop with a release store, readable anywhere.
     */
    private int limit;

    // Confined to the loop.
    private final LinkedQueue<DefaultJob<?>> active = new LinkedQueue<>();
    private final LinkedQueue<DefaultJob<?>> pending = new LinkedQueue<>();
    /** Spawns waiting for room in the pending queue; not jobs of the scheduler yet. */
    private final LinkedQueue<DefaultJob<?>> waiting = new LinkedQueue<>();
    private final LinkedQueue<ShieldedFuture<?>> shields = new LinkedQueue<>();
    /** Failure reports put off by one loop turn (see DefaultJob#deliverOutcome); still work of the scheduler. */
    private int deferredReports;
    /**
     * What admitting, starting and ending jobs write, in an object of its own (see
     * {@link PerJobFields}): the published counts, numbering, and the stack of jobs whose task is
     * being called.
     */
    private final PerJobFields perJob = new PerJobFields();
    /** The adaptive limit, or {@code null} for the fixed one. */
    private final LimitAlgorithm limitAlgorithm;
    /** The pending queue's controlled delay, or {@code null} when neither it nor adaptive LIFO is on. */
    private final ControlledDelay controlledDelay;
    /** The job whose task is being called, when the adaptive limit times it without extras; see {@link #startedAt}. */
    DefaultJob<?> startingJob;
    long startingNanos;

    private Scheduler(EventLoop loop, SchedulerConfig config) {
        this.loop = loop;
        this.config = config;
        this.lifecycle = new SchedulerLifecycle(this, loop, config.closeTimeoutNanos);
        if (config.limitAlgorithm != null) {
            // read here, before the scheduler is shared; every later call is on the loop
            this.limitAlgorithm = checkNotNull(config.limitAlgorithm.get(), "limit algorithm supplied");
            this.limit = Math.max(1, limitAlgorithm.limit());
        } else {
            this.limitAlgorithm = null;
            this.limit = config.limit;
        }
        this.controlledDelay = config.newControlledDelay();
    }

    /**
     * A scheduler on {@code loop} with aiojobs' defaults: limit 100, pending limit 10 000, close
     * timeout 100 ms, wait timeout 60 s, the default exception handler.
     *
     * @param loop the event loop that will own the scheduler's state
     * @return a new, open scheduler, which closes itself when {@code loop} shuts down
     * @throws NullPointerException if {@code loop} is {@code null}
     */
    public static Scheduler create(EventLoop loop) {
        return builder().build(loop);
    }

    /**
     * A new builder with aiojobs' defaults.
     *
     * @return a new builder, independent of every other one
     */
    public static Builder builder() {
        return new Builder();
    }

    // ---- configuration and counts: any thread ----

    /**
     * The concurrency limit in force; {@code 0} means unlimited. With an
     * {@linkplain Builder#limit(Supplier) adaptive limit}, its current value (at least 1), which
     * moves after each job that ends.
     *
     * @return the most jobs active at once, or {@code 0} for no limit
     */
    public int limit() {
        return (int) LIMIT.getAcquire(this);
    }

    /**
     * The pending-queue limit; {@code 0} means unlimited.
     *
     * @return the most jobs waiting in the pending queue, or {@code 0} for no limit
     */
    public int pendingLimit() {
        return config.pendingLimit;
    }

    /**
     * How long {@link #close()} waits for each cancelled job; {@code null} means without limit.
     *
     * @return the close timeout, or {@code null} if a close waits for its jobs without limit
     */
    public Duration closeTimeout() {
        return config.closeTimeout;
    }

    /**
     * The grace period of {@link #waitAndClose()}; {@code null} means without limit.
     *
     * @return how long {@link #waitAndClose()} lets the jobs run before it closes, or {@code null}
     *         for no limit
     */
    public Duration waitTimeout() {
        return config.waitTimeout;
    }

    /**
     * The configured exception handler, or {@code null} when the default one (logging at WARN) is used.
     *
     * @return the handler given to {@link Builder#exceptionHandler(ExceptionHandler)}, or {@code null}
     *         if none was
     */
    public ExceptionHandler exceptionHandler() {
        return config.exceptionHandler;
    }

    /**
     * How long an active job may run before it is closed and times out; {@code null} means without limit.
     *
     * @return the longest an active job may run, from its start, or {@code null} for no limit
     */
    public Duration jobTimeout() {
        return config.jobTimeout;
    }

    /**
     * How long a spawn may wait, from the {@code spawn} call, for room in the pending queue and
     * then for a slot, before it is rejected or dropped; {@code null} means without limit.
     *
     * @return the queue deadline, counted from each {@code spawn} call, or {@code null} for no limit
     */
    public Duration pendingTimeout() {
        return config.pendingTimeout;
    }

    /**
     * Whether a spawn that finds the pending queue full fails at once instead of waiting for room.
     *
     * @return {@code true} if such a spawn fails with a {@link RejectedExecutionException},
     *         {@code false} (the default) if it waits
     */
    public boolean rejectWhenFull() {
        return config.rejectWhenFull;
    }

    /**
     * The configured listener, or {@code null}.
     *
     * @return the listener given to {@link Builder#listener(SchedulerListener)}, or {@code null} for none
     */
    public SchedulerListener listener() {
        return config.listener;
    }

    /**
     * The configured task decorator, or {@code null}.
     *
     * @return the decorator given to {@link Builder#taskDecorator(TaskDecorator)}, or {@code null} for
     *         none
     */
    public TaskDecorator taskDecorator() {
        return config.taskDecorator;
    }

    /**
     * The configured executor of {@linkplain #spawnBlocking(String, Callable) blocking calls}, or
     * {@code null} when the default one is used.
     *
     * @return the executor given to {@link Builder#blockingExecutor(Executor)}, or {@code null} for the
     *         default: a virtual thread per call on Java 21 and later, a shared pool of daemon threads
     *         on Java 17
     */
    public Executor blockingExecutor() {
        return config.blockingExecutor;
    }

    /**
     * How long a task's call on the loop may take before it is reported as blocking the loop, or
     * {@code null} when tasks are not timed.
     *
     * @return the threshold given to {@link Builder#slowTaskThreshold(Duration)}, or {@code null} for off
     */
    public Duration slowTaskThreshold() {
        return config.slowTaskThreshold;
    }

    /**
     * The event loop that owns this scheduler's state.
     *
     * @return the loop the scheduler's futures complete on and its jobs' tasks run on; never {@code null}
     */
    public EventLoop executor() {
        return loop;
    }

    /**
     * The number of jobs held, active and pending.
     *
     * @return the active plus the pending jobs; spawns still waiting for room are not counted
     */
    public int size() {
        return activeCount() + pendingCount();
    }

    /**
     * The number of active jobs.
     *
     * @return the number of active jobs, at most {@link #limit()} unless that is {@code 0}
     */
    public int activeCount() {
        // Jobs whose task is being called are counted on the loop only: elsewhere they are a
        // moment of the loop's current task, and most end inside it.
        return loop.inEventLoop() ? activeSize() : perJob.activeCountAcquire();
    }

    /** On the loop: the active jobs, those whose task is being called included. */
    private int activeSize() {
        return active.size() + perJob.callingActive;
    }

    /**
     * The number of pending jobs.
     *
     * @return the number of jobs in the pending queue, at most {@link #pendingLimit()} unless that is
     *         {@code 0}
     */
    public int pendingCount() {
        return perJob.pendingCountAcquire();
    }

    /**
     * Whether {@link #close()} has been called (directly or by {@link #waitAndClose()}).
     *
     * @return {@code true} once a close has begun, even before it completes
     */
    public boolean isClosed() {
        return lifecycle.isClosed();
    }

    // ---- introspection: the loop only ----

    /**
     * The jobs held, active ones first in start order, then pending ones in queue order; a
     * snapshot, so the scheduler may change while it is walked.
     *
     * @throws IllegalStateException if called outside the scheduler's event loop
     */
    @Override
    public Iterator<Job<?>> iterator() {
        return jobs("iterator()").iterator();
    }

    /**
     * Whether {@code job} is an active or pending job of this scheduler.
     *
     * @param job any object, {@code null} included
     * @return {@code false} also for a job that has ended, a spawn still waiting for room, and a job
     *         of another scheduler
     * @throws IllegalStateException if called outside the scheduler's event loop
     */
    public boolean contains(Object job) {
        checkInEventLoop("contains()");
        return job instanceof DefaultJob<?> && ((DefaultJob<?>) job).isHeldBy(this);
    }

    /**
     * An immutable snapshot of the jobs held, active ones first, then pending ones in queue order.
     *
     * @return the jobs, never {@code null}; empty when the scheduler holds none
     * @throws IllegalStateException if called outside the scheduler's event loop
     */
    public List<Job<?>> jobs() {
        return jobs("jobs()");
    }

    private List<Job<?>> jobs(String method) {
        checkInEventLoop(method);
        Job<?>[] snapshot = new Job<?>[activeSize() + pending.size()];
        int i = 0;
        for (DefaultJob<?> job = active.peekFirst(); job != null; job = job.next()) {
            snapshot[i++] = job;
        }
        int firstCalling = i;
        for (DefaultJob<?> job = perJob.calling; job != null; job = job.prev()) {
            if (job.inCall) {
                snapshot[i++] = job;
            }
        }
        reverse(snapshot, firstCalling, i); // the stack is innermost first; the snapshot is in start order
        for (DefaultJob<?> job = pending.peekFirst(); job != null; job = job.next()) {
            snapshot[i++] = job;
        }
        return List.of(snapshot);
    }

    private static void reverse(Object[] array, int from, int to) {
        for (int i = from, j = to - 1; i < j; i++, j--) {
            Object swap = array[i];
            array[i] = array[j];
            array[j] = swap;
        }
    }

    private void checkInEventLoop(String method) {
        if (!loop.inEventLoop()) {
            throw new IllegalStateException("Scheduler." + method + " must be called from the scheduler's event loop "
                    + loop + ", not from " + Thread.currentThread().getName());
        }
    }

    // ---- spawn ----

    /**
     * Spawns a job under a default name.
     *
     * @param task called on the event loop when the job starts; the future it returns is the job's
     * @param <T>  the type of the job's result
     * @return a future that completes with the job once it is admitted, or fails if the spawn is
     *         refused
     * @throws NullPointerException if {@code task} is {@code null}
     * @see #spawn(String, Callable)
     */
    public <T> Future<Job<T>> spawn(Callable<? extends Future<T>> task) {
        return spawn0(null, checkNotNull(task, "task"));
    }

    /**
     * Spawns a job that calls {@code task} on the event loop when it starts; the future the task
     * returns is the job's. Returns at once, from any thread, with a future that completes on the
     * loop with the job once it is admitted:
     * <ul>
     *   <li>with a free slot under the limit, the job starts now (on the loop: inside this call);</li>
     *   <li>else, with room in the pending queue, it is queued and starts, first in first out, when
     *       an active job ends;</li>
     *   <li>else the returned future stays incomplete until the queue has room (backpressure);
     *       cancelling it withdraws the spawn and the task is never called;</li>
     *   <li>after {@link #close()}, or when the loop is shut down, the future fails with a
     *       {@link RejectedExecutionException}; so does a spawn that finds the queue full with
     *       {@link Builder#rejectWhenFull(boolean) rejectWhenFull}, or that is still waiting for
     *       room when its {@link Builder#pendingTimeout(Duration) pendingTimeout} passes.</li>
     * </ul>
     * A task that throws or returns {@code null} fails its job.
     *
     * @param name the job's name, for logs and failure reports; it need not be unique
     * @param task called on the event loop when the job starts, once
     * @param <T>  the type of the job's result
     * @return a future that completes with the job once it is admitted, or fails with a
     *         {@link RejectedExecutionException} if the spawn is refused
     * @throws NullPointerException if {@code name} or {@code task} is {@code null}
     */
    public <T> Future<Job<T>> spawn(String name, Callable<? extends Future<T>> task) {
        return spawn0(checkNotNull(name, "name"), checkNotNull(task, "task"));
    }

    private <T> Future<Job<T>> spawn0(String name, Callable<? extends Future<T>> task) {
        return spawn0(new DefaultJob<>(this, name, task));
    }

    /**
     * Spawns a job whose call blocks, under a default name.
     *
     * @param task called on a thread of the blocking executor when the job starts; what it returns
     *             or throws is the job's outcome
     * @param <T>  the type of the job's result
     * @return a future that completes with the job once it is admitted, or fails if the spawn is
     *         refused
     * @throws NullPointerException if {@code task} is {@code null}
     * @see #spawnBlocking(String, Callable)
     */
    public <T> Future<Job<T>> spawnBlocking(Callable<T> task) {
        return spawnBlocking0(null, checkNotNull(task, "task"));
    }

    /**
     * Spawns a job whose call blocks (JDBC, a file, a client without an asynchronous API): the
     * job is admitted exactly as by {@link #spawn(String, Callable)} (the limit, the pending queue,
     * {@code rejectWhenFull}, {@code pendingTimeout}, the listener), and when it starts,
     * {@code task.call()} runs on the {@linkplain Builder#blockingExecutor(Executor) blocking
     * executor}, never on the event loop. The value the call returns, or the exception it throws,
     * is the job's outcome, delivered on the loop.
     *
     * <p>Closing the job (its {@link Job#close()}, its {@code jobTimeout}, the scheduler's
     * {@link #close()}, or the end of {@link #waitAndClose()}'s grace period) interrupts the
     * thread of a call that has started, and drops one that has not: its task is never called.
     * The job then ends, cancelled (or timed out), when the call returns; a call that ignores the
     * interrupt is abandoned after the close timeout, and keeps its thread until it returns. The
     * {@link TaskDecorator}'s {@code Runnable} runs on the blocking thread, around the call, so
     * thread context such as a logging MDC reaches it.
     *
     * @param name the job's name, for logs and failure reports; it need not be unique
     * @param task called once, on a thread of the blocking executor, when the job starts
     * @param <T>  the type of the job's result
     * @return a future that completes with the job once it is admitted, or fails with a
     *         {@link RejectedExecutionException} if the spawn is refused
     * @throws NullPointerException if {@code name} or {@code task} is {@code null}
     */
    public <T> Future<Job<T>> spawnBlocking(String name, Callable<T> task) {
        return spawnBlocking0(checkNotNull(name, "name"), checkNotNull(task, "task"));
    }

    /** The job's task is a {@link BlockingTask}: the rest of the job's life is that of any job. */
    private <T> Future<Job<T>> spawnBlocking0(String name, Callable<T> task) {
        BlockingTask<T> blocking = new BlockingTask<>(this, task);
        DefaultJob<T> job = new DefaultJob<>(this, name, blocking);
        blocking.job(job);
        return spawn0(job);
    }

    private <T> Future<Job<T>> spawn0(DefaultJob<T> job) {
        if (loop.inEventLoop()) {
            return admit(job);
        }
        if (loop.isShuttingDown()) {
            return loopShutDown();
        }
        Future<Job<T>> spawned = job.spawnFromAnotherThread();
        try {
            loop.execute(job); // DefaultJob.run(): admit(job) on the loop
        } catch (RejectedExecutionException e) {
            return loopShutDown();
        }
        return spawned;
    }

    /** The loop is shut down: no job, and the listener hears of it on this thread, since no loop is left. */
    private <V> Future<V> loopShutDown() {
        RejectedExecutionException rejected = new SpawnRefusedException("The scheduler's event loop is shut down");
        spawnRejected(rejected);
        return ImmediateEventExecutor.INSTANCE.newFailedFuture(rejected);
    }

    /**
     * Admission, on the loop: decides where a new job goes and returns the future its spawn gives:
     * the job itself when admitted inside an on-loop spawn, else its {@link SpawnPromise}.
     */
    <T> Future<Job<T>> admit(DefaultJob<T> job) {
        assert loop.inEventLoop();
        if (!lifecycle.isOpen()) {
            return job.reject(new SpawnRefusedException(CLOSED_MESSAGE));
        }
        // A spawn from another thread whose pendingTimeout passed on its way here still starts if
        // a slot is free: the deadline sheds work that would wait for a saturated scheduler, and a
        // free slot means it is not saturated; refusing would leave that slot idle. The time of
        // the hop counts only toward how long the spawn may then wait (see DefaultJob#startQueueDeadline).
        boolean startNow = waiting.isEmpty() && pending.isEmpty() && hasFreeSlot();
        if (!startNow && (!waiting.isEmpty() || !pendingHasRoom())) {
            if (job.isSpawnCancelled()) {
                return job.withdrawOnArrival(); // nobody waits for it, and nobody was refused
            }
            if (config.rejectWhenFull) {
                return job.reject(new SpawnRefusedException(
                        "The pending queue is full (" + config.pendingLimit + " jobs pending, " + activeSize()
                        + " active)"));
            }
            waiting.addLast(job);
            return job.waitForRoom();
        }
        if (!job.enter(++perJob.sequence)) {
            return job.spawnFuture(); // withdrawn on its way: its cancelled promise
        }
        if (startNow) {
            if (controlledDelay != null) {
                // A job that waits for nothing shows the queue is not standing.
                controlledDelay.turn(config.nanoTime(), 0);
            }
            start(job);
            return job.completeSpawn();
        }
        enqueue(job);
        Future<Job<T>> spawned = job.completeSpawn();
        drain(); // the queue may be behind a slot that freed while the job travelled
        return spawned;
    }

    private boolean hasFreeSlot() {
        int limit = this.limit;
        return limit == 0 || activeSize() < limit;
    }

    private boolean pendingHasRoom() {
        int pendingLimit = config.pendingLimit;
        return pendingLimit == 0 || pending.size() < pendingLimit;
    }

    /**
     * Starts {@code job}: calls its task, on the stack of jobs in a call, and puts it in the active
     * list once the task has returned, if its future is not done by then. A job whose task returns
     * a completed future (the commonest short job) ends inside its call and never enters the list:
     * linking and unlinking it would cost more than the rest of its life.
     */
    private void start(DefaultJob<?> job) {
        job.prev(perJob.calling);
        perJob.calling = job;
        perJob.callingActive++;
        job.inCall = true;
        try {
            job.start(); // may end it, and others, right here
        } finally {
            perJob.calling = job.prev();
            job.prev(null);
            if (job.inCall) {
                job.inCall = false;
                perJob.callingActive--;
                active.addLast(job);
                perJob.publishActiveCount(active.size());
            }
        }
    }

    private void enqueue(DefaultJob<?> job) {
        pending.addLast(job);
        perJob.publishPendingCount(pending.size());
        job.enqueue();
    }

    /**
     * Starts pending jobs while there are free slots and moves waiting spawns into the pending
     * queue while it has room. A loop rather than recursion: a job that ends inside its start calls
     * back here and returns at once, so a million synchronously completing jobs use no stack.
     */
    private void drain() {
        if (perJob.draining) {
            return;
        }
        perJob.draining = true;
        try {
            while (lifecycle.isOpen()) {
                DefaultJob<?> job;
                if (hasFreeSlot() && (job = pending.peekFirst()) != null) {
                    if (controlledDelay != null && (job = turn(job)) == null) {
                        continue; // the oldest job was shed
                    }
                    pending.remove(job);
                    perJob.publishPendingCount(pending.size());
                    start(job);
                } else if (pendingHasRoom() && (job = waiting.pollFirst()) != null) {
                    if (job.enter(++perJob.sequence)) {
                        enqueue(job);
                        job.completeSpawn();
                    }
                } else {
                    break;
                }
            }
        } finally {
            perJob.draining = false;
        }
    }

    /**
     * A slot is free and {@code oldest} heads the queue: controlled delay judges the queue by the
     * oldest job's wait and sheds that job if it waited too long in a standing queue (returning
     * {@code null}); else returns the job to start: the oldest, or the newest while adaptive LIFO
     * sees the queue standing.
     */
    private DefaultJob<?> turn(DefaultJob<?> oldest) {
        long now = config.nanoTime();
        if (controlledDelay.turn(now, now - oldest.spawnNanos())) {
            oldest.shed();
            return null;
        }
        return config.adaptiveLifo && controlledDelay.isStanding() ? pending.peekLast() : oldest;
    }

    // ---- the adaptive limit (called by DefaultJob, on the loop) ----

    /**
     * An active job ended with {@code outcome} after running {@code runNanos}: its sample goes to the
     * adaptive limit (the job still counts as active), and the limit is read again. A rise takes
     * effect as the job's slot frees (pending jobs start then); a fall touches no active job.
     */
    void sample(JobOutcome outcome, long runNanos) {
        LimitAlgorithm algorithm = limitAlgorithm;
        if (algorithm == null || !(outcome == JobOutcome.SUCCEEDED || outcome == JobOutcome.FAILED
                || outcome == JobOutcome.TIMED_OUT)) {
            return;
        }
        int newLimit;
        try {
            algorithm.onSample(runNanos, activeSize(), outcome == JobOutcome.TIMED_OUT);
            newLimit = Math.max(1, algorithm.limit());
        } catch (Throwable t) {
            if (logger.isWarnEnabled()) {
                logger.warn("The limit algorithm of {} threw; the limit stays {}", this, limit, t);
            }
            return;
        }
        int oldLimit = limit;
        if (newLimit != oldLimit) {
            LIMIT.setRelease(this, newLimit);
            limitChanged(oldLimit, newLimit);
        }
    }

    boolean hasAdaptiveLimit() {
        return limitAlgorithm != null;
    }

    /** The start time of {@code job} if it is ending inside its own start, else {@code now} (a run of 0). */
    long startedAt(DefaultJob<?> job, long now) {
        return startingJob == job ? startingNanos : now;
    }

    // ---- a job leaves (called by DefaultJob) ----

    /** An active job ended: its slot frees, and the queue moves on. */
    void onActiveJobEnded(DefaultJob<?> job) {
        if (job.inCall) {
            job.inCall = false; // ended inside its task's call: it never entered the active list
            perJob.callingActive--;
        } else {
            active.remove(job);
            perJob.publishActiveCount(active.size());
        }
        if (lifecycle.isOpen() && !(pending.isEmpty() && waiting.isEmpty())) {
            drain();
        }
    }

    /** A pending job ended (closed or dropped): room frees in the pending queue. */
    void onPendingJobEnded(DefaultJob<?> job) {
        pending.remove(job);
        perJob.publishPendingCount(pending.size());
        if (lifecycle.isOpen() && !waiting.isEmpty()) {
            drain();
        }
    }

    /** A waiting spawn leaves the waiting queue: withdrawn, or its queue deadline passed. */
    void removeWaiting(DefaultJob<?> job) {
        waiting.remove(job);
    }

    /**
     * Something has left the scheduler and handed its outcome out (a job, a waiting spawn): a
     * close may finish, or a waitAndClose find the scheduler idle.
     */
    void onReleased() {
        lifecycle.onReleased();
    }

    void onDeferredReportQueued() {
        deferredReports++;
    }

    void onDeferredReportDone() {
        deferredReports--;
        lifecycle.onReleased();
    }

    // ---- shield ----

    /**
     * Returns a future that completes as {@code future} does, while cancelling the returned future
     * never cancels {@code future}. Until {@code future} is done the scheduler tracks it:
     * {@link #waitAndClose()} waits for it, {@link #close()} cancels it and waits up to the close
     * timeout. A future shielded after close is not tracked.
     *
     * @param future the future to track; no call on the returned future cancels it
     * @param <T>    the type of the future's result
     * @return a future that completes as {@code future} does; {@code future} itself if it is already
     *         done and the call is made on the loop
     * @throws NullPointerException if {@code future} is {@code null}
     */
    public <T> Future<T> shield(Future<T> future) {
        checkNotNull(future, "future");
        if (future.isDone()) {
            // Nothing to track, and cancelling a done future is a no-op; off the loop, a copy bound
            // to the loop keeps the promise that the returned future notifies there.
            return loop.inEventLoop() ? future : doneCopy(future);
        }
        ShieldedFuture<T> shielded = new ShieldedFuture<>(this, future);
        if (loop.inEventLoop()) {
            shielded.register();
            return shielded;
        }
        if (runOnLoop(shielded, null)) {
            return shielded;
        }
        // The loop is shut down: nothing can track the future any more; still honour "completes as future does".
        Promise<T> detached = ImmediateEventExecutor.INSTANCE.newPromise();
        future.addListener(new PromiseNotifier<>(detached));
        return detached;
    }

    private <T> Future<T> doneCopy(Future<T> done) {
        if (done.isSuccess()) {
            return loop.newSucceededFuture(done.getNow());
        }
        if (done.isCancelled()) {
            Promise<T> cancelled = loop.newPromise();
            cancelled.cancel(/* mayInterruptIfRunning= */ false);
            return cancelled;
        }
        return loop.newFailedFuture(done.cause());
    }

    /** Starts tracking a shielded future; false once the scheduler is closed. */
    boolean track(ShieldedFuture<?> shielded) {
        if (!lifecycle.isOpen()) {
            return false;
        }
        shields.addLast(shielded);
        return true;
    }

    void untrack(ShieldedFuture<?> shielded) {
        shields.remove(shielded);
        lifecycle.onReleased();
    }

    // ---- close ----

    /**
     * Closes the scheduler: later spawns fail, spawns waiting for room fail, pending jobs are
     * dropped (their tasks never called), and every active job's future and every shielded future is
     * cancelled. Completes on the loop when each has ended or the close timeout has passed; a job
     * that outlives it is reported to the exception handler as {@code "Job closing timed out"} and
     * counts as closed. A second call returns a future that completes with the first. Never fails.
     *
     * @return a future that succeeds once the close is over, at once if the loop is already shut down
     */
    public Future<Void> close() {
        return onLoop(lifecycle::close);
    }

    /**
     * Waits, within the {@linkplain #waitTimeout() wait timeout}, until no job, pending job,
     * shielded future or waiting spawn is left, then {@linkplain #close() closes}.
     *
     * @return a future that succeeds once the close that ends the wait is over; it never fails
     * @see #waitAndClose(Duration)
     */
    public Future<Void> waitAndClose() {
        return waitAndClose(config.waitTimeout);
    }

    /**
     * Waits until no job, pending job, shielded future or waiting spawn is left (jobs spawned
     * meanwhile included) or {@code timeout} passes, then {@linkplain #close() closes}; completes
     * when that close does. Job failures during the wait go to the exception handler. Never fails.
     *
     * @param timeout the grace period; {@code null} waits without limit
     * @return a future that succeeds once the close that ends the wait is over; it never fails
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    public Future<Void> waitAndClose(Duration timeout) {
        long nanos = toNanos(checkTimeout(timeout, "timeout"));
        return onLoop(() -> lifecycle.waitAndClose(nanos));
    }

    /**
     * Runs a close operation at once on the loop, or hops there and returns a future that completes
     * as the operation's does. A loop that is shut down has closed the scheduler through its
     * shutdown hook, so then the answer is a succeeded future: closing never fails.
     */
    private Future<Void> onLoop(Supplier<Future<Void>> operation) {
        if (loop.inEventLoop()) {
            return operation.get();
        }
        Promise<Void> promise = loop.newPromise();
        if (!runOnLoop(() -> operation.get().addListener(new PromiseNotifier<>(promise)), null)) {
            return ImmediateEventExecutor.INSTANCE.newSucceededFuture(null);
        }
        return promise;
    }

    /** The walk of a close (see {@link #close()}); the lifecycle has marked the scheduler closing. */
    void cancelAll() {
        for (DefaultJob<?> spawn; (spawn = waiting.pollFirst()) != null; ) {
            spawn.reject(new SpawnRefusedException(CLOSED_MESSAGE));
        }
        for (DefaultJob<?> job; (job = pending.peekFirst()) != null; ) {
            job.requestClose(); // dropped: it leaves the queue
        }
        cancelActiveJobs();
        for (ShieldedFuture<?> shielded : shields.toArray(ShieldedFuture<?>[]::new)) {
            shielded.cancelInner();
        }
    }

    /**
     * Cancels every active job in one walk. Cancelling runs listeners, and a listener may end other
     * jobs; if the next job of the walk ends that way, the walk starts over from the head, passing
     * over the jobs already asked.
     */
    private void cancelActiveJobs() {
        for (DefaultJob<?> inCall = perJob.calling; inCall != null; inCall = inCall.prev()) {
            if (inCall.inCall && !inCall.isClosing()) {
                inCall.requestClose(); // its task is running: the future it returns is cancelled then
            }
        }
        DefaultJob<?> job = active.peekFirst();
        while (job != null) {
            DefaultJob<?> next = job.next();
            if (!job.isClosing()) {
                job.requestClose();
            }
            if (next != null && !next.isActiveOnLoop()) {
                next = active.peekFirst();
            }
            job = next;
        }
    }

    /** The close timeout passed: every job and shielded future still running is given up, and reported. */
    void abandonAll() {
        for (DefaultJob<?> job : active.toArray(DefaultJob<?>[]::new)) {
            if (job.isActiveOnLoop()) {
                job.onCloseTimeout();
            }
        }
        for (ShieldedFuture<?> shielded; (shielded = shields.pollFirst()) != null; ) {
            shielded.onUntracked();
            callExceptionHandler(new ExceptionContext("Shielded future closing timed out", null,
                    new TimeoutException("a shielded future did not end within the close timeout"), null));
        }
    }

    /** Whether nothing is left to wait for: no job, waiting spawn, shielded future or deferred report. */
    boolean isIdle() {
        return waiting.isEmpty() && pending.isEmpty() && !hasWorkToClose();
    }

    /** Whether a close still has something to wait for (pending jobs and waiting spawns are gone once closing). */
    boolean hasWorkToClose() {
        return !active.isEmpty() || perJob.callingActive != 0 || !shields.isEmpty() || deferredReports != 0;
    }

    // ---- exception handling ----

    /**
     * Calls the exception handler (the default one logs at WARN); a handler that throws is logged
     * and ignored.
     *
     * @param context the report, such as a job's failure that nobody awaited
     * @throws NullPointerException if {@code context} is {@code null}
     */
    public void callExceptionHandler(ExceptionContext context) {
        checkNotNull(context, "context");
        ExceptionHandler handler = config.exceptionHandler;
        if (handler == null) {
            handler = DefaultExceptionHandler.INSTANCE;
        }
        try {
            handler.handle(this, context);
        } catch (Throwable t) {
            if (logger.isWarnEnabled()) {
                logger.warn("The exception handler of {} threw while handling \"{}\"; ignored", this,
                        LogText.escape(context.message()), t);
            }
        }
    }

    // ---- the listener: guarded, on the loop ----

    void jobStarted(Job<?> job, long queuedNanos) {
        try {
            config.listener.jobStarted(job, queuedNanos);
        } catch (Throwable t) {
            listenerThrew("jobStarted", t);
        }
    }

    void jobEnded(Job<?> job, JobOutcome outcome, long queuedNanos, long runNanos) {
        try {
            config.listener.jobEnded(job, outcome, queuedNanos, runNanos);
        } catch (Throwable t) {
            listenerThrew("jobEnded", t);
        }
    }

    private void limitChanged(int oldLimit, int newLimit) {
        if (config.listener == null) {
            return;
        }
        try {
            config.listener.limitChanged(this, oldLimit, newLimit);
        } catch (Throwable t) {
            listenerThrew("limitChanged", t);
        }
    }

    void spawnRejected(Throwable reason) {
        if (config.listener == null) {
            return;
        }
        try {
            config.listener.spawnRejected(this, reason);
        } catch (Throwable t) {
            listenerThrew("spawnRejected", t);
        }
    }

    /**
     * A task's call held the loop for at least the slow-task threshold: one WARN, naming the job,
     * and the listener. Called once per job at most, since a task is called once.
     */
    void slowTask(Job<?> job, long callNanos) {
        if (logger.isWarnEnabled()) {
            logger.warn("The task of {} blocked the event loop of {} for {} ms (slowTaskThreshold {}); "
                            + "run blocking calls with spawnBlocking", LogText.escape(job.name()), this,
                    String.format(Locale.ROOT, "%.1f", callNanos / 1e6), config.slowTaskThreshold);
        }
        if (config.listener == null) {
            return;
        }
        try {
            config.listener.slowTask(job, callNanos);
        } catch (Throwable t) {
            listenerThrew("slowTask", t);
        }
    }

    /** The task was called, then the decorator's wrapper threw: the job runs on, and the decorator's bug is logged. */
    void onDecoratorThrewAfterStart(Job<?> job, Throwable t) {
        if (logger.isWarnEnabled()) {
            logger.warn("The task decorator of {} threw after starting {}; the job runs on", this,
                    LogText.escape(job.name()), t);
        }
    }

    private void listenerThrew(String method, Throwable t) {
        if (logger.isWarnEnabled()) {
            logger.warn("The listener of {} threw in {}(); ignored", this, method, t);
        }
    }

    // ---- plumbing ----

    /**
     * Runs {@code task} on the loop; if the loop refuses it (shut down), fails {@code onReject}
     * when given. Returns whether the loop took the task.
     */
    boolean runOnLoop(Runnable task, Promise<?> onReject) {
        try {
            loop.execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            if (onReject != null) {
                onReject.tryFailure(e);
            }
            return false;
        }
    }

    /** Names the scheduler and the counts that matter; contains {@code closed} once closed. */
    @Override
    public String toString() {
        int active = activeCount();
        int pending = pendingCount();
        return "Scheduler{jobs=" + (active + pending) + ", active=" + active + ", pending=" + pending
                + ", limit=" + limit() + (isClosed() ? ", closed}" : "}");
    }

    /**
     * Reusable configuration for {@link Scheduler}s; not thread-safe, each {@link #build(EventLoop)}
     * takes a snapshot of it. The defaults are aiojobs'.
     */
    public static final class Builder {

        private final SchedulerConfig config;

        Builder() {
            this(new SchedulerConfig());
        }

        private Builder(SchedulerConfig config) {
            this.config = config;
        }

        /**
         * The concurrency limit, default 100; {@code 0} means unlimited.
         *
         * @param limit the most jobs active at once; {@code 0} for no limit
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder limit(int limit) {
            config.limit = checkPositiveOrZero(limit, "limit");
            config.limitAlgorithm = null;
            return this;
        }

        /**
         * An adaptive concurrency limit, in place of {@link #limit(int)} (the later call of the two
         * wins): each scheduler built calls {@code algorithm.get()} once and gets an algorithm of its
         * own, such as one of {@link io.github.nettyjobs.limit.Limits}. Every job that started and
         * ended succeeded or failed gives it a sample, and a timed-out one a dropped sample; then
         * the limit is read again. When it rises, pending jobs start at once, first in first out;
         * when it falls, no active job is touched, and new jobs start only once the active count is
         * under it.
         *
         * @param algorithm makes each scheduler's algorithm
         * @return this builder
         * @throws NullPointerException if {@code algorithm} is {@code null}
         */
        public Builder limit(Supplier<? extends LimitAlgorithm> algorithm) {
            config.limitAlgorithm = checkNotNull(algorithm, "algorithm");
            return this;
        }

        /**
         * Controlled delay (CoDel) on the pending queue, as in folly and Facebook's "Fail at
         * Scale": the queue counts as standing while the shortest wait over the last
         * {@code interval} exceeded {@code target}; while it stands, a pending job whose wait
         * exceeds twice {@code target} when its turn comes is dropped instead of started: it ends
         * {@link JobOutcome#DROPPED} and its {@code join()} fails with a
         * {@link java.util.concurrent.TimeoutException}, without calling its task or the exception
         * handler. A burst that drains within an interval drops nothing. Default: off; a
         * {@code null} target turns it off.
         *
         * @param target   the wait a queue that empties now and then stays under, such as 5 ms;
         *                 {@code null} for off
         * @param interval how long the shortest wait must stay above {@code target} for the queue to
         *                 stand, such as 100 ms
         * @return this builder
         * @throws IllegalArgumentException if {@code target} or {@code interval} is zero or negative
         * @throws NullPointerException     if {@code target} is given and {@code interval} is {@code null}
         */
        public Builder controlledDelay(Duration target, Duration interval) {
            if (target == null) {
                config.controlledDelayTarget = null;
                config.controlledDelayInterval = null;
                return this;
            }
            config.controlledDelayTarget = checkPositive(target, "target");
            config.controlledDelayInterval = checkPositive(checkNotNull(interval, "interval"), "interval");
            return this;
        }

        /**
         * Adaptive LIFO: while the pending queue stands (see
         * {@link #controlledDelay(Duration, Duration)}; without it, a target of 5 ms and an
         * interval of 100 ms judge the queue, and nothing is dropped for it), the newest pending job
         * starts first, since its caller is the likeliest to still be waiting; otherwise first in,
         * first out. Default {@code false}.
         *
         * @param adaptiveLifo {@code true} to serve the newest job first while the queue stands
         * @return this builder
         */
        public Builder adaptiveLifo(boolean adaptiveLifo) {
            config.adaptiveLifo = adaptiveLifo;
            return this;
        }

        /**
         * The pending-queue limit, default 10 000; {@code 0} means unlimited.
         *
         * @param pendingLimit the most jobs waiting for a slot; {@code 0} for no limit
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder pendingLimit(int pendingLimit) {
            config.pendingLimit = checkPositiveOrZero(pendingLimit, "pendingLimit");
            return this;
        }

        /**
         * How long closing waits for a cancelled job, default 100 ms; {@code null} waits without limit.
         *
         * @param closeTimeout how long a close waits for each cancelled job to end; {@code null} for no
         *                     limit
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder closeTimeout(Duration closeTimeout) {
            config.closeTimeout = checkTimeout(closeTimeout, "closeTimeout");
            return this;
        }

        /**
         * The grace period of {@link Scheduler#waitAndClose()}, default 60 s; {@code null} means no limit.
         *
         * @param waitTimeout how long {@code waitAndClose()} lets the jobs run before it closes;
         *                    {@code null} for no limit
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder waitTimeout(Duration waitTimeout) {
            config.waitTimeout = checkTimeout(waitTimeout, "waitTimeout");
            return this;
        }

        /**
         * The handler of unawaited failures and close timeouts; {@code null} selects the default, which logs.
         *
         * @param exceptionHandler the handler, or {@code null} for the default, which logs at WARN
         * @return this builder
         */
        public Builder exceptionHandler(ExceptionHandler exceptionHandler) {
            config.exceptionHandler = exceptionHandler;
            return this;
        }

        /**
         * Whether to capture the stack at every spawn for failure reports (costly); the default comes
         * from the system property {@code nettyjobs.debug}.
         *
         * @param debug {@code true} to give failure reports the {@linkplain ExceptionContext#spawnTrace()
         *              spawn trace}
         * @return this builder
         */
        public Builder debug(boolean debug) {
            config.debug = debug;
            return this;
        }

        /**
         * How long an active job may run, from its start, before it is closed as by
         * {@link Job#close()}; it then ends {@link JobOutcome#TIMED_OUT}: {@code join()} fails with a
         * {@link java.util.concurrent.TimeoutException}, and if nobody awaited the job, the exception
         * handler gets that exception as {@code "Job timed out"}. Default {@code null}: no limit. A
         * job whose future completes inside its start never gets a timer.
         *
         * @param jobTimeout the longest an active job may run, from its start; {@code null} for no limit
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder jobTimeout(Duration jobTimeout) {
            config.jobTimeout = checkTimeout(jobTimeout, "jobTimeout");
            return this;
        }

        /**
         * A queue deadline, counted from the {@code spawn} call: a spawn still waiting for room when
         * it passes fails with a {@link RejectedExecutionException} (its message says it timed out),
         * and a pending job not started by then is dropped without its task being called: it ends
         * {@link JobOutcome#DROPPED} and its {@code join()} fails with a
         * {@link java.util.concurrent.TimeoutException}. This is load shedding, so the exception
         * handler is not called. Default {@code null}: no limit.
         *
         * @param pendingTimeout how long a spawn may wait for room and a slot; {@code null} for no limit
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder pendingTimeout(Duration pendingTimeout) {
            config.pendingTimeout = checkTimeout(pendingTimeout, "pendingTimeout");
            return this;
        }

        /**
         * Whether a spawn that finds the pending queue full fails at once with a
         * {@link RejectedExecutionException} (its message says the queue is full) instead of waiting
         * for room. Default {@code false}, as aiojobs.
         *
         * @param rejectWhenFull {@code true} to refuse such spawns, {@code false} to make them wait
         * @return this builder
         */
        public Builder rejectWhenFull(boolean rejectWhenFull) {
            config.rejectWhenFull = rejectWhenFull;
            return this;
        }

        /**
         * The listener of every scheduler built from now on; {@code null} (the default) for none.
         *
         * @param listener told of every job's start and end and of every refused spawn; {@code null} for
         *                 none
         * @return this builder
         */
        public Builder listener(SchedulerListener listener) {
            config.listener = listener;
            return this;
        }

        /**
         * Carries thread context from each {@code spawn} call into its task; {@code null} (the default) for none.
         *
         * @param taskDecorator wraps the start of each job; {@code null} for none
         * @return this builder
         */
        public Builder taskDecorator(TaskDecorator taskDecorator) {
            config.taskDecorator = taskDecorator;
            return this;
        }

        /**
         * The executor that runs the calls of {@link Scheduler#spawnBlocking(String, Callable)};
         * {@code null} (the default) selects a new virtual thread per call on Java 21 and later, and
         * on Java 17 a shared pool of daemon threads named {@code nettyjobs-blocking-N}, created as
         * calls need them and ended after a minute idle. Neither bounds the threads: the scheduler's
         * {@linkplain #limit(int) limit} bounds how many of its calls run at once (a call abandoned
         * after its close timeout keeps its thread until it returns, outside the limit).
         *
         * <p>Pass a bounded executor when the blocking code should not run on virtual threads: a
         * virtual thread that blocks with a native frame on its stack (JNI, as in Netty's native
         * transports or a driver with native code), or before Java 24 while it holds an object monitor,
         * pins its carrier thread, and once every carrier is pinned no virtual thread runs. An
         * executor that rejects a call fails that job with its exception; one that runs the call on
         * the event loop (a direct executor) fails it with an {@link IllegalStateException}.
         *
         * @param blockingExecutor runs each blocking call on a thread that is not the event loop;
         *                         {@code null} for the default
         * @return this builder
         */
        public Builder blockingExecutor(Executor blockingExecutor) {
            config.blockingExecutor = blockingExecutor;
            return this;
        }

        /**
         * Times each task's call on the loop and reports a task that took at least
         * {@code slowTaskThreshold}, since it held up every other channel and job of the loop: a WARN
         * naming the job and the time (once per job, since a task is called once), and
         * {@link SchedulerListener#slowTask(Job, long)}. It finds blocking calls that belong in
         * {@link Scheduler#spawnBlocking(String, Callable)}. Default {@code null}: off, and then no
         * clock is read; when on, it reads the clock twice per task.
         *
         * @param slowTaskThreshold the call time from which a task is reported; {@code null} for off
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder slowTaskThreshold(Duration slowTaskThreshold) {
            config.slowTaskThreshold = checkTimeout(slowTaskThreshold, "slowTaskThreshold");
            return this;
        }

        /**
         * The clock every time reading of the schedulers built goes through, {@link System#nanoTime()}
         * by default; tests give one they can freeze and move on beside a loop with frozen time.
         */
        Builder clock(LongSupplier clock) {
            config.clock = checkNotNull(clock, "clock");
            return this;
        }

        /**
         * A builder with the same configuration, independent of this one from now on.
         *
         * @return a new builder; the handler, listener and decorator objects are shared, not copied
         */
        public Builder copy() {
            return new Builder(config.copy());
        }

        /**
         * A new scheduler on {@code loop} with this configuration.
         *
         * @param loop the event loop that will own the scheduler's state
         * @return a new, open scheduler, which closes itself when {@code loop} shuts down
         * @throws NullPointerException if {@code loop} is {@code null}
         */
        public Scheduler build(EventLoop loop) {
            Scheduler scheduler = new Scheduler(checkNotNull(loop, "loop"), config.snapshot());
            scheduler.lifecycle.registerShutdownHook();
            return scheduler;
        }

        @Override
        public String toString() {
            return "Scheduler.Builder" + config;
        }
    }
}
