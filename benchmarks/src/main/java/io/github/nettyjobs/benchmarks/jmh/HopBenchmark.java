package io.github.nettyjobs.benchmarks.jmh;

import io.github.nettyjobs.Job;
import io.github.nettyjobs.Scheduler;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.FutureListener;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.Callable;

/**
 * Throughput of starting work on the event loop from another thread (the hop): the benchmark
 * thread itself hands {@link #BATCH} operations to the loop, then waits for the last one and checks
 * that all completed. Scores are operations per microsecond.
 *
 * <ul>
 *   <li>{@code floorHop}: {@code loop.execute} of a runnable that calls the task and listens to it.</li>
 *   <li>{@code lockBasedHop}: {@code loop.submit} of a lambda that starts the task under the
 *       hand-written tracker of {@link SpawnBenchmark}; the caller gets a future, as with spawn.</li>
 *   <li>{@code spawnHop}: {@code scheduler.spawn(task)} from the benchmark thread.</li>
 * </ul>
 *
 * <p>{@code loop} selects a {@link io.netty.channel.DefaultEventLoop} ({@code default}) or an NIO
 * I/O loop ({@code nio}), whose wake-ups differ.
 */
@State(Scope.Benchmark)
public class HopBenchmark extends AbstractBenchmark {

    private static final Integer ONE = 1;

    /** The kind of event loop the work hops to. */
    @Param({"default", "nio"})
    public String loop;

    private BenchmarkLoops loops;
    private EventLoop executor;
    private Scheduler scheduler;

    /** Where the loop counts calls: a cache line away from the fields the benchmark thread reads. */
    private static final int CALLS = 16;
    /** Where the loop counts completions, a cache line further. */
    private static final int COMPLETED = 32;

    private final Future<?>[] ring = new Future<?>[RING];
    /**
     * The loop's two counters, in an array of their own and 64 bytes from either end of it: as
     * fields of this object they would share a cache line with the fields the benchmark thread
     * reads for every operation, and every variant would pay for that line's trips between the
     * two cores. Written on the loop; reset and read by the benchmark thread while the loop is
     * idle, ordered by the queue hand-off and by waiting for the batch's last future.
     */
    private final int[] counts = new int[COMPLETED + CALLS];

    private final LockBasedTracker tracker = new LockBasedTracker(SpawnBenchmark.LIMIT);

    private final FutureListener<Object> onCompleted = f -> counts[COMPLETED]++;

    private final Callable<Future<Integer>> completedTask = () -> {
        counts[CALLS]++;
        return executor.newSucceededFuture(ONE);
    };

    private final Runnable floorRun = () -> {
        try {
            completedTask.call().addListener(onCompleted);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    };

    private final Runnable floorCheck = () -> {
        check("calls", counts[CALLS], BATCH);
        check("completed", counts[COMPLETED], BATCH);
    };

    /** Starts the loop and a scheduler with nettyjobs' default limits. */
    @Setup(Level.Trial)
    public void setUp() {
        loops = BenchmarkLoops.start(loop);
        executor = loops.loop();
        scheduler = Scheduler.builder().limit(SpawnBenchmark.LIMIT).build(executor);
    }

    /** Closes the scheduler and stops the loop. */
    @TearDown(Level.Trial)
    public void tearDown() {
        scheduler.close().syncUninterruptibly();
        loops.shutDown();
    }

    /** {@code loop.execute} of a runnable that calls the task and listens to its future. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Object floorHop() {
        reset();
        for (int i = 0; i < BATCH; i++) {
            executor.execute(floorRun);
        }
        return executor.submit(floorCheck).syncUninterruptibly();
    }

    /** {@code loop.submit} of a lambda that starts the task under a hand-written tracker. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Object lockBasedHop() {
        reset();
        Future<?>[] ring = this.ring;
        Future<?> last = null;
        for (int i = 0; i < BATCH; i++) {
            last = executor.submit(() -> tracker.start(completedTask));
            ring[i & RING_MASK] = last;
        }
        last.syncUninterruptibly();
        check("calls", counts[CALLS], BATCH);
        tracker.checkAllCompleted(BATCH);
        for (Future<?> f : ring) {
            if (!f.isSuccess() || !((Future<?>) f.getNow()).isSuccess()) {
                throw new IllegalStateException("task not finished: " + f);
            }
        }
        return last;
    }

    /** {@code scheduler.spawn(task)} from the benchmark thread. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Object spawnHop() {
        reset();
        Future<?>[] ring = this.ring;
        Future<Job<Integer>> last = null;
        for (int i = 0; i < BATCH; i++) {
            last = scheduler.spawn(completedTask);
            ring[i & RING_MASK] = last;
        }
        last.syncUninterruptibly();
        check("calls", counts[CALLS], BATCH);
        for (Future<?> f : ring) {
            if (!f.isSuccess() || !((Job<?>) f.getNow()).isClosed()) {
                throw new IllegalStateException("job not finished: " + f);
            }
        }
        return last;
    }

    /** Called while the loop is idle: the next hand-off to the loop publishes the writes. */
    private void reset() {
        counts[CALLS] = 0;
        counts[COMPLETED] = 0;
        tracker.reset();
    }
}
