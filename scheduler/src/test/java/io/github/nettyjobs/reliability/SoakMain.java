package io.github.nettyjobs.reliability;

import io.github.nettyjobs.ExceptionContext;
import io.github.nettyjobs.Job;
import io.github.nettyjobs.Scheduler;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;
import io.netty.util.concurrent.Promise;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * The soak, run in a JVM of its own with a small heap by {@link SchedulerSoakTest}: spawns and
 * completes {@code args[0]} jobs on one scheduler, mixing every way a job can start and end,
 * then closes it and prints one line of {@code key=value} results. Exits 0 when the counts add
 * up, 1 when they do not, 2 on a hang; running out of memory ends the JVM with an error.
 */
public final class SoakMain {

    /** Jobs a driver turn may leave in the scheduler or waiting to enter it. */
    private static final int OUTSTANDING = 2_048;
    private static final int SPAWNS_PER_TURN = 256;
    private static final int KINDS = 20;

    private final EventLoop loop;
    private final EventLoop other;
    private final long cycles;
    private final Scheduler scheduler;
    private final Promise<Void> done;
    private final Exception failure = new SoakFailure();
    private final GenericFutureListener<Future<Job<Object>>> onSpawned = this::admitted;
    private final GenericFutureListener<Future<Job<Object>>> onSpawnedJoin = f -> {
        if (admitted(f)) {
            f.getNow().join();
        }
    };
    /** A join whose timer must be cancelled when the job ends, or the timers pile up. */
    private final GenericFutureListener<Future<Job<Object>>> onSpawnedJoinWithTimeout = f -> {
        if (admitted(f)) {
            f.getNow().join(Duration.ofMinutes(10));
        }
    };
    private final GenericFutureListener<Future<Job<Object>>> onSpawnedClose = f -> {
        if (admitted(f)) {
            f.getNow().close();
        }
    };
    private final long sampleEvery;
    private long nextSample;
    private final long[] heapSamples = new long[11];

    // All confined to the loop.
    private long spawned;
    private long admitted;
    private long called;
    private long expectedReports;
    private long reports;
    private long unexpectedReports;

    private SoakMain(EventLoop loop, EventLoop other, long cycles) {
        this.loop = loop;
        this.other = other;
        this.cycles = cycles;
        this.done = loop.newPromise();
        this.sampleEvery = Math.max(1, cycles / 10);
        this.nextSample = sampleEvery;
        this.scheduler = Scheduler.builder()
                .limit(64)
                .pendingLimit(1_024)
                .closeTimeout(Duration.ofSeconds(30))
                .exceptionHandler(this::report)
                .build(loop);
    }

