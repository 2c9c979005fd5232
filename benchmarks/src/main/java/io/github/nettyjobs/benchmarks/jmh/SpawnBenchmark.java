package io.github.nettyjobs.benchmarks.jmh;

import io.github.nettyjobs.Job;
import io.github.nettyjobs.Scheduler;
import io.github.nettyjobs.SchedulerListener;
import io.github.nettyjobs.TaskDecorator;
import io.github.nettyjobs.benchmarks.SchedulerClocks;
import io.github.nettyjobs.limit.Limits;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.FutureListener;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * Throughput of starting and completing work on the event loop: the floors no scheduler can beat,
 * a hand-written lock-based tracker, and nettyjobs' spawn paths, all in one class so that one run
 * gives every ratio.
 *
 * <p>Every variant runs on the same event loop (NIO by default, see {@link #loop}): one invocation submits one batch to
 * the loop and waits for it. The batch performs its operations, keeps every result in a ring so
 * the JIT cannot drop it, and throws unless every operation completed. Scores are operations (jobs)
 * per microsecond.
 *
 * <ul>
 *   <li>{@code floorTask}, {@code floorPromise}: the raw loop; no tracking at all.</li>
 *   <li>{@code lockBasedTask}, {@code lockBasedPromise}, {@code lockBasedPending}: what a user writes
 *       by hand: a {@link Semaphore} of {@value #LIMIT} permits, a {@link ConcurrentHashMap} key set
 *       of running futures and a listener per job (plus a queue for the pending path).</li>
 *   <li>{@code spawnTask}, {@code spawnPromise}, {@code spawnPending}, {@code shield}: nettyjobs.</li>
 *   <li>Variants of {@code spawnPromise} on a scheduler configured otherwise ({@code spawnPromiseDebug},
 *       {@code spawnPromiseListener}, {@code spawnPromiseJobTimeout}, {@code spawnPromiseDecorator}):
 *       the cost of an option. A new variant is one method that calls
 *       {@link #spawnPromiseOn(UnaryOperator)}, and one row in {@code ReportLayout.SPAWN_VARIANTS} (package {@code
 *       report}).</li>
 *   <li>{@code spawnRefused}: a spawn refused at once ({@code rejectWhenFull}, slots and pending queue full), as
 *       a saturated server refuses work; measured against {@code spawnTask}.</li>
 *   <li>{@code emptyBatch}: the handoff alone, the part of every score that is not the operation.</li>
 * </ul>
 *
 * <p>Each benchmark returns the last future of its batch, so JMH consumes a result.
 */
@State(Scope.Benchmark)
public class SpawnBenchmark extends AbstractBenchmark {

    /** The concurrency limit of both the scheduler and the lock-based tracker (nettyjobs' default). */
    static final int LIMIT = 100;

    /** Jobs per batch of the pending path: {@value #LIMIT} active, the rest queued. */
    static final int PENDING_JOBS = 10_000;

    private static final Integer ONE = 1;
    private static final Duration ONE_HOUR = Duration.ofHours(1);
    /** A listener that does nothing: what remains is what the scheduler pays to report starts and ends. */
    private static final SchedulerListener SILENT_LISTENER = new SchedulerListener() { };
    /** A decorator that wraps nothing: what remains is what the scheduler pays for decorating. */
    private static final TaskDecorator IDENTITY_DECORATOR = start -> start;
    private static final Runnable NOTHING = () -> { };

    /** The kind of event loop everything runs on: {@code nio} (what servers run) or {@code default}. */
    @Param({"nio"})
    public String loop;

    private BenchmarkLoops loops;
    private EventLoop executor;
    private Scheduler scheduler;
    /** The scheduler of this trial's variant, built on first use; each benchmark method is a trial of its own. */
    private Scheduler variant;
    /** The scheduler the next promise batch spawns on; set before the batch is handed to the loop. */
    private Scheduler target;

    // The fields below are touched only on the loop, inside a batch.
    private final Future<?>[] ring = new Future<?>[RING];
    private int calls;
    private int completed;
    private int refusals;
    private Promise<Integer> current;
    private final Object[] started = new Object[PENDING_JOBS];
    private int nextToComplete;
    private Promise<Void> batchDone;
    private Runnable pendingCheck;

    private final LockBasedTracker tracker = new LockBasedTracker(LIMIT);

    private final FutureListener<Object> onCompleted = f -> completed++;

    /** A task whose future is already complete. */
    private final Callable<Future<Integer>> completedTask = () -> {
        calls++;
        return executor.newSucceededFuture(ONE);
    };

    /** A task whose promise the batch completes right after starting it. */
    private final Callable<Future<Integer>> promiseTask = () -> {
        calls++;
        Promise<Integer> p = executor.newPromise();
        current = p;
        return p;
    };

    /** A task of the pending path: its promise is recorded in start order, completed later. */
    private final Callable<Future<Integer>> pendingTask = () -> {
        Promise<Integer> p = executor.newPromise();
        started[calls++] = p;
        return p;
    };

    private final Callable<Object> empty = () -> ONE;
    private final Callable<Object> floorTaskBatch = this::floorTaskBatch;
    private final Callable<Object> floorPromiseBatch = this::floorPromiseBatch;
    private final Callable<Object> floorPromiseTimerBatch = this::floorPromiseTimerBatch;
    private final Callable<Object> lockBasedTaskBatch = this::lockBasedTaskBatch;
    private final Callable<Object> lockBasedPromiseBatch = this::lockBasedPromiseBatch;
    private final Callable<Object> spawnTaskBatch = this::spawnTaskBatch;
    private final Callable<Object> spawnTaskOnTargetBatch = this::spawnTaskOnTargetBatch;
    private final Callable<Object> spawnPromiseBatch = this::spawnPromiseBatch;
    private final Callable<Object> shieldBatch = this::shieldBatch;
    private final Callable<Object> spawnRefusedBatch = this::spawnRefusedBatch;
    private final Runnable spawnPendingBatch = () -> pendingBatch(true);
    private final Runnable lockBasedPendingBatch = () -> pendingBatch(false);
    private final Runnable drainPending = this::drainPending;
    private final Runnable checkSpawnedPending = () -> checkSpawned(PENDING_JOBS);
    private final Runnable checkLockBasedPending = () -> checkLockBased(PENDING_JOBS);

    /** The configuration every variant starts from: nettyjobs' default limit, room for a whole pending batch. */
    private static Scheduler.Builder baseConfig() {
        return Scheduler.builder().limit(LIMIT).pendingLimit(PENDING_JOBS);
    }

    /** Starts the loop and a scheduler with nettyjobs' default limits. */
    @Setup(Level.Trial)
    public void setUp() {
        loops = BenchmarkLoops.start(loop);
        executor = loops.loop();
        scheduler = baseConfig().build(executor);
    }

    /** Closes the schedulers and stops the loop. */
    @TearDown(Level.Trial)
    public void tearDown() {
        scheduler.close().syncUninterruptibly();
        if (variant != null) {
            variant.close().syncUninterruptibly();
        }
        loops.shutDown();
    }

    /** The handoff of one batch to the loop and back, with no work in it. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Object emptyBatch() {
        return executor.submit(empty).syncUninterruptibly().getNow();
    }

    /** Call a task returning {@code executor.newSucceededFuture(1)} and listen to it: no tracking. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Object floorTask() {
        return executor.submit(floorTaskBatch).syncUninterruptibly().getNow();
    }

    /** {@code newPromise()}, add a listener, {@code setSuccess}: a job that ends later, untracked. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Object floorPromise() {
        return executor.submit(floorPromiseBatch).syncUninterruptibly().getNow();
    }

    /** The completed-future task, tracked by hand with a semaphore, a key set and a listener. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Object lockBasedTask() {
        return executor.submit(lockBasedTaskBatch).syncUninterruptibly().getNow();
    }

    /** The promise task, tracked by hand with a semaphore, a key set and a listener. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Object lockBasedPromise() {
        return executor.submit(lockBasedPromiseBatch).syncUninterruptibly().getNow();
    }

    /** {@value #PENDING_JOBS} promise tasks through a hand-written semaphore and queue, completed in order. */
    @Benchmark
    @OperationsPerInvocation(PENDING_JOBS)
    public Object lockBasedPending() {
        return runPending(lockBasedPendingBatch);
    }

    /** Spawn a task whose future is already complete. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Object spawnTask() {
        return executor.submit(spawnTaskBatch).syncUninterruptibly().getNow();
    }

    /**
     * {@code spawnTask} with an adaptive limit ({@code Limits.gradient2()} starting at the same
     * limit): two clock reads, a sample and a read of the limit per job.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Object spawnTaskAdaptiveLimit() {
        Scheduler s = variant;
        if (s == null) {
            s = variant = Scheduler.builder().limit(Limits.gradient2().initialLimit(LIMIT)).pendingLimit(PENDING_JOBS)
                    .build(executor);
        }
        target = s; // published to the loop by the hand-off of the batch
        return executor.submit(spawnTaskOnTargetBatch).syncUninterruptibly().getNow();
    }

    /**
     * {@code spawnTaskAdaptiveLimit} with a clock that only counts (no {@code System.nanoTime()}):
     * what the adaptive limit itself costs, without the two clock reads per job, whose price
     * depends on the machine.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Object spawnTaskAdaptiveLimitCountingClock() {
        Scheduler s = variant;
        if (s == null) {
            Scheduler.Builder builder = Scheduler.builder().limit(Limits.gradient2().initialLimit(LIMIT))
                    .pendingLimit(PENDING_JOBS);
            long[] now = new long[1];
            SchedulerClocks.useClock(builder, () -> now[0] += 1_000); // read on the loop only
            s = variant = builder.build(executor);
        }
        target = s;
        return executor.submit(spawnTaskOnTargetBatch).syncUninterruptibly().getNow();
    }

    /**
     * Spawn on a scheduler with {@code rejectWhenFull(true)} whose one slot and one pending place are
     * taken by jobs that never end: every spawn fails at once with a {@link RejectedExecutionException}
     * and its task is never called. The refusal fills in no stack trace, so it should cost no more than
     * an admitted {@code spawnTask}.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Object spawnRefused() {
        Scheduler s = variant;
        if (s == null) {
            Scheduler full = Scheduler.builder().limit(1).pendingLimit(1).rejectWhenFull(true).build(executor);
            executor.submit(() -> fill(full)).syncUninterruptibly();
            s = variant = full;
        }
        target = s; // published to the loop by the hand-off of the batch
        return executor.submit(spawnRefusedBatch).syncUninterruptibly().getNow();
    }

    /** Takes the scheduler's one slot and one pending place with jobs that end only when it closes. */
    private Object fill(Scheduler full) {
        full.spawn(executor::newPromise);
        full.spawn(executor::newPromise);
        check("active", full.activeCount(), 1);
        check("pending", full.pendingCount(), 1);
        return full;
    }

    /** Spawn a task returning a promise, then complete the promise. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Object spawnPromise() {
        return spawnPromiseOn(scheduler);
    }

    /** {@code spawnPromise} with {@code debug(true)}: the stack captured at every spawn. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Object spawnPromiseDebug() {
        return spawnPromiseOn(config -> config.debug(true));
    }

    /** {@code spawnPromise} with a listener that does nothing: the clock reads and calls of a listener. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Object spawnPromiseListener() {
        return spawnPromiseOn(config -> config.listener(SILENT_LISTENER));
    }

    /** {@code spawnPromise} with {@code jobTimeout(1 h)}: a timer scheduled at each start and cancelled at each end. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Object spawnPromiseJobTimeout() {
        return spawnPromiseOn(config -> config.jobTimeout(ONE_HOUR));
    }

    /** {@code spawnPromise} with a task decorator that wraps nothing: the decoration of each start. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Object spawnPromiseDecorator() {
        return spawnPromiseOn(config -> config.taskDecorator(IDENTITY_DECORATOR));
    }

    /** {@code floorPromise} with a timer scheduled and cancelled per promise: the floor of a deadline per job. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Object floorPromiseTimer() {
        return executor.submit(floorPromiseTimerBatch).syncUninterruptibly().getNow();
    }

    /**
     * Runs one {@code spawnPromise} batch on this trial's variant scheduler: {@code config} applied to
     * {@link #baseConfig()}, built on the first call. Pass a lambda that captures nothing, so that no
     * call allocates.
     */
    private Object spawnPromiseOn(UnaryOperator<Scheduler.Builder> config) {
        Scheduler s = variant;
        if (s == null) {
            s = variant = config.apply(baseConfig()).build(executor);
        }
        return spawnPromiseOn(s);
    }

    private Object spawnPromiseOn(Scheduler on) {
        target = on; // published to the loop by the hand-off of the batch
        return executor.submit(spawnPromiseBatch).syncUninterruptibly().getNow();
    }

    /**
     * Spawn {@value #PENDING_JOBS} promise tasks under a limit of {@value #LIMIT} (so all but
     * {@value #LIMIT} wait in the pending queue), then complete them first-in first-out.
     */
    @Benchmark
    @OperationsPerInvocation(PENDING_JOBS)
    public Object spawnPending() {
        return runPending(spawnPendingBatch);
    }

    /** Shield a promise, listen to the shielded future, complete the promise. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Object shield() {
        return executor.submit(shieldBatch).syncUninterruptibly().getNow();
    }

    private Object floorTaskBatch() throws Exception {
        calls = 0;
        completed = 0;
        Future<?>[] ring = this.ring;
        for (int i = 0; i < BATCH; i++) {
            Future<Integer> f = completedTask.call();
            f.addListener(onCompleted);
            ring[i & RING_MASK] = f;
        }
        check("calls", calls, BATCH);
        check("completed", completed, BATCH);
        return ring[(BATCH - 1) & RING_MASK];
    }

    private Object floorPromiseBatch() {
        completed = 0;
        Future<?>[] ring = this.ring;
        for (int i = 0; i < BATCH; i++) {
            Promise<Integer> p = executor.newPromise();
            p.addListener(onCompleted);
            ring[i & RING_MASK] = p;
            p.setSuccess(ONE);
        }
        check("completed", completed, BATCH);
        return ring[(BATCH - 1) & RING_MASK];
    }

    private Object floorPromiseTimerBatch() {
        completed = 0;
        Future<?>[] ring = this.ring;
        for (int i = 0; i < BATCH; i++) {
            Promise<Integer> p = executor.newPromise();
            p.addListener(onCompleted);
            ScheduledFuture<?> timer = executor.schedule(NOTHING, 1, TimeUnit.HOURS);
            ring[i & RING_MASK] = p;
            p.setSuccess(ONE);
            timer.cancel(false);
        }
        check("completed", completed, BATCH);
        return ring[(BATCH - 1) & RING_MASK];
    }

    private Object lockBasedTaskBatch() throws Exception {
        calls = 0;
        tracker.reset();
        Future<?>[] ring = this.ring;
        for (int i = 0; i < BATCH; i++) {
            ring[i & RING_MASK] = tracker.start(completedTask);
        }
        checkLockBased(BATCH);
        return ring[(BATCH - 1) & RING_MASK];
    }

    private Object lockBasedPromiseBatch() throws Exception {
        calls = 0;
        tracker.reset();
        Future<?>[] ring = this.ring;
        for (int i = 0; i < BATCH; i++) {
            current = null;
            ring[i & RING_MASK] = tracker.start(promiseTask);
            takeCurrent().setSuccess(ONE);
        }
        checkLockBased(BATCH);
        return ring[(BATCH - 1) & RING_MASK];
    }

    private Object spawnTaskBatch() {
        calls = 0;
        Future<?>[] ring = this.ring;
        for (int i = 0; i < BATCH; i++) {
            ring[i & RING_MASK] = scheduler.spawn(completedTask);
        }
        checkSpawned(BATCH);
        return ring[(BATCH - 1) & RING_MASK];
    }

    private Object spawnTaskOnTargetBatch() {
        calls = 0;
        Future<?>[] ring = this.ring;
        Scheduler target = this.target;
        for (int i = 0; i < BATCH; i++) {
            ring[i & RING_MASK] = target.spawn(completedTask);
        }
        checkSpawned(target, BATCH);
        return ring[(BATCH - 1) & RING_MASK];
    }

    private Object spawnRefusedBatch() {
        calls = 0;
        refusals = 0;
        Future<?>[] ring = this.ring;
        Scheduler target = this.target;
        for (int i = 0; i < BATCH; i++) {
            Future<?> f = target.spawn(completedTask);
            if (f.cause() instanceof RejectedExecutionException) {
                refusals++;
            }
            ring[i & RING_MASK] = f;
        }
        check("refusals", refusals, BATCH);
        check("calls", calls, 0);
        check("active", target.activeCount(), 1);
        check("pending", target.pendingCount(), 1);
        return ring[(BATCH - 1) & RING_MASK];
    }

    private Object spawnPromiseBatch() {
        calls = 0;
        Future<?>[] ring = this.ring;
        Scheduler target = this.target;
        for (int i = 0; i < BATCH; i++) {
            current = null;
            ring[i & RING_MASK] = target.spawn(promiseTask);
            takeCurrent().setSuccess(ONE);
        }
        checkSpawned(target, BATCH);
        return ring[(BATCH - 1) & RING_MASK];
    }

    private Object shieldBatch() {
        completed = 0;
        Future<?>[] ring = this.ring;
        for (int i = 0; i < BATCH; i++) {
            Promise<Integer> p = executor.newPromise();
            Future<Integer> shielded = scheduler.shield(p);
            shielded.addListener(onCompleted);
            ring[i & RING_MASK] = shielded;
            p.setSuccess(ONE);
        }
        check("completed", completed, BATCH);
        check("scheduler size", scheduler.size(), 0);
        return ring[(BATCH - 1) & RING_MASK];
    }

    private Promise<Integer> takeCurrent() {
        Promise<Integer> p = current;
        if (p == null) {
            throw new IllegalStateException("the task was not called synchronously: the job did not start");
        }
        current = null;
        return p;
    }

    private void checkLockBased(int expected) {
        check("calls", calls, expected);
        tracker.checkAllCompleted(expected);
    }

    private void checkSpawned(int expected) {
        checkSpawned(scheduler, expected);
    }

    private void checkSpawned(Scheduler on, int expected) {
        check("calls", calls, expected);
        check("scheduler size", on.size(), 0);
        for (Future<?> f : ring) {
            @SuppressWarnings("unchecked")
            Future<Job<?>> spawned = (Future<Job<?>>) f;
            if (!spawned.isSuccess() || !spawned.getNow().isClosed()) {
                throw new IllegalStateException("job not finished: " + spawned);
            }
        }
    }

    /**
     * Runs one pending-path batch. Completing a job starts the next pending one; should the
     * scheduler start it on a later loop turn, {@link #drainPending()} resumes there, so the batch
     * may span several loop tasks and is awaited through its own promise.
     */
    private Object runPending(Runnable batch) {
        Promise<Void> done = executor.newPromise();
        batchDone = done;
        executor.execute(batch);
        done.syncUninterruptibly();
        return ring[(PENDING_JOBS - 1) & RING_MASK];
    }

    private void pendingBatch(boolean nettyjobs) {
        try {
            calls = 0;
            completed = 0;
            nextToComplete = 0;
            Future<?>[] ring = this.ring;
            if (nettyjobs) {
                for (int i = 0; i < PENDING_JOBS; i++) {
                    ring[i & RING_MASK] = scheduler.spawn(pendingTask);
                }
                check("active", scheduler.activeCount(), LIMIT);
                check("pending", scheduler.pendingCount(), PENDING_JOBS - LIMIT);
                pendingCheck = checkSpawnedPending;
            } else {
                tracker.reset();
                for (int i = 0; i < PENDING_JOBS; i++) {
                    tracker.submit(pendingTask);
                }
                check("waiting", tracker.waiting(), PENDING_JOBS - LIMIT);
                pendingCheck = checkLockBasedPending;
            }
            check("started", calls, LIMIT);
            drainPending();
        } catch (Throwable t) {
            batchDone.tryFailure(t);
        }
    }

    private void drainPending() {
        try {
            Object[] started = this.started;
            while (nextToComplete < PENDING_JOBS) {
                @SuppressWarnings("unchecked")
                Promise<Integer> p = (Promise<Integer>) started[nextToComplete];
                if (p == null) {
                    // The next job has not started yet: let the loop run whatever starts it.
                    executor.execute(drainPending);
                    return;
                }
                started[nextToComplete++] = null;
                p.setSuccess(ONE);
            }
            pendingCheck.run();
            batchDone.setSuccess(null);
        } catch (Throwable t) {
            batchDone.tryFailure(t);
        }
    }
}
