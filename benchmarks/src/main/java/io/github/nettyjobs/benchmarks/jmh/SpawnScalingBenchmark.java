package io.github.nettyjobs.benchmarks.jmh;

import io.github.nettyjobs.Scheduler;
import io.netty.channel.DefaultEventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.FutureListener;
import io.netty.util.concurrent.Promise;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * Whether a spawn costs the same however many jobs the scheduler already holds: {@code jobs} jobs
 * spawned in one loop task, all of them still active when the last one starts, then all completed.
 * Scores are microseconds per invocation; the report divides them into jobs per microsecond.
 *
 * <ul>
 *   <li>{@code spawnActive}: {@code scheduler.spawn(task)} of {@code jobs} promise tasks on an
 *       unlimited scheduler, then every promise completed.</li>
 *   <li>{@code floorPromises}: as many promises, each with one listener, created and then completed,
 *       untracked.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SpawnScalingBenchmark extends AbstractBenchmark {

    private static final Integer ONE = 1;

    /** Jobs spawned per invocation, and held at once. */
    @Param({"1000", "10000", "100000", "1000000"})
    public int jobs;

    private DefaultEventLoop loop;
    private Scheduler scheduler;

    // Touched only on the loop, inside one invocation.
    private Promise<Integer>[] promises;
    private int calls;
    private int completed;

    private final FutureListener<Object> onCompleted = f -> completed++;

    private final Callable<Future<Integer>> task = () -> {
        Promise<Integer> p = loop.newPromise();
        promises[calls++] = p;
        return p;
    };

    private final Callable<Object> spawnActiveBatch = this::spawnActiveBatch;
    private final Callable<Object> floorPromisesBatch = this::floorPromisesBatch;

    /** Starts the loop and an unlimited scheduler. */
    @Setup(Level.Trial)
    @SuppressWarnings({"unchecked", "rawtypes"})
    public void setUp() {
        loop = new DefaultEventLoop();
        scheduler = Scheduler.builder().limit(0).pendingLimit(0).build(loop);
        promises = new Promise[jobs];
    }

    /** Closes the scheduler and stops the loop. */
    @TearDown(Level.Trial)
    public void tearDown() {
        scheduler.close().syncUninterruptibly();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Spawn {@code jobs} jobs that stay active, then complete them all. */
    @Benchmark
    public Object spawnActive() {
        return loop.submit(spawnActiveBatch).syncUninterruptibly().getNow();
    }

    /** Create {@code jobs} promises with a listener each, then complete them all. */
    @Benchmark
    public Object floorPromises() {
        return loop.submit(floorPromisesBatch).syncUninterruptibly().getNow();
    }

    private Object spawnActiveBatch() {
        calls = 0;
        Future<?> last = null;
        for (int i = 0; i < jobs; i++) {
            last = scheduler.spawn(task);
        }
        check("active", scheduler.activeCount(), jobs);
        completeAll();
        check("scheduler size", scheduler.size(), 0);
        return last;
    }

    private Object floorPromisesBatch() {
        completed = 0;
        for (int i = 0; i < jobs; i++) {
            Promise<Integer> p = loop.newPromise();
            p.addListener(onCompleted);
            promises[i] = p;
        }
        Object last = promises[jobs - 1];
        completeAll();
        check("completed", completed, jobs);
        return last;
    }

    private void completeAll() {
        Promise<Integer>[] promises = this.promises;
        for (int i = 0; i < promises.length; i++) {
            promises[i].setSuccess(ONE);
            promises[i] = null;
        }
    }
}
