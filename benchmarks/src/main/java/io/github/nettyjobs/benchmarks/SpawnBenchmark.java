package io.github.nettyjobs.benchmarks;

import io.github.nettyjobs.Job;
import io.github.nettyjobs.Scheduler;
import io.netty.channel.DefaultEventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.FutureListener;
import io.netty.util.concurrent.Promise;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Throughput of starting and completing work on the event loop: the floors no scheduler can beat,
 * a hand-written lock-based tracker, and nettyjobs' spawn paths, all in one class so that one run
 * gives every ratio.
 *
 * <p>Every variant runs on the same {@link DefaultEventLoop}: one invocation submits one batch to
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
 *   <li>{@code emptyBatch}: the handoff alone, the part of every score that is not the operation.</li>
 * </ul>
 */
@State(Scope.Benchmark)
public class SpawnBenchmark extends AbstractBenchmark {

    /** The concurrency limit of both the scheduler and the lock-based tracker (nettyjobs' default). */
    static final int LIMIT = 100;

    /** Jobs per batch of the pending path: {@value #LIMIT} active, the rest queued. */
    static final int PENDING_JOBS = 10_000;

    private static final Integer ONE = 1;

    private DefaultEventLoop loop;
    private Scheduler scheduler;

    // The fields below are touched only on the loop, inside a batch.
    private final Future<?>[] ring = new Future<?>[RING];
    private int calls;
    private int completed;
    private Promise<Integer> current;
    private final Object[] started = new Object[PENDING_JOBS];
    private int nextToComplete;
    private Promise<Void> batchDone;
    private Runnable pendingCheck;

    private final LockBasedTracker tracker = new LockBasedTracker(LIMIT);

    private final FutureListener<Object> countCompleted = f -> completed++;

    /** A task whose future is already complete. */
    private final Callable<Future<Integer>> completedTask = () -> {
        calls++;
        return loop.newSucceededFuture(ONE);
    };

    /** A task whose promise the batch completes right after starting it. */
    private final Callable<Future<Integer>> promiseTask = () -> {
        calls++;
        Promise<Integer> p = loop.newPromise();
        current = p;
        return p;
    };

    /** A task of the pending path: its promise is recorded in start order, completed later. */
    private final Callable<Future<Integer>> pendingTask = () -> {
        Promise<Integer> p = loop.newPromise();
        started[calls++] = p;
        return p;
    };

    private final Callable<Void> empty = () -> null;
    private final Callable<Void> floorTaskBatch = this::floorTaskBatch;
    private final Callable<Void> floorPromiseBatch = this::floorPromiseBatch;
    private final Callable<Void> lockBasedTaskBatch = this::lockBasedTaskBatch;
    private final Callable<Void> lockBasedPromiseBatch = this::lockBasedPromiseBatch;
    private final Callable<Void> spawnTaskBatch = this::spawnTaskBatch;
    private final Callable<Void> spawnPromiseBatch = this::spawnPromiseBatch;
    private final Callable<Void> shieldBatch = this::shieldBatch;
    private final Runnable spawnPendingBatch = () -> pendingBatch(true);
    private final Runnable lockBasedPendingBatch = () -> pendingBatch(false);
    private final Runnable drainPending = this::drainPending;
    private final Runnable checkSpawnedPending = () -> checkSpawned(PENDING_JOBS);
    private final Runnable checkLockBasedPending = () -> checkLockBased(PENDING_JOBS);

    /** Starts the loop and a scheduler with nettyjobs' default limits. */
    @Setup(Level.Trial)
    public void setUp() {
        loop = new DefaultEventLoop();
        scheduler = Scheduler.builder().limit(LIMIT).pendingLimit(PENDING_JOBS).build(loop);
    }

