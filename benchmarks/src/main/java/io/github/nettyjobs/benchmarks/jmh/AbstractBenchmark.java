package io.github.nettyjobs.benchmarks.jmh;

import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Base of every nettyjobs benchmark: fixes warmup, measurement, fork and JVM flags in one place so
 * that figures from different classes of one run are comparable.
 *
 * <p>Subclasses measure batches: one benchmark invocation hands one runnable to the event loop
 * that performs {@link #BATCH} operations and checks that all of them completed, so the
 * cross-thread handoff is paid once per batch and equally by every variant. Command-line options
 * ({@code -wi}, {@code -i}, {@code -f}, {@code -w}, {@code -r}) override these defaults.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = AbstractBenchmark.WARMUP_ITERATIONS, time = 1)
@Measurement(iterations = AbstractBenchmark.MEASUREMENT_ITERATIONS, time = 1)
@Fork(value = AbstractBenchmark.FORKS, jvmArgsAppend = {
        "-Xms2g", "-Xmx2g",
        "-Dio.netty.leakDetection.level=disabled",
        "-Dnettyjobs.debug=false"})
public abstract class AbstractBenchmark {

    /** Warmup iterations of one second each. */
    public static final int WARMUP_ITERATIONS = 5;

    /** Measurement iterations of one second each. */
    public static final int MEASUREMENT_ITERATIONS = 5;

    /** Forked JVMs per benchmark: two, so that JMH's error also covers run-to-run variation. */
    public static final int FORKS = 2;

    /**
     * Operations per batch: large enough that the one handoff to the loop per batch costs a few
     * nanoseconds per operation ({@code SpawnBenchmark.emptyBatch} shows how many).
     */
    static final int BATCH = 10_000;

    /** Size of the ring that keeps recent results reachable so the JIT cannot drop them. */
    static final int RING = 1024;

    /** Index mask of the ring. */
    static final int RING_MASK = RING - 1;

    /** Subclasses only. */
    protected AbstractBenchmark() {
    }

    /**
     * Throws if a batch did not do all its work: a benchmark that silently skips work measures
     * nothing.
     *
     * @param what    the counter being checked
     * @param actual  its value
     * @param expected the value a complete batch gives
     */
    static void check(String what, long actual, long expected) {
        if (actual != expected) {
            throw new IllegalStateException(what + ": " + actual + " (expected: " + expected + ')');
        }
    }
}
