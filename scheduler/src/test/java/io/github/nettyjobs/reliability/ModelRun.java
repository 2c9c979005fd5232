package io.github.nettyjobs.reliability;

import io.github.nettyjobs.Job;
import io.github.nettyjobs.Scheduler;
import io.github.nettyjobs.reliability.ModelJob.Admission;
import io.github.nettyjobs.reliability.ModelJob.End;
import io.github.nettyjobs.reliability.ModelJob.Kind;
import io.github.nettyjobs.reliability.ModelJob.State;
import io.github.nettyjobs.reliability.ModelJob.Waiter;
import io.github.nettyjobs.testing.SeededRuns;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.SingleThreadEventExecutor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * One randomized sequence of operations on a real {@link Scheduler} and on a
 * {@link ReferenceScheduler}, compared after every step.
 *
 * <p>The driving thread performs each operation (on the loop or from its own thread), tells the
 * model, waits until the loops are idle, and has {@link ModelCheck} compare the two. Timeouts are
 * either far away (never fire) or a few ms, in which case the driver waits for the future that the
 * timeout completes.
 */
final class ModelRun {

    private static final Duration LONG = Duration.ofHours(1);
    private static final Duration SHORT = Duration.ofMillis(1);
    private static final long WAIT_SECONDS = 10;
    private static final int STEPS_AFTER_CLOSE = 4;
    /** The context a task decorator carries from the spawning thread into the task. */
    private static final ThreadLocal<String> CONTEXT = new ThreadLocal<>();

    private final long seed;
    private final SplittableRandom random;
    private final EventLoop loop;
    private final EventLoop foreign;
    private final int maxSteps;
    private final int stepsKnob;
    private final boolean debug;
    private final boolean handlerThrows;
    private final boolean foreignMode;
    private final boolean decorated;
    private final Duration closeTimeout;
    private final ModelListener listener;
    private final Queue<String> contextViolations = new ConcurrentLinkedQueue<>();
    private final ReferenceScheduler model;
    private final Scheduler scheduler;

    private final List<ModelJob> jobs = new ArrayList<>();
    private final List<ModelShield> shields = new ArrayList<>();
    private final Queue<Integer> calledIds = new ConcurrentLinkedQueue<>();
    private final Queue<ModelCheck.Report> reports = new ConcurrentLinkedQueue<>();
    private final List<Future<Void>> closeFutures = new ArrayList<>();
    private final List<String> trace = new ArrayList<>();
    private final Map<String, Integer> coverage;
    private final ModelCheck check;
    private boolean foreignUsed;
    private int nextId;

    /**
     * @param coverage counts what the sequence exercised (operations, kinds, outcomes), for the
     *                 test to check that the generator still reaches every case
     */
    ModelRun(long seed, EventLoop loop, EventLoop foreign, int maxSteps, Map<String, Integer> coverage) {
        this.seed = seed;
        this.coverage = coverage;
        this.random = new SplittableRandom(seed);
        this.loop = loop;
        this.foreign = foreign;
        this.stepsKnob = maxSteps;
        this.maxSteps = 1 + random.nextInt(maxSteps);
        int[] limits = {0, 1, 1, 2, 3, 5};
        int[] pendingLimits = {0, 1, 2, 3, 8};
        int limit = limits[random.nextInt(limits.length)];
        int pendingLimit = pendingLimits[random.nextInt(pendingLimits.length)];
        this.debug = random.nextInt(5) == 0;
        this.handlerThrows = random.nextInt(5) == 0;
        // A job of another loop ends one hop after its cancellation; a close timeout of a few ms could
        // outrun that hop on a busy machine. So a sequence either has stubborn jobs and a short close
        // timeout, or jobs of another loop and a long one.
        this.foreignMode = random.nextBoolean();
        this.closeTimeout = foreignMode ? Duration.ofSeconds(WAIT_SECONDS) : Duration.ofMillis(2 + random.nextInt(8));
        boolean rejectWhenFull = random.nextInt(4) == 0;
        this.model = new ReferenceScheduler(limit, pendingLimit, rejectWhenFull);
        // Options whose deadlines never fire in a sequence still arm and cancel a timer per job.
        Duration jobTimeout = random.nextInt(4) == 0 ? LONG : null;
        Duration pendingTimeout = random.nextInt(4) == 0 ? LONG : null;
        this.listener = random.nextBoolean() ? new ModelListener(loop) : null;
        this.decorated = random.nextInt(3) == 0;
        this.scheduler = Scheduler.builder()
                .limit(limit)
                .pendingLimit(pendingLimit)
                .rejectWhenFull(rejectWhenFull)
                .jobTimeout(jobTimeout)
                .pendingTimeout(pendingTimeout)
                .listener(listener)
                .taskDecorator(decorated ? ModelRun::carryContext : null)
                .closeTimeout(closeTimeout)
                .waitTimeout(LONG)
                .debug(debug)
                .exceptionHandler((s, context) -> {
                    reports.add(new ModelCheck.Report(s, context, loop.inEventLoop()));
                    if (handlerThrows) {
                        throw new HandlerFailure();
                    }
                })
                .build(loop);
        this.check = new ModelCheck(scheduler, model, jobs, shields, calledIds, reports, closeFutures, debug,
                listener, contextViolations);
    }

