package io.github.nettyjobs.benchmarks.jmh;

import io.github.nettyjobs.Scheduler;
import io.github.nettyjobs.benchmarks.load.RawExecutors;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.FutureListener;
import io.netty.util.concurrent.Promise;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.LongAdder;

/**
 * What {@code spawnBlocking} costs a job, against the least a user writes by hand for the same:
 * the call handed to the same executor with {@code execute}, and its result carried back to the
 * loop with one {@code loop.execute}. The calls return at once, so what is measured is the
 * machinery: admission, the hand-off, the hop back, the job's end. Both use the executor that
 * nettyjobs uses by default on this JVM (a virtual thread per task on Java 21 and later, a cached
 * pool of platform threads on Java 17), made by hand so that both pay the same for it.
 *
 * <p>One invocation hands a batch of {@value AbstractBenchmark#BATCH} calls to the loop, which
 * starts them all, and waits until every result is back on the loop. Scores are calls per µs.
 *
 * <ul>
 *   <li>{@code executeAndHop}: per call, an object that runs the call on the executor and then
 *       hops itself onto the loop, where it is counted: the least there is.</li>
 *   <li>{@code executeAndPromise}: per call, a promise of the loop that the blocking thread
 *       completes, and a listener on it: how Netty code usually carries a result back.</li>
 *   <li>{@code spawnBlocking}: per call, {@code scheduler.spawnBlocking(call)} on a scheduler without
 *       a limit, which is closed with {@code waitAndClose()} once the batch is spawned.</li>
 * </ul>
 */
@State(Scope.Benchmark)
public class BlockingBenchmark extends AbstractBenchmark {

    private static final Integer ONE = 1;

    private BenchmarkLoops loops;
    private EventLoop loop;
    private ExecutorService executor;
    private Scheduler.Builder config;

    /** Counts the calls made, on the blocking threads. */
    private final LongAdder calls = new LongAdder();
    private final Callable<Integer> call = () -> {
        calls.increment();
        return ONE;
    };

    // The hand-written floors' batch; confined to the loop.
    private int hopped;
    private Promise<Void> floorDone;
    private final FutureListener<Integer> countOnLoop = result -> {
        if (result.isSuccess() && ++hopped == BATCH) {
            floorDone.setSuccess(null);
        }
    };

    /** Starts one call of {@code executeAndHop}, on the loop. */
    private final Runnable startCallAndHop = () -> executor.execute(new CallAndHop());

    /** Starts one call of {@code executeAndPromise}, on the loop. */
    private final Runnable startCallWithPromise = () -> {
        Promise<Integer> result = loop.newPromise();
        result.addListener(countOnLoop);
        executor.execute(() -> {
            try {
                result.setSuccess(call.call());
            } catch (Exception e) {
                result.setFailure(e);
            }
        });
    };

    /** Starts the NIO loop and the executor. */
    @Setup(Level.Trial)
    public void setUp() {
        loops = BenchmarkLoops.start("nio");
        loop = loops.loop();
        executor = RawExecutors.defaultKind();
        config = Scheduler.builder().limit(0).blockingExecutor(executor);
    }

    /** Stops the loop and the executor. */
    @TearDown(Level.Trial)
    public void tearDown() {
        loops.shutDown();
        executor.shutdownNow();
    }

    /** The call on the executor, its result carried back to the loop by hand. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Object executeAndHop() {
        return floorBatch(startCallAndHop);
    }

    /** The call on the executor, its result carried back by a promise of the loop and its listener. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Object executeAndPromise() {
        return floorBatch(startCallWithPromise);
    }

    /**
     * One batch of a hand-written floor: {@code startCall} run {@value AbstractBenchmark#BATCH} times on
     * the loop, then a wait until every result is counted there.
     */
    private Object floorBatch(Runnable startCall) {
        calls.reset();
        Promise<Void> done = loop.newPromise();
        loop.execute(() -> {
            hopped = 0;
            floorDone = done;
            for (int i = 0; i < BATCH; i++) {
                startCall.run();
            }
        });
        done.syncUninterruptibly();
        check("calls", calls.sum(), BATCH);
        return done;
    }

    /** The call as a job of a scheduler. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Object spawnBlocking() {
        calls.reset();
        Scheduler scheduler = config.build(loop);
        loop.execute(() -> {
            for (int i = 0; i < BATCH; i++) {
                scheduler.spawnBlocking(call);
            }
        });
        Future<Void> closed = scheduler.waitAndClose().syncUninterruptibly();
        check("calls", calls.sum(), BATCH);
        return closed;
    }

    /** Runs the call on a blocking thread, then itself again on the loop with the result. */
    private final class CallAndHop implements Runnable {

        private Integer result;

        @Override
        public void run() {
            if (loop.inEventLoop()) {
                if (result != null && ++hopped == BATCH) {
                    floorDone.setSuccess(null);
                }
                return;
            }
            try {
                result = call.call();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            loop.execute(this);
        }
    }
}
