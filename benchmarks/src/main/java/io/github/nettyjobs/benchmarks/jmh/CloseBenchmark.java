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
 * Time to end many active jobs at once, against ending as many bare promises on the loop.
 * Scores are microseconds per invocation (one invocation ends {@code jobs} jobs or promises).
 *
 * <ul>
 *   <li>{@code close}: {@code scheduler.close()} with {@code jobs} active jobs, each waiting on its
 *       own promise, until the close future completes; its baseline {@code cancelPromises} cancels
 *       as many promises (each with one listener) in one loop task.</li>
 *   <li>{@code waitAndClose}: {@code scheduler.waitAndClose()}, then every job's promise is
 *       completed, until the returned future completes; its baseline {@code completePromises}
 *       completes as many promises (each with one listener) in one loop task.</li>
 * </ul>
 *
 * <p>The jobs and promises are prepared on the loop before each invocation, outside the measured
 * time, and checked after it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CloseBenchmark extends AbstractBenchmark {

    private static final Integer ONE = 1;

    /** Active jobs (or promises) ended per invocation. */
    @Param({"1000", "10000", "100000", "1000000"})
    public int jobs;

    DefaultEventLoop loop;

    /** Starts the loop. */
    @Setup(Level.Trial)
    public void setUp() {
        loop = new DefaultEventLoop();
    }

    /** Stops the loop. */
    @TearDown(Level.Trial)
    public void tearDown() {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** {@code close()} of a scheduler holding {@code jobs} active jobs. */
    @Benchmark
    public Object close(ActiveJobs state) {
        return state.scheduler.close().syncUninterruptibly();
    }

    /** Cancel {@code jobs} promises, each with a listener, in one loop task. */
    @Benchmark
    public Object cancelPromises(Promises state) {
        return loop.submit(state.cancelAll).syncUninterruptibly();
    }

    /** {@code waitAndClose()}, then complete every active job's promise, until the close completes. */
    @Benchmark
    public Object waitAndClose(ActiveJobs state) {
        return loop.submit(state.waitAndCloseThenComplete).syncUninterruptibly().getNow().syncUninterruptibly();
    }

    /** Complete {@code jobs} promises, each with a listener, in one loop task. */
    @Benchmark
    public Object completePromises(Promises state) {
        return loop.submit(state.completeAll).syncUninterruptibly();
    }

    /** A fresh unlimited scheduler with {@code jobs} active jobs, each waiting on its own promise. */
    @State(Scope.Thread)
    public static class ActiveJobs {
        Scheduler scheduler;
        Promise<Integer>[] promises;
        // Touched on the loop; read by the benchmark thread after waiting for the loop.
        int calls;
        private DefaultEventLoop loop;

        private final Callable<Future<Integer>> task = () -> {
            Promise<Integer> p = loop.newPromise();
            promises[calls++] = p;
            return p;
        };

        final Callable<Future<Void>> waitAndCloseThenComplete = () -> {
            Future<Void> closed = scheduler.waitAndClose();
            for (Promise<Integer> p : promises) {
                p.setSuccess(ONE);
            }
            return closed;
        };

        /**
         * Spawns the jobs on the loop.
         *
         * @param bench the benchmark, for its loop and size
         */
        @Setup(Level.Invocation)
        @SuppressWarnings({"unchecked", "rawtypes"})
        public void spawn(CloseBenchmark bench) {
            loop = bench.loop;
            int jobs = bench.jobs;
            promises = new Promise[jobs];
            calls = 0;
            scheduler = Scheduler.builder().limit(0).build(loop);
            loop.submit(() -> {
                for (int i = 0; i < jobs; i++) {
                    scheduler.spawn(task);
                }
                check("active jobs", scheduler.activeCount(), jobs);
            }).syncUninterruptibly();
        }

        /** Checks that every job ended and the scheduler is closed and empty. */
        @TearDown(Level.Invocation)
        public void verify() {
            check("started", calls, promises.length);
            if (!scheduler.isClosed()) {
                throw new IllegalStateException("scheduler not closed: " + scheduler);
            }
            loop.submit(() -> check("jobs left", scheduler.size(), 0)).syncUninterruptibly();
            for (Promise<Integer> p : promises) {
                if (!p.isDone()) {
                    throw new IllegalStateException("job future not done: " + p);
                }
            }
        }
    }

    /** {@code jobs} bare promises, each with one listener. */
    @State(Scope.Thread)
    public static class Promises {
        Promise<Integer>[] promises;
        // Touched on the loop; read by the benchmark thread after waiting for the loop.
        int completed;

        private final FutureListener<Object> onCompleted = f -> completed++;

        final Runnable cancelAll = () -> {
            for (Promise<Integer> p : promises) {
                p.cancel(false);
            }
        };

        final Runnable completeAll = () -> {
            for (Promise<Integer> p : promises) {
                p.setSuccess(ONE);
            }
        };

        /**
         * Creates the promises on the loop.
         *
         * @param bench the benchmark, for its loop and size
         */
        @Setup(Level.Invocation)
        @SuppressWarnings({"unchecked", "rawtypes"})
        public void create(CloseBenchmark bench) {
            DefaultEventLoop loop = bench.loop;
            int jobs = bench.jobs;
            completed = 0;
            promises = new Promise[jobs];
            loop.submit(() -> {
                for (int i = 0; i < jobs; i++) {
                    Promise<Integer> p = loop.newPromise();
                    p.addListener(onCompleted);
                    promises[i] = p;
                }
            }).syncUninterruptibly();
        }

        /** Checks that every promise was ended and its listener called. */
        @TearDown(Level.Invocation)
        public void verify() {
            check("completed", completed, promises.length);
        }
    }
}