    /**
     * The task decorator of decorated sequences: the spawning thread's {@link #CONTEXT}, in force while the task
     * starts.
     */
    private static Runnable carryContext(Runnable start) {
        String captured = CONTEXT.get();
        return () -> {
            String previous = CONTEXT.get();
            CONTEXT.set(captured);
            try {
                start.run();
            } finally {
                CONTEXT.set(previous);
            }
        };
    }

    /** Runs the sequence; an {@link AssertionError} names the seed, the operations and what differed. */
    void run() throws Exception {
        trace.add("config: limit=" + model.limit + ", pendingLimit=" + model.pendingLimit + ", closeTimeout="
                + closeTimeout.toMillis() + "ms, foreignMode=" + foreignMode + ", debug=" + debug + ", handlerThrows="
                        + handlerThrows
                + ", steps=" + maxSteps + ", rejectWhenFull=" + model.rejectWhenFull + ", jobTimeout="
                        + scheduler.jobTimeout()
                + ", pendingTimeout=" + scheduler.pendingTimeout() + ", listener=" + (listener != null)
                        + ", decorated=" + decorated);
        try {
            int afterClose = 0;
            for (int step = 0; step < maxSteps && afterClose < STEPS_AFTER_CLOSE; step++) {
                if (model.closed) {
                    afterClose++;
                }
                step();
                settleAndCheck();
            }
            finish();
            for (ModelJob job : jobs) {
                if (job.admission != null) {
                    count("kind " + job.kind);
                    count("admission " + job.admission);
                }
                if (job.end != null) {
                    count("end " + job.end);
                }
                if (job.waitedForRoom) {
                    count("waited for room");
                }
                if (job.rejectedFull) {
                    count("rejected: full");
                }
                count(job.expectedFailureReports > 0 ? "failure to handler" : null);
                count(job.expectedTimeoutReports > 0 ? "close timeout to handler" : null);
                count(job.end == End.FAILURE && job.explicit ? "failure to waiter" : null);
            }
        } catch (AssertionError | Exception e) {
            throw new AssertionError(describe(e), e);
        }
    }

    private String describe(Throwable cause) {
        StringBuilder text = new StringBuilder()
                .append("model-based sequence failed; seed=").append(seed)
                .append(" (rerun: ").append(SeededRuns.replay(StressKnobs.SEED, seed, StressKnobs.SEQUENCES))
                .append(" -D").append(StressKnobs.STEPS).append('=')
                .append(stepsKnob).append(")\n")
                .append(cause).append('\n')
                .append(model).append('\n');
        for (String line : trace) {
            text.append("  ").append(line).append('\n');
        }
        text.append("jobs:\n");
        for (ModelJob job : jobs) {
            text.append("  ").append(job).append(" actual=").append(job.job).append(" calls=").append(job.calls)
                    .append('\n');
        }
        return text.toString();
    }