    /**
     * Runs the soak.
     *
     * @param args the number of spawn and complete cycles, and optionally the seconds before it counts as hung
     */
    public static void main(String[] args) throws Exception {
        long cycles = Long.parseLong(args[0]);
        long timeoutSeconds = args.length > 1 ? Long.parseLong(args[1]) : 600;
        EventLoop loop = new DefaultEventLoop();
        EventLoop other = new DefaultEventLoop();
        int status;
        try {
            SoakMain soak = new SoakMain(loop, other, cycles);
            status = soak.run(timeoutSeconds);
        } finally {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            other.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
        System.exit(status);
    }

    private int run(long timeoutSeconds) throws Exception {
        long start = System.nanoTime();
        loop.execute(this::turn);
        if (!done.await(timeoutSeconds, TimeUnit.SECONDS)) {
            System.out.println("soak hung: spawned=" + spawned + " " + scheduler);
            return 2;
        }
        Future<Void> closed = scheduler.waitAndClose(Duration.ofSeconds(60));
        if (!closed.await(90, TimeUnit.SECONDS)) {
            System.out.println("soak hung in waitAndClose: " + scheduler);
            return 2;
        }
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        int[] counts = loop.submit(()
                -> new int[] {scheduler.size(), scheduler.activeCount(), scheduler.pendingCount()})
                .get(10, TimeUnit.SECONDS);
        long[] books = loop.submit(()
                -> new long[] {spawned, admitted, called, expectedReports, reports, unexpectedReports})
                .get(10, TimeUnit.SECONDS);
        heapSamples[heapSamples.length - 1] = heapAfterGc();
        StringBuilder samples = new StringBuilder();
        for (long sample : heapSamples) {
            samples.append(samples.length() == 0 ? "" : ",").append(sample / 1024);
        }
        System.out.println("soak cycles=" + cycles + " spawned=" + books[0] + " admitted=" + books[1] + " called="
                + books[2]
                + " expectedReports=" + books[3] + " reports=" + books[4] + " unexpectedReports=" + books[5]
                + " size=" + counts[0] + " active=" + counts[1] + " pending=" + counts[2] + " closed="
                        + scheduler.isClosed()
                + " heapAfterGcKb=" + samples + " maxHeapKb=" + Runtime.getRuntime().maxMemory() / 1024
                + " millis=" + elapsedMillis);
        boolean balanced = books[0] == cycles && books[1] == cycles && books[3] == books[4] && books[5] == 0
                && counts[0] == 0 && counts[1] == 0 && counts[2] == 0 && scheduler.isClosed() && closed.isSuccess();
        return balanced ? 0 : 1;
    }

    /** One driver turn on the loop: tops the scheduler up, then yields the loop to the jobs. */
    private void turn() {
        long waiting = spawned - admitted;
        int room = OUTSTANDING - scheduler.size() - (int) waiting;
        for (int i = 0; i < SPAWNS_PER_TURN && i < room && spawned < cycles; i++) {
            spawnOne(spawned++);
        }
        sampleHeap();
        if (spawned < cycles) {
            loop.execute(this::turn);
        } else {
            done.setSuccess(null);
        }
    }

    private void spawnOne(long n) {
        int kind = (int) (n % KINDS);
        Callable<Future<Object>> task = () -> call(kind);
        Future<Job<Object>> future = kind == 19 ? scheduler.spawn("soak-" + n, task) : scheduler.spawn(task);
        if (kind == 13 || kind == 14) {
            expectedReports++;
        }
        future.addListener(kind == 15 ? onSpawnedJoin : kind == 16 ? onSpawnedJoinWithTimeout : kind == 17
                ? onSpawnedClose : onSpawned);
    }

    private boolean admitted(Future<Job<Object>> future) {
        if (!future.isSuccess()) {
            unexpectedReports++;
            System.out.println("spawn failed: " + future.cause());
            return false;
        }
        admitted++;
        return true;
    }

    private Future<Object> call(int kind) throws Exception {
        called++;
        switch (kind) {
            case 8:
            case 9:
            case 10:
            case 11:
            case 15:
            case 16:
                return completedNextTurn(loop);
            case 12:
                return completedNextTurn(other);
            case 13:
                return loop.newFailedFuture(failure);
            case 14:
                throw failure;
            case 17:
                // Never completes: it ends when the spawn listener closes the job.
                return loop.newPromise();
            case 18:
                return scheduler.shield(completedNextTurn(loop));
            default:
                return loop.newSucceededFuture(kind);
        }
    }

    private Promise<Object> completedNextTurn(EventLoop executor) {
        Promise<Object> promise = executor.newPromise();
        executor.execute(() -> promise.trySuccess(Boolean.TRUE));
        return promise;
    }

    private void report(Scheduler source, ExceptionContext context) {
        if (context.exception() == failure && "Job processing failed".equals(context.message())) {
            reports++;
        } else {
            unexpectedReports++;
            System.out.println("unexpected report: " + context);
        }
    }

    /** Samples the heap after each tenth of the cycles; the last sample is taken after close. */
    private void sampleHeap() {
        if (spawned >= nextSample) {
            int index = (int) (nextSample / sampleEvery) - 1;
            if (index < heapSamples.length - 1) {
                heapSamples[index] = heapAfterGc();
            }
            nextSample += sampleEvery;
        }
    }

    private static long heapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        memory.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }

    /** The failure of the soak's failing jobs; one instance, no stack trace. */
    private static final class SoakFailure extends Exception {
        private static final long serialVersionUID = 1L;

        SoakFailure() {
            super("soak failure", null, false, false);
        }
    }
}
