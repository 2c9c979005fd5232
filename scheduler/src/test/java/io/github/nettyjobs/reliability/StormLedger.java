package io.github.nettyjobs.reliability;

import io.github.nettyjobs.ExceptionContext;
import io.github.nettyjobs.ExceptionHandler;
import io.github.nettyjobs.Job;
import io.github.nettyjobs.Scheduler;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The books of one storm: for each of {@code total} numbered spawns, how its spawn future ended,
 * how often its task was called, what its task's future did, what a join saw and how often the
 * exception handler heard of it. {@link #verify} checks that everything adds up exactly.
 *
 * <p>Job {@code i} is named {@code "storm-" + i}; what its task does depends on {@code i % 10}:
 * complete on another loop (0 to 3 succeed, 4 fails), succeed or fail synchronously (5, 6),
 * throw (7), return {@code null} (8), or succeed on another loop a millisecond later
 * (9), or, if lingering, never.
 */
final class StormLedger implements ExceptionHandler {

    static final int ADMITTED = 1;
    static final int REJECTED = 2;
    static final int WITHDRAWN = 3;

    private static final String PREFIX = "storm-";

    final int total;
    private final int lingerFrom;
    private final int lingerTo;
    private final EventLoopGroup completers;
    private final CountDownLatch spawnsDone;
    private final AtomicIntegerArray spawnOutcome;
    private final AtomicReferenceArray<Job<Integer>> jobs;
    private final AtomicIntegerArray calls;
    private final AtomicReferenceArray<Future<Integer>> taskFutures;
    private final AtomicReferenceArray<Throwable> thrown;
    /** A join attached before the job could end (spawned on the loop, joined in the spawn listener). */
    private final AtomicIntegerArray joinedEarly;
    private final AtomicReferenceArray<Future<Integer>> joins;
    private final AtomicIntegerArray failureReports;
    private final AtomicIntegerArray withdrawAttempted;
    private final AtomicReferenceArray<Future<Void>> closes;
    private final Queue<String> violations = new ConcurrentLinkedQueue<>();
    final LongAdder otherReports = new LongAdder();

    StormLedger(int total, EventLoopGroup completers) {
        this(total, completers, false);
    }

    /**
     * @param lingering whether about a hundred jobs a quarter into the storm never complete on
     *                  their own, so that a close racing in later finds them active and must cancel them
     */
    StormLedger(int total, EventLoopGroup completers, boolean lingering) {
        this.total = total;
        this.lingerFrom = lingering ? total / 4 : 0;
        this.lingerTo = lingering ? Math.min(total / 2, lingerFrom + 1_024) : 0;
        this.completers = completers;
        this.spawnsDone = new CountDownLatch(total);
        this.spawnOutcome = new AtomicIntegerArray(total);
        this.jobs = new AtomicReferenceArray<>(total);
        this.calls = new AtomicIntegerArray(total);
        this.taskFutures = new AtomicReferenceArray<>(total);
        this.thrown = new AtomicReferenceArray<>(total);
        this.joinedEarly = new AtomicIntegerArray(total);
        this.joins = new AtomicReferenceArray<>(total);
        this.failureReports = new AtomicIntegerArray(total);
        this.withdrawAttempted = new AtomicIntegerArray(total);
        this.closes = new AtomicReferenceArray<>(total);
    }

    static String name(int i) {
        return PREFIX + i;
    }

    void violation(String what) {
        if (violations.size() < 50) {
            violations.add(what);
        }
    }

    /** Spawns job {@code i} from the calling thread and books the outcome of its spawn future. */
    Future<Job<Integer>> spawn(Scheduler scheduler, int i) {
        Future<Job<Integer>> future = scheduler.spawn(name(i), task(scheduler, i));
        future.addListener(f -> spawnDone(i, f, false));
        return future;
    }

    /** Spawns job {@code i} on the scheduler's loop and joins it as soon as it is admitted. */
    void spawnOnLoopAndJoin(Scheduler scheduler, int i) {
        try {
            scheduler.executor().execute(() -> scheduler.spawn(name(i), task(scheduler, i))
                    .addListener(f -> spawnDone(i, f, true)));
        } catch (RejectedExecutionException loopGone) {
            violation("storm-" + i + ": the loop rejected the spawn: " + loopGone);
        }
    }

    /** Cancels the spawn future of job {@code i}; it must withdraw the spawn if it was not admitted yet. */
    boolean withdraw(int i, Future<Job<Integer>> spawnFuture) {
        withdrawAttempted.set(i, 1);
        return spawnFuture.cancel(false);
    }

    /** Closes admitted job {@code i}; a failure it ends with now belongs to this close. */
    void close(int i) {
        closes.set(i, jobs.get(i).close());
    }

    private void spawnDone(int i, Future<?> f, boolean join) {
        if (f.isSuccess()) {
            @SuppressWarnings("unchecked")
            Job<Integer> job = (Job<Integer>) f.getNow();
            jobs.set(i, job);
            if (join) {
                joinedEarly.set(i, 1);
                joins.set(i, job.join());
            }
            if (!name(i).equals(job.name())) {
                violation(name(i) + ": admitted as " + job);
            }
            spawnOutcome.set(i, ADMITTED);
        } else if (f.isCancelled()) {
            spawnOutcome.set(i, WITHDRAWN);
        } else if (f.cause() instanceof RejectedExecutionException
                && "Scheduling a new job after closing".equals(f.cause().getMessage())) {
            spawnOutcome.set(i, REJECTED);
        } else {
            violation(name(i) + ": spawn failed with " + f.cause());
        }
        spawnsDone.countDown();
    }

    Callable<Future<Integer>> task(Scheduler scheduler, int i) {
        return () -> {
            if (calls.incrementAndGet(i) > 1) {
                violation(name(i) + ": task called twice");
            }
            checkOnLoop(scheduler, i);
            Future<Integer> future = behave(i);
            taskFutures.set(i, future);
            return future;
        };
    }

    /** Invariants that hold whenever a task is called: on the loop, within the limits, never after close. */
    private void checkOnLoop(Scheduler scheduler, int i) {
        if (!scheduler.executor().inEventLoop()) {
            violation(name(i) + ": task called off the loop");
            return;
        }
        int active = scheduler.activeCount();
        int pending = scheduler.pendingCount();
        if (scheduler.size() != active + pending) {
            violation(name(i) + ": size " + scheduler.size() + " != " + active + " + " + pending);
        }
        if (scheduler.limit() > 0 && active > scheduler.limit()) {
            violation(name(i) + ": activeCount " + active + " > limit " + scheduler.limit());
        }
        if (scheduler.pendingLimit() > 0 && pending > scheduler.pendingLimit()) {
            violation(name(i) + ": pendingCount " + pending + " > pendingLimit " + scheduler.pendingLimit());
        }
        if (scheduler.isClosed()) {
            violation(name(i) + ": task called after close");
        }
    }

    private Future<Integer> behave(int i) throws Exception {
        EventLoop other = completers.next();
        switch (i % 10) {
            case 0:
            case 1:
            case 2:
            case 3: {
                Promise<Integer> promise = other.newPromise();
                other.execute(() -> promise.trySuccess(i));
                return promise;
            }
            case 4: {
                Promise<Integer> promise = other.newPromise();
                StormFailure failure = new StormFailure(i);
                thrown.set(i, failure);
                other.execute(() -> promise.tryFailure(failure));
                return promise;
            }
            case 5:
                return other.newSucceededFuture(i);
            case 6: {
                StormFailure failure = new StormFailure(i);
                thrown.set(i, failure);
                return other.newFailedFuture(failure);
            }
            case 7: {
                StormFailure failure = new StormFailure(i);
                thrown.set(i, failure);
                throw failure;
            }
            case 8:
                return null;
            default: {
                Promise<Integer> promise = other.newPromise();
                if (i < lingerFrom || i >= lingerTo) {
                    other.schedule(() -> promise.trySuccess(i), 1, TimeUnit.MILLISECONDS);
                }
                return promise;
            }
        }
    }

    @Override
    public void handle(Scheduler scheduler, ExceptionContext context) {
        Job<?> job = context.job();
        String name = job == null ? null : job.name();
        if (name == null || !name.startsWith(PREFIX)) {
            violation("report without a storm job: " + context);
            return;
        }
        int i = Integer.parseInt(name.substring(PREFIX.length()));
        if ("Job processing failed".equals(context.message())) {
            failureReports.incrementAndGet(i);
            if (!isFailureOf(i, context.exception())) {
                violation(name + ": reported " + context.exception());
            }
        } else {
            otherReports.increment();
            violation(name + ": unexpected report " + context.message() + ": " + context.exception());
        }
    }

    private boolean isFailureOf(int i, Throwable cause) {
        if (i % 10 == 8) {
            return cause instanceof NullPointerException;
        }
        Throwable expected = thrown.get(i);
        return expected != null && cause == expected;
    }

    /** Waits until every spawn future has completed. */
    void awaitSpawns(long seconds) throws InterruptedException {
        if (!spawnsDone.await(seconds, TimeUnit.SECONDS)) {
            int open = 0;
            for (int i = 0; i < total; i++) {
                if (spawnOutcome.get(i) == 0) {
                    open++;
                }
            }
            throw new AssertionError(open + " of " + total + " spawns never completed (or were never made) within "
                    + seconds
                    + " s\n" + String.join("\n", violations));
        }
    }

    /**
     * Checks the books once every scheduler is closed.
     *
     * @param closeRaced whether a close of the scheduler or of jobs raced the spawns; else every
     *                   spawn must have run to its end
     * @param rejectionAllowed whether the scheduler was closed while spawns came in
     * @return what became of the spawns
     */
    Counts verify(boolean closeRaced, boolean rejectionAllowed, long seconds) throws InterruptedException {
        awaitSpawns(seconds);
        long admitted = 0;
        long rejected = 0;
        long withdrawn = 0;
        long ran = 0;
        long dropped = 0;
        long succeeded = 0;
        long failed = 0;
        long cancelled = 0;
        long toHandler = 0;
        long toWaiter = 0;
        List<Future<Integer>> lateJoins = new ArrayList<>(total);
        for (int i = 0; i < total; i++) {
            Job<Integer> job = jobs.get(i);
            Future<Integer> join = joins.get(i);
            lateJoins.add(job == null ? null : join != null ? join : job.join());
        }
        for (int i = 0; i < total; i++) {
            int outcome = spawnOutcome.get(i);
            int called = calls.get(i);
            if (outcome != ADMITTED) {
                if (called != 0) {
                    violation(name(i) + ": task called although its spawn "
                            + (outcome == REJECTED ? "was rejected" : "was withdrawn"));
                }
                if (outcome == REJECTED) {
                    rejected++;
                    if (!rejectionAllowed) {
                        violation(name(i) + ": rejected, but the scheduler was not closed");
                    }
                } else if (outcome == WITHDRAWN) {
                    withdrawn++;
                    if (withdrawAttempted.get(i) == 0) {
                        violation(name(i) + ": withdrawn, but nobody cancelled its spawn");
                    }
                }
                continue;
            }
            admitted++;
            Job<Integer> job = jobs.get(i);
            if (!job.isClosed()) {
                violation(name(i) + ": not closed after the scheduler closed: " + job);
            }
            Future<Integer> join = lateJoins.get(i);
            if (!join.await(seconds, TimeUnit.SECONDS)) {
                violation(name(i) + ": join never completed");
                continue;
            }
            if (called == 0) {
                dropped++;
                if (!closeRaced && !(join.cause() instanceof CancellationException)) {
                    violation(name(i) + ": never ran, but the scheduler was not closed: " + join.cause());
                }
                if (!(join.cause() instanceof CancellationException)) {
                    violation(name(i) + ": dropped but join gave " + join);
                }
                continue;
            }
            ran++;
            if (join.isSuccess()) {
                succeeded++;
                if (!Integer.valueOf(i).equals(join.getNow())) {
                    violation(name(i) + ": joined " + join.getNow());
                }
            } else if (join.cause() instanceof CancellationException) {
                cancelled++;
                Future<Integer> taskFuture = taskFutures.get(i);
                if (taskFuture == null || !taskFuture.isCancelled()) {
                    violation(name(i) + ": cancelled, but its future is " + taskFuture);
                }
            } else {
                failed++;
                if (!isFailureOf(i, join.cause())) {
                    violation(name(i) + ": joined failure " + join.cause());
                }
                int reports = failureReports.get(i);
                Future<Void> close = closes.get(i);
                boolean closeGotIt = close != null && close.await(seconds, TimeUnit.SECONDS)
                        && close.cause() == join.cause();
                if (reports > 1) {
                    violation(name(i) + ": failure reported " + reports + " times");
                } else if (reports == 1) {
                    toHandler++;
                    if (closeGotIt) {
                        violation(name(i) + ": failure went to the handler and to a close");
                    }
                } else if (joinedEarly.get(i) == 1 || closeGotIt) {
                    toWaiter++;
                } else {
                    violation(name(i) + ": failure reached nobody (close: " + close + ")");
                }
                if (joinedEarly.get(i) == 1 && reports != 0) {
                    violation(name(i) + ": joined before it ended, yet the failure went to the handler too");
                }
            }
            if (!join.isSuccess() && !(join.cause() instanceof CancellationException)) {
                continue;
            }
            if (failureReports.get(i) != 0) {
                violation(name(i) + ": reported, though it did not fail");
            }
            if (!closeRaced && !join.isSuccess()) {
                violation(name(i) + ": cancelled without a close");
            }
        }
        Counts counts = new Counts(total, admitted, rejected, withdrawn, ran, dropped, succeeded, failed, cancelled,
                toHandler, toWaiter);
        if (admitted + rejected + withdrawn != total || ran + dropped != admitted
                || succeeded + failed + cancelled != ran || toHandler + toWaiter != failed) {
            violation("the books do not balance: " + counts);
        }
        if (!violations.isEmpty()) {
            throw new AssertionError(counts + "\n" + String.join("\n", violations));
        }
        return counts;
    }

    /** What became of the spawns of a storm; every spawn is counted once on each level. */
    record Counts(long spawns, long admitted, long rejected, long withdrawn, long ran, long dropped, long succeeded,
                  long failed, long cancelled, long failuresToHandler, long failuresToWaiter) {
        @Override
        public String toString() {
            return spawns + " spawns: " + admitted + " admitted (" + ran + " ran: " + succeeded + " succeeded, "
                    + failed + " failed [" + failuresToHandler + " to the handler, " + failuresToWaiter
                    + " to an early join or close], " + cancelled + " cancelled; " + dropped + " dropped), " + rejected
                    + " rejected, " + withdrawn + " withdrawn";
        }
    }

    long ran() {
        long ran = 0;
        for (int i = 0; i < total; i++) {
            ran += calls.get(i);
        }
        return ran;
    }

    /** The failure of a storm task; no stack trace, it is compared by identity. */
    static final class StormFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StormFailure(int i) {
            super("storm failure of " + name(i), null, false, false);
        }
    }
}
