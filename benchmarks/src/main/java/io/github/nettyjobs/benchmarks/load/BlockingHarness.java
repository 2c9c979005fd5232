package io.github.nettyjobs.benchmarks.load;

import io.github.nettyjobs.Scheduler;
import io.github.nettyjobs.benchmarks.report.ToolCommandLine;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.ContextInternal;
import joptsimple.OptionParser;
import joptsimple.OptionSet;
import joptsimple.OptionSpec;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Blocking work side by side in one run: {@code --jobs} calls that each sleep {@code --sleep-ms},
 * at most {@code --limit} at once, through {@code spawnBlocking} (nettyjobs' default executor), on
 * the JDK's raw virtual-thread executor behind a semaphore of as many permits (the floor), on a
 * raw fixed pool of {@code --pool} platform threads, and through Vert.x's {@code executeBlocking}
 * (unordered, on a worker pool of {@code --limit} threads). Each round runs every variant once, in
 * an order that rotates from round to round; the harness reports the median wall time of each over
 * the measured rounds, its ratio to the floor's, and the delay of a 1 ms periodic task on the event
 * loop that hands out the work (the scheduler's loop, Vert.x's context loop; an idle NIO loop for
 * the raw executors, which shows the machine's own jitter). The scheduler and Vert.x get the calls
 * in chunks of {@value #CHUNK} per loop task, as a server gets them from requests.
 *
 * <p>Not JMH: a run is a few hundred milliseconds of sleeping threads, and the loop's delay is a
 * percentile of its own; the harness measures both directly, with warmup rounds first.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.github.nettyjobs.benchmarks.load.BlockingHarness \
 *     --warmup 3 --rounds 10 --json blocking.json
 * </pre>
 */
public final class BlockingHarness {

    private static final long PROBE_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /**
     * Calls handed out per loop task: a server spawns as requests arrive, not 10 000 in one task,
     * and a chunk this small lets the probe run between chunks.
     */
    private static final int CHUNK = 100;

    private final int jobs;
    private final long sleepMillis;
    private final int limit;
    private final int poolThreads;

    private BlockingHarness(int jobs, long sleepMillis, int limit, int poolThreads) {
        this.jobs = jobs;
        this.sleepMillis = sleepMillis;
        this.limit = limit;
        this.poolThreads = poolThreads;
    }

    /**
     * Runs the harness.
     *
     * @param args options, see {@code --help}
     * @throws Exception if a variant fails
     */
    public static void main(String[] args) throws Exception {
        OptionParser parser = new OptionParser();
        OptionSpec<Integer> jobs = parser.accepts("jobs", "blocking calls per run").withRequiredArg()
                .ofType(Integer.class).defaultsTo(10_000);
        OptionSpec<Integer> sleep = parser.accepts("sleep-ms", "how long each call sleeps").withRequiredArg()
                .ofType(Integer.class).defaultsTo(10);
        OptionSpec<Integer> limit = parser.accepts("limit",
                        "calls at once: the scheduler's limit, the floor's permits, "
                + "Vert.x's worker pool").withRequiredArg().ofType(Integer.class).defaultsTo(1_000);
        OptionSpec<Integer> pool = parser.accepts("pool", "threads of the fixed platform pool").withRequiredArg()
                .ofType(Integer.class).defaultsTo(200);
        OptionSpec<Integer> warmup = parser.accepts("warmup", "rounds before measuring").withRequiredArg()
                .ofType(Integer.class).defaultsTo(3);
        OptionSpec<Integer> rounds = parser.accepts("rounds", "measured rounds").withRequiredArg()
                .ofType(Integer.class).defaultsTo(10);
        OptionSpec<Void> noVertx = parser.accepts("no-vertx", "leave Vert.x out");
        OptionSpec<Path> json = ToolCommandLine.pathOption(parser, "json",
                "also write the summary here, for BenchmarkReport --blocking");
        OptionSet set = ToolCommandLine.parseOrExit(parser, args);
        if (set == null) {
            return;
        }
        BlockingHarness harness = new BlockingHarness(set.valueOf(jobs), set.valueOf(sleep), set.valueOf(limit),
                set.valueOf(pool));
        BlockingSummary summary = harness.run(set.valueOf(warmup), set.valueOf(rounds), !set.has(noVertx), System.out);
        if (set.has(json)) {
            summary.write(set.valueOf(json));
        }
    }

    private BlockingSummary run(int warmupRounds, int measuredRounds, boolean withVertx, PrintStream out)
            throws Exception {
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        EventLoop loop = (EventLoop) group.next();
        List<Variant> variants = new ArrayList<>();
        ExecutorService virtual = RawExecutors.virtualThreadPerTask();
        ExecutorService fixed = RawExecutors.fixedPool(poolThreads, "fixed-pool");
        Vertx vertx = withVertx ? Vertx.vertx(new VertxOptions().setWorkerPoolSize(limit)) : null;
        try {
            if (virtual != null) {
                variants.add(new Variant("virtualThreads", "raw virtual-thread executor, a semaphore of " + limit
                        + " permits (the floor)", loop, () -> onExecutor(virtual, limit)));
            }
            variants.add(new Variant("spawnBlocking", "`spawnBlocking`, limit " + limit + ", the default executor",
                    loop, () -> spawnBlocking(loop)));
            variants.add(new Variant("fixedPool", "raw fixed pool of " + poolThreads + " platform threads", loop,
                    () -> onExecutor(fixed, poolThreads)));
            if (vertx != null) {
                ContextInternal context = (ContextInternal) vertx.getOrCreateContext();
                variants.add(new Variant("vertxExecuteBlocking", "Vert.x " + vertxVersion()
                        + " `executeBlocking`, unordered, " + limit + " worker threads",
                        context.nettyEventLoop(), () -> vertxExecuteBlocking(context)));
            }
            out.printf(Locale.ROOT, "nettyjobs blocking harness, %s, Java %s, %d cpus: %d calls of %d ms, limit %d, "
                            + "%d warmup + %d measured rounds%n", Instant.now(), System.getProperty("java.version"),
                    Runtime.getRuntime().availableProcessors(), jobs, sleepMillis, limit, warmupRounds, measuredRounds);
            if (virtual == null) {
                out.println("no virtual threads on this JVM: the floor is left out");
            }
            for (int round = 0; round < warmupRounds + measuredRounds; round++) {
                boolean measured = round >= warmupRounds;
                for (int i = 0; i < variants.size(); i++) {
                    Variant variant = variants.get((i + round) % variants.size());
                    long millis = variant.runOnce(measured);
                    out.printf(Locale.ROOT, "%s round %d: %-22s %6d ms%n", measured ? "measured" : "warmup  ",
                            round + 1, variant.name, millis);
                }
            }
        } finally {
            if (vertx != null) {
                vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
            fixed.shutdownNow();
            if (virtual != null) {
                virtual.shutdownNow();
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        double floor = variants.get(0).name.equals("virtualThreads") ? variants.get(0).medianMillis() : Double.NaN;
        List<BlockingSummary.VariantResult> results = new ArrayList<>();
        out.println();
        out.println("variant                  median ms   min   max  vs floor   loop delay p50 / p99 / max µs");
        for (Variant v : variants) {
            BlockingSummary.VariantResult r = v.result(floor);
            results.add(r);
            out.printf(Locale.ROOT, "%-22s %9.1f %5d %5d %8.2fx   %8.0f / %6.0f / %6.0f%n", r.name(), r.medianMillis(),
                    r.minMillis(), r.maxMillis(), r.ratioToFloor(), r.loopDelayP50Micros(), r.loopDelayP99Micros(),
                    r.loopDelayMaxMicros());
        }
        return new BlockingSummary(Instant.now().toString(), System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(), jobs, sleepMillis, limit, poolThreads, measuredRounds,
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), results);
    }

    /** Vert.x's version, from the file its jar carries for that purpose. */
    private static String vertxVersion() {
        try (InputStream in = Vertx.class.getResourceAsStream("/META-INF/vertx/vertx-version.txt")) {
            return in == null ? "5" : new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return "5";
        }
    }

    /** The call every variant makes. */
    private Object sleep() throws InterruptedException {
        Thread.sleep(sleepMillis);
        return Boolean.TRUE;
    }

    private void spawnBlocking(EventLoop loop) throws Exception {
        Scheduler scheduler = Scheduler.builder().limit(limit).pendingLimit(0).waitTimeout(null).build(loop);
        Callable<Object> call = this::sleep;
        inChunks(loop::execute, () -> scheduler.spawnBlocking(call)).await();
        scheduler.waitAndClose().sync();
    }

    /**
     * Runs {@code handOut} {@link #jobs} times on a loop, {@link #CHUNK} times per task of
     * {@code loop}; the latch opens once every call is handed out.
     */
    private CountDownLatch inChunks(Executor loop, Runnable handOut) {
        CountDownLatch handedOut = new CountDownLatch(1);
        loop.execute(new Runnable() {
            private int done;

            @Override
            public void run() {
                int end = Math.min(jobs, done + CHUNK);
                for (; done < end; done++) {
                    handOut.run();
                }
                if (done < jobs) {
                    loop.execute(this);
                } else {
                    handedOut.countDown();
                }
            }
        });
        return handedOut;
    }

    private void onExecutor(ExecutorService executor, int permits) throws Exception {
        Semaphore slots = new Semaphore(permits);
        CountDownLatch done = new CountDownLatch(jobs);
        for (int i = 0; i < jobs; i++) {
            slots.acquire();
            executor.execute(() -> {
                try {
                    sleep();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    slots.release();
                    done.countDown();
                }
            });
        }
        done.await();
    }

    private void vertxExecuteBlocking(ContextInternal context) throws Exception {
        CountDownLatch done = new CountDownLatch(jobs);
        Callable<Object> call = this::sleep;
        inChunks(task -> context.runOnContext(ignored -> task.run()),
                () -> context.executeBlocking(call, /* ordered= */ false).onComplete(result -> done.countDown()));
        done.await();
    }

    /** A piece of work of the comparison and what its measured rounds gave. */
    private static final class Variant {

        final String name;
        final String description;
        private final EventLoop probed;
        private final Work work;
        private final List<Long> millis = new ArrayList<>();
        private final Histogram loopDelay = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);

        Variant(String name, String description, EventLoop probed, Work work) {
            this.name = name;
            this.description = description;
            this.probed = probed;
            this.work = work;
        }

        long runOnce(boolean measured) throws Exception {
            LoopProbe probe = LoopProbe.start(probed);
            long start = System.nanoTime();
            work.run();
            long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            Histogram delays = probe.stop();
            if (measured) {
                millis.add(elapsed);
                loopDelay.add(delays);
            }
            return elapsed;
        }

        double medianMillis() {
            long[] sorted = millis.stream().mapToLong(Long::longValue).sorted().toArray();
            int n = sorted.length;
            return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
        }

        BlockingSummary.VariantResult result(double floorMillis) {
            double median = medianMillis();
            long[] sorted = millis.stream().mapToLong(Long::longValue).sorted().toArray();
            return new BlockingSummary.VariantResult(name, description, median, sorted[0], sorted[sorted.length - 1],
                    median / floorMillis, loopDelay.getValueAtPercentile(50) / 1e3,
                    loopDelay.getValueAtPercentile(99) / 1e3, loopDelay.getMaxValue() / 1e3,
                    Arrays.toString(sorted));
        }
    }

    @FunctionalInterface
    private interface Work {
        void run() throws Exception;
    }

    /**
     * A task run every millisecond on a loop, at a fixed rate, that records how late each run came
     * against its own deadline: a run held up by a busy loop counts, and so do the runs behind it.
     */
    private static final class LoopProbe implements Runnable {

        private final EventLoop loop;
        private final Histogram delays = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        private long deadline;
        private ScheduledFuture<?> timer;

        private LoopProbe(EventLoop loop) {
            this.loop = loop;
        }

        static LoopProbe start(EventLoop loop) throws Exception {
            LoopProbe probe = new LoopProbe(loop);
            loop.submit(() -> {
                probe.deadline = System.nanoTime() + PROBE_PERIOD_NANOS;
                probe.timer = loop.scheduleAtFixedRate(probe, PROBE_PERIOD_NANOS, PROBE_PERIOD_NANOS,
                        TimeUnit.NANOSECONDS);
            }).sync();
            return probe;
        }

        @Override
        public void run() {
            delays.recordValue(Math.max(0, System.nanoTime() - deadline));
            deadline += PROBE_PERIOD_NANOS;
        }

        /** Stops the probe; the histogram is read after a hop through the loop, so every record is seen. */
        Histogram stop() throws Exception {
            return loop.submit(() -> {
                timer.cancel(false);
                return delays;
            }).get(10, TimeUnit.SECONDS);
        }
    }
}