    private void count(String what) {
        if (what != null) {
            coverage.merge(what, 1, Integer::sum);
        }
    }

    // ---- choosing operations ----

    private void step() throws Exception {
        List<Runnable> ops = new ArrayList<>();
        List<Integer> weights = new ArrayList<>();
        if (!model.closed) {
            add(ops, weights, 24, () -> spawn(false));
            add(ops, weights, 8, () -> spawn(true));
            if (any(j -> j.state == State.ACTIVE && j.kind.hasPromise())) {
                add(ops, weights, 12, () -> complete(true));
                add(ops, weights, 6, () -> complete(false));
            }
            if (any(j -> j.state == State.ACTIVE && j.kind.hasPromise() && j.kind != Kind.STUBBORN)) {
                add(ops, weights, 3, this::cancelTaskFuture);
            }
            if (any(ModelJob::isOpen)) {
                add(ops, weights, 2, this::joinTimingOut);
            }
            if (any(j -> j.admission == Admission.WAITING)) {
                add(ops, weights, 3, this::withdraw);
            }
            add(ops, weights, 2, this::shield);
            if (shields.stream().anyMatch(s -> s.tracked)) {
                add(ops, weights, 3, this::completeShield);
            }
            add(ops, weights, 1, this::close);
            if (!model.draining) {
                add(ops, weights, 1, () -> waitAndClose(false));
                add(ops, weights, 1, () -> waitAndClose(true));
            }
        } else {
            add(ops, weights, 2, () -> spawn(false));
            add(ops, weights, 1, () -> spawn(true));
            add(ops, weights, 1, this::close);
            add(ops, weights, 1, () -> waitAndClose(false));
        }
        if (any(j -> j.admission == Admission.ADMITTED)) {
            add(ops, weights, 6, this::join);
        }
        if (any(j -> j.admission == Admission.ADMITTED)) {
            add(ops, weights, 5, this::closeJob);
        }
        if (shields.stream().anyMatch(s -> !s.returned.isDone())) {
            add(ops, weights, 1, this::cancelShield);
        }
        if (any(j -> j.end == End.ABANDONED && !j.promise.isDone())) {
            add(ops, weights, 2, this::completeOrphan);
        }
        int total = weights.stream().mapToInt(Integer::intValue).sum();
        int pick = random.nextInt(total);
        for (int i = 0; ; i++) {
            pick -= weights.get(i);
            if (pick < 0) {
                ops.get(i).run();
                return;
            }
        }
    }