    /** Closes the scheduler and stops the loop. */
    @TearDown(Level.Trial)
    public void tearDown() {
        scheduler.close().syncUninterruptibly();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** The handoff of one batch to the loop and back, with no work in it. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void emptyBatch() {
        loop.submit(empty).syncUninterruptibly();
    }

    /** Call a task returning {@code loop.newSucceededFuture(1)} and listen to it: no tracking. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void floorTask() {
        loop.submit(floorTaskBatch).syncUninterruptibly();
    }

    /** {@code newPromise()}, add a listener, {@code setSuccess}: a job that ends later, untracked. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void floorPromise() {
        loop.submit(floorPromiseBatch).syncUninterruptibly();
    }

    /** The completed-future task, tracked by hand with a semaphore, a key set and a listener. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void lockBasedTask() {
        loop.submit(lockBasedTaskBatch).syncUninterruptibly();
    }

    /** The promise task, tracked by hand with a semaphore, a key set and a listener. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void lockBasedPromise() {
        loop.submit(lockBasedPromiseBatch).syncUninterruptibly();
    }

    /** {@value #PENDING_JOBS} promise tasks through a hand-written semaphore and queue, completed in order. */
    @Benchmark
    @OperationsPerInvocation(PENDING_JOBS)
    public void lockBasedPending() {
        runPending(lockBasedPendingBatch);
    }

    /** Spawn a task whose future is already complete. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void spawnTask() {
        loop.submit(spawnTaskBatch).syncUninterruptibly();
    }

    /** Spawn a task returning a promise, then complete the promise. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void spawnPromise() {
        loop.submit(spawnPromiseBatch).syncUninterruptibly();
    }

    /**
     * Spawn {@value #PENDING_JOBS} promise tasks under a limit of {@value #LIMIT} (so all but
     * {@value #LIMIT} wait in the pending queue), then complete them first-in first-out.
     */
    @Benchmark
    @OperationsPerInvocation(PENDING_JOBS)
    public void spawnPending() {
        runPending(spawnPendingBatch);
    }

    /** Shield a promise, listen to the shielded future, complete the promise. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void shield() {
        loop.submit(shieldBatch).syncUninterruptibly();
    }

    private Void floorTaskBatch() throws Exception {
        calls = 0;
        completed = 0;
        Future<?>[] ring = this.ring;
        for (int i = 0; i < BATCH; i++) {
            Future<Integer> f = completedTask.call();
            f.addListener(countCompleted);
            ring[i & RING_MASK] = f;
        }
        check("calls", calls, BATCH);
        check("completed", completed, BATCH);
        return null;
    }

    private Void floorPromiseBatch() {
        completed = 0;
        Future<?>[] ring = this.ring;
        for (int i = 0; i < BATCH; i++) {
            Promise<Integer> p = loop.newPromise();
            p.addListener(countCompleted);
            ring[i & RING_MASK] = p;
            p.setSuccess(ONE);
        }
        check("completed", completed, BATCH);
        return null;
    }

    private Void lockBasedTaskBatch() throws Exception {
        calls = 0;
        tracker.reset();
        Future<?>[] ring = this.ring;
        for (int i = 0; i < BATCH; i++) {
            ring[i & RING_MASK] = tracker.start(completedTask);
        }
        checkLockBased(BATCH);
        return null;
    }

    private Void lockBasedPromiseBatch() throws Exception {
        calls = 0;
        tracker.reset();
        Future<?>[] ring = this.ring;
        for (int i = 0; i < BATCH; i++) {
            current = null;
            ring[i & RING_MASK] = tracker.start(promiseTask);
            takeCurrent().setSuccess(ONE);
        }
        checkLockBased(BATCH);
        return null;
    }

    private Void spawnTaskBatch() {
        calls = 0;
        Future<?>[] ring = this.ring;
        for (int i = 0; i < BATCH; i++) {
            ring[i & RING_MASK] = scheduler.spawn(completedTask);
        }
        checkSpawned(BATCH);
        return null;
    }

    private Void spawnPromiseBatch() {
        calls = 0;
        Future<?>[] ring = this.ring;
        for (int i = 0; i < BATCH; i++) {
            current = null;
            ring[i & RING_MASK] = scheduler.spawn(promiseTask);
            takeCurrent().setSuccess(ONE);
        }
        checkSpawned(BATCH);
        return null;
    }

    private Void shieldBatch() {
        completed = 0;
        Future<?>[] ring = this.ring;
        for (int i = 0; i < BATCH; i++) {
            Promise<Integer> p = loop.newPromise();
            Future<Integer> shielded = scheduler.shield(p);
            shielded.addListener(countCompleted);
            ring[i & RING_MASK] = shielded;
            p.setSuccess(ONE);
        }
        check("completed", completed, BATCH);
        check("scheduler size", scheduler.size(), 0);
        return null;
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
        check("calls", calls, expected);
        check("scheduler size", scheduler.size(), 0);
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
    private void runPending(Runnable batch) {
        Promise<Void> done = loop.newPromise();
        batchDone = done;
        loop.execute(batch);
        done.syncUninterruptibly();
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
                    loop.execute(drainPending);
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