    private static void add(List<Runnable> ops, List<Integer> weights, int weight, ThrowingRunnable op) {
        ops.add(() -> {
            try {
                op.run();
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        weights.add(weight);
    }

    private boolean any(Predicate<ModelJob> filter) {
        for (ModelJob job : jobs) {
            if (filter.test(job)) {
                return true;
            }
        }
        return false;
    }

    private ModelJob pick(Predicate<ModelJob> filter) {
        List<ModelJob> candidates = new ArrayList<>();
        for (ModelJob job : jobs) {
            if (filter.test(job)) {
                candidates.add(job);
            }
        }
        return candidates.get(random.nextInt(candidates.size()));
    }

    private Kind randomKind() {
        int roll = random.nextInt(100);
        if (roll < 30) {
            return Kind.PROMISE;
        } else if (roll < 42) {
            return foreignMode ? Kind.FOREIGN : roll < 38 ? Kind.PROMISE : Kind.STUBBORN;
        } else if (roll < 49) {
            return Kind.NESTED;
        } else if (roll < 68) {
            return Kind.SYNC_SUCCESS;
        } else if (roll < 79) {
            return Kind.SYNC_FAIL;
        } else if (roll < 90) {
            return Kind.THROW;
        }
        return Kind.NULL;
    }

    private ModelJob newJob(boolean offLoop) {
        Kind kind = randomKind();
        ModelJob child = null;
        if (kind == Kind.NESTED) {
            Kind[] childKinds = {Kind.PROMISE, Kind.SYNC_SUCCESS, Kind.SYNC_FAIL};
            child = new ModelJob(nextId++, childKinds[random.nextInt(childKinds.length)], null, false, null);
        }
        int id = nextId++;
        String name = random.nextInt(10) < 3 ? "named-" + id : null;
        ModelJob job = new ModelJob(id, kind, name, !offLoop && random.nextInt(100) < 15, child);
        jobs.add(job);
        if (child != null) {
            jobs.add(child);
        }
        if (kind == Kind.FOREIGN) {
            foreignUsed = true;
        }
        return job;
    }

    // ---- operations ----

    private void spawn(boolean offLoop) throws Exception {
        ModelJob job = newJob(offLoop);
        count(offLoop ? "op spawn off-loop" : "op spawn on loop");
        trace.add("spawn " + (offLoop ? "off-loop " : "") + job);
        if (offLoop) {
            job.spawnFuture = spawnCall(job);
        } else {
            onLoop(() -> {
                Future<Job<Object>> future = spawnCall(job);
                job.spawnFuture = future;
                if (job.joinOnAdmit) {
                    future.addListener(f -> {
                        if (f.isSuccess()) {
                            @SuppressWarnings("unchecked")
                            Job<Object> admitted = (Job<Object>) f.getNow();
                            job.waiters.add(new Waiter(Waiter.Kind.JOIN, admitted.join(), true));
                        }
                    });
                }
                return null;
            });
        }
        model.spawn(job);
    }

    /** Spawns the job's task with the job's context in force on this thread, for the task decorator to carry. */
    private Future<Job<Object>> spawnCall(ModelJob job) {
        ModelTask task = new ModelTask(job);
        String previous = CONTEXT.get();
        CONTEXT.set(contextOf(job));
        try {
            return job.name != null ? scheduler.spawn(job.name, task) : scheduler.spawn(task);
        } finally {
            CONTEXT.set(previous);
        }
    }

    private static String contextOf(ModelJob job) {
        return "context of #" + job.id;
    }

    private void complete(boolean success) throws Exception {
        ModelJob job = pick(j -> j.state == State.ACTIVE && j.kind.hasPromise());
        boolean offLoop = random.nextBoolean();
        count(success ? "op succeed task future" : "op fail task future");
        trace.add((success ? "succeed " : "fail ") + (offLoop ? "off-loop " : "") + job);
        Promise<Object> promise = job.promise;
        Callable<Boolean> completion = () -> success ? promise.trySuccess(job.value) : promise.tryFailure(job.failure);
        boolean done;
        if (job.kind == Kind.FOREIGN) {
            done = call(foreign, completion);
        } else if (offLoop) {
            done = completion.call();
        } else {
            done = call(loop, completion);
        }
        if (!done) {
            throw new AssertionError("the future of " + job + " was already done: " + promise);
        }
        model.end(job, success ? End.SUCCESS : End.FAILURE);
    }

    private void cancelTaskFuture() throws Exception {
        ModelJob job = pick(j -> j.state == State.ACTIVE && j.kind.hasPromise() && j.kind != Kind.STUBBORN);
        count("op cancel task future");
        trace.add("cancel the task's future of " + job);
        Promise<Object> promise = job.promise;
        boolean cancelled = job.kind == Kind.FOREIGN ? call(foreign, () -> promise.cancel(false))
                : call(loop, () -> promise.cancel(false));
        if (!cancelled) {
            throw new AssertionError("could not cancel the future of " + job + ": " + promise);
        }
        model.end(job, End.CANCELLED);
    }

    private void join() throws Exception {
        ModelJob job = pick(j -> j.admission == Admission.ADMITTED);
        int variant = random.nextInt(3);
        boolean offLoop = random.nextBoolean();
        count("op join");
        trace.add("join" + (variant == 0 ? "()" : variant == 1 ? "(1h)" : "(null)") + (offLoop ? " off-loop " : " ")
                + job);
        Job<Object> handle = job.job;
        Callable<Future<Object>> join = () -> variant == 0 ? handle.join() : handle.join(variant == 1 ? LONG : null);
        Future<Object> future = offLoop ? join.call() : call(loop, join);
        job.waiters.add(new Waiter(Waiter.Kind.JOIN, future, job.isOpen()));
        if (job.isOpen()) {
            job.explicit = true;
        }
    }

    private void joinTimingOut() throws Exception {
        ModelJob job = pick(ModelJob::isOpen);
        boolean offLoop = random.nextBoolean();
        count("op join(1ms)");
        trace.add("join(1ms)" + (offLoop ? " off-loop " : " ") + job);
        Job<Object> handle = job.job;
        Future<Object> future = offLoop ? handle.join(SHORT) : call(loop, () -> handle.join(SHORT));
        job.waiters.add(new Waiter(Waiter.Kind.JOIN_TIMED_OUT, future, true));
        await(future, "join(1ms) of " + job);
        model.closeJob(job, true);
    }

    private void closeJob() throws Exception {
        ModelJob job = pick(j -> j.admission == Admission.ADMITTED);
        boolean stubbornActive = job.kind == Kind.STUBBORN && job.state == State.ACTIVE;
        // A stubborn job never ends: it may only be closed with a timeout that fires soon. A job of
        // another loop ends a hop after its cancellation: it gets no timeout shorter than a hop may take.
        int variant = stubbornActive ? random.nextInt(2) * 3 : random.nextInt(job.kind == Kind.FOREIGN ? 3 : 4);
        boolean offLoop = random.nextBoolean();
        String[] names = {"close()", "close(1h)", "close(null)", "close(5ms)"};
        count("op job " + names[variant]);
        trace.add(names[variant] + (offLoop ? " off-loop " : " ") + job);
        Job<Object> handle = job.job;
        Callable<Future<Void>> close = () -> {
            switch (variant) {
                case 0:
                    return handle.close();
                case 1:
                    return handle.close(LONG);
                case 2:
                    return handle.close(null);
                default:
                    return handle.close(Duration.ofMillis(5));
            }
        };
        Future<Void> future = offLoop ? close.call() : call(loop, close);
        job.waiters.add(new Waiter(Waiter.Kind.CLOSE, future, job.isOpen()));
        if (stubbornActive) {
            await(future, "close of " + job);
        }
        if (job.isOpen()) {
            model.closeJob(job, false);
        }
    }

    private void withdraw() throws Exception {
        ModelJob job = pick(j -> j.admission == Admission.WAITING);
        boolean offLoop = random.nextBoolean();
        count("op withdraw waiting spawn");
        trace.add("withdraw" + (offLoop ? " off-loop " : " ") + job);
        Future<Job<Object>> future = job.spawnFuture;
        boolean cancelled = offLoop ? future.cancel(false) : call(loop, () -> future.cancel(false));
        if (!cancelled) {
            throw new AssertionError("could not cancel the waiting spawn of " + job + ": " + future);
        }
        model.withdraw(job);
    }

    private void shield() throws Exception {
        boolean offLoop = random.nextBoolean();
        Promise<Object> inner = loop.newPromise();
        Future<Object> returned = offLoop ? scheduler.shield(inner) : call(loop, () -> scheduler.shield(inner));
        ModelShield record = new ModelShield(shields.size(), inner, returned);
        shields.add(record);
        count("op shield");
        trace.add("shield" + (offLoop ? " off-loop " : " ") + record);
        model.trackedShields++;
    }

    private void completeShield() throws Exception {
        List<ModelShield> tracked = new ArrayList<>();
        for (ModelShield s : shields) {
            if (s.tracked) {
                tracked.add(s);
            }
        }
        ModelShield record = tracked.get(random.nextInt(tracked.size()));
        boolean offLoop = random.nextBoolean();
        count("op complete shielded");
        trace.add("complete" + (offLoop ? " off-loop " : " ") + record);
        boolean done = offLoop ? record.inner.trySuccess(record.value)
                : call(loop, () -> record.inner.trySuccess(record.value));
        if (!done) {
            throw new AssertionError("the inner future of " + record + " was already done");
        }
        record.tracked = false;
        model.trackedShields--;
        model.closeIfDrained();
    }

    private void cancelShield() throws Exception {
        List<ModelShield> open = new ArrayList<>();
        for (ModelShield s : shields) {
            if (!s.returned.isDone()) {
                open.add(s);
            }
        }
        ModelShield record = open.get(random.nextInt(open.size()));
        count("op cancel shield");
        trace.add("cancel the returned future of " + record);
        if (!call(loop, () -> record.returned.cancel(false))) {
            throw new AssertionError("could not cancel the shield of " + record);
        }
        record.cancelledByCaller = true;
    }

    private void close() throws Exception {
        boolean offLoop = random.nextBoolean();
        count("op scheduler.close()");
        trace.add("scheduler.close()" + (offLoop ? " off-loop" : ""));
        Future<Void> future = offLoop ? scheduler.close() : call(loop, scheduler::close);
        closeFutures.add(future);
        await(future, "scheduler close");
        closeModel();
    }

    private void waitAndClose(boolean timingOut) throws Exception {
        int variant = timingOut ? 3 : random.nextInt(3);
        boolean offLoop = random.nextBoolean();
        String[] names = {"waitAndClose()", "waitAndClose(1h)", "waitAndClose(null)", "waitAndClose(1ms)"};
        count("op scheduler." + names[variant]);
        trace.add("scheduler." + names[variant] + (offLoop ? " off-loop" : ""));
        Callable<Future<Void>> call = () -> {
            switch (variant) {
                case 0:
                    return scheduler.waitAndClose();
                case 1:
                    return scheduler.waitAndClose(LONG);
                case 2:
                    return scheduler.waitAndClose(null);
                default:
                    return scheduler.waitAndClose(SHORT);
            }
        };
        Future<Void> future = offLoop ? call.call() : call(loop, call);
        closeFutures.add(future);
        if (model.closed) {
            return;
        }
        model.draining = true;
        model.closeIfDrained();
        if (timingOut) {
            await(future, "waitAndClose(1ms)");
            closeModel();
        }
    }

    private void closeModel() {
        if (!model.closed) {
            for (ModelShield s : shields) {
                if (s.tracked) {
                    s.tracked = false;
                    s.cancelledByClose = true;
                }
            }
            model.close();
        }
    }

    private void completeOrphan() throws Exception {
        ModelJob job = pick(j -> j.end == End.ABANDONED && !j.promise.isDone());
        boolean success = random.nextBoolean();
        count("op complete abandoned future");
        trace.add((success ? "succeed" : "fail") + " the abandoned future of " + job);
        call(loop, () -> success ? job.promise.trySuccess(job.value) : job.promise.tryFailure(job.failure));
    }

    /** Closes the scheduler, or drains it and lets waitAndClose() close it, then completes what was abandoned. */
    private void finish() throws Exception {
        trace.add("-- finish --");
        if (!model.closed) {
            if (random.nextBoolean()) {
                close();
            } else {
                if (!model.draining) {
                    waitAndClose(false);
                }
                for (int i = 0; !model.closed; i++) {
                    if (i > 10_000) {
                        throw new AssertionError("the model does not drain");
                    }
                    if (any(j -> j.state == State.ACTIVE && j.kind.hasPromise())) {
                        complete(true);
                    } else if (shields.stream().anyMatch(s -> s.tracked)) {
                        completeShield();
                    } else {
                        throw new AssertionError("nothing to complete but not drained");
                    }
                    settleAndCheck();
                }
            }
            settleAndCheck();
        }
        for (ModelJob job : jobs) {
            if (job.end == End.ABANDONED && !job.promise.isDone()) {
                trace.add("succeed the abandoned future of " + job);
                call(loop, () -> job.promise.trySuccess(job.value));
            }
        }
        settleAndCheck();
        List<String> problems = new ArrayList<>();
        for (ModelJob job : jobs) {
            if (job.admission == Admission.WAITING || job.isOpen()) {
                problems.add(job + ": left open after close");
            }
            if (job.spawnFuture != null && !job.spawnFuture.isDone()) {
                problems.add(job + ": spawn future never completed");
            }
            for (Waiter waiter : job.waiters) {
                if (!waiter.future.isDone()) {
                    problems.add(job + ": a " + waiter.kind + " future never completed");
                }
            }
        }
        if (scheduler.size() != 0 || scheduler.activeCount() != 0 || scheduler.pendingCount() != 0
                || !scheduler.isClosed()) {
            problems.add("after close: " + scheduler);
        }
        if (!problems.isEmpty()) {
            throw new AssertionError(String.join("\n", problems));
        }
    }

    // ---- waiting and inspecting ----

    private void settleAndCheck() throws Exception {
        settle();
        List<String> problems = call(loop, check::onLoop);
        check.fromOutside(problems);
        if (!problems.isEmpty()) {
            throw new AssertionError(String.join("\n", problems));
        }
    }

    /**
     * Waits until neither loop has queued work: hops between the loops (a future of the foreign
     * loop notifies there, then the scheduler hops back) take a round each.
     */
    private void settle() throws Exception {
        int idleRounds = 0;
        for (int round = 0; round < 10_000; round++) {
            int queued = 0;
            if (foreignUsed) {
                queued += call(foreign, () -> ((SingleThreadEventExecutor) foreign).pendingTasks());
            }
            queued += call(loop, () -> ((SingleThreadEventExecutor) loop).pendingTasks());
            idleRounds = queued == 0 ? idleRounds + 1 : 0;
            if (idleRounds == 2) {
                return;
            }
        }
        throw new AssertionError("the event loops never went idle");
    }

    // ---- plumbing ----

    private static <V> V call(EventExecutor executor, Callable<V> callable) throws Exception {
        try {
            return executor.submit(callable).get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception) {
                throw (Exception) cause;
            }
            throw (Error) cause;
        }
    }

    private void onLoop(Callable<Void> callable) throws Exception {
        call(loop, callable);
    }

    private static void await(Future<?> future, String what) throws InterruptedException {
        if (!future.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
            throw new AssertionError(what + " did not complete within " + WAIT_SECONDS + " s: " + future);
        }
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** The task of a model job: counts its calls, logs its start, and does what its kind says. */
    private final class ModelTask implements Callable<Future<Object>> {
        private final ModelJob job;

        ModelTask(ModelJob job) {
            this.job = job;
        }

        @Override
        public Future<Object> call() throws Exception {
            job.calls.incrementAndGet();
            calledIds.add(job.id);
            if (decorated && !contextOf(job).equals(CONTEXT.get())) {
                contextViolations.add(job + ": its task ran with context " + CONTEXT.get());
            }
            Promise<Object> promise;
            switch (job.kind) {
                case PROMISE:
                    promise = loop.newPromise();
                    break;
                case FOREIGN:
                    promise = foreign.newPromise();
                    break;
                case STUBBORN:
                    promise = loop.newPromise();
                    promise.setUncancellable();
                    break;
                case NESTED:
                    job.child.spawnFuture = spawnCall(job.child);
                    promise = loop.newPromise();
                    break;
                case SYNC_SUCCESS:
                    return loop.newSucceededFuture(job.value);
                case SYNC_FAIL:
                    return loop.newFailedFuture(job.failure);
                case THROW:
                    throw job.failure;
                default:
                    return null;
            }
            job.promise = promise;
            return promise;
        }
    }

    /** Thrown by the exception handler on purpose; the scheduler must log and ignore it. */
    private static final class HandlerFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        HandlerFailure() {
            super("model exception handler fails on purpose", null, false, false);
        }
    }
}
