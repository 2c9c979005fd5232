package io.github.nettyjobs.reliability;

import io.github.nettyjobs.ExceptionContext;
import io.github.nettyjobs.Job;
import io.github.nettyjobs.JobOutcome;
import io.github.nettyjobs.Scheduler;
import io.github.nettyjobs.reliability.ModelJob.End;
import io.github.nettyjobs.reliability.ModelJob.Kind;
import io.github.nettyjobs.reliability.ModelJob.State;
import io.github.nettyjobs.reliability.ModelJob.Waiter;
import io.netty.util.concurrent.Future;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * The comparison of a real {@link Scheduler} with its {@link ReferenceScheduler} after a step of
 * a {@link ModelRun}: counts and limits, the order in which tasks were called (FIFO), each job's
 * state, name and flags, every spawn, join and close future, every exception handler report
 * (each failure delivered exactly once), shields, and close futures.
 */
final class ModelCheck {

    private static final Pattern DEFAULT_NAME = Pattern.compile("job-\\d+");
    private static final String REJECTED_MESSAGE = "Scheduling a new job after closing";
    private static final String FAILED_MESSAGE = "Job processing failed";
    private static final String TIMED_OUT_MESSAGE = "Job closing timed out";

    private final Scheduler scheduler;
    private final ReferenceScheduler model;
    private final List<ModelJob> jobs;
    private final List<ModelShield> shields;
    private final Queue<Integer> calledIds;
    private final Queue<Report> reports;
    private final List<Future<Void>> closeFutures;
    private final boolean debug;
    /** The listener of the sequence, or {@code null} if it has none. */
    private final ModelListener listener;
    /** What the tasks found wrong with the context a task decorator carried; empty without a decorator. */
    private final Queue<String> contextViolations;

    ModelCheck(Scheduler scheduler, ReferenceScheduler model, List<ModelJob> jobs, List<ModelShield> shields,
               Queue<Integer> calledIds, Queue<Report> reports, List<Future<Void>> closeFutures, boolean debug,
               ModelListener listener, Queue<String> contextViolations) {
        this.scheduler = scheduler;
        this.model = model;
        this.jobs = jobs;
        this.shields = shields;
        this.calledIds = calledIds;
        this.reports = reports;
        this.closeFutures = closeFutures;
        this.debug = debug;
        this.listener = listener;
        this.contextViolations = contextViolations;
    }

    /** Everything checked on the loop, after the loops went idle; returns what differed. */
    List<String> onLoop() {
        List<String> problems = new ArrayList<>();
        int size = scheduler.size();
        int activeCount = scheduler.activeCount();
        int pendingCount = scheduler.pendingCount();
        if (size != activeCount + pendingCount) {
            problems.add("size " + size + " != activeCount " + activeCount + " + pendingCount " + pendingCount);
        }
        if (model.limit > 0 && activeCount > model.limit) {
            problems.add("activeCount " + activeCount + " > limit " + model.limit);
        }
        if (model.pendingLimit > 0 && pendingCount > model.pendingLimit) {
            problems.add("pendingCount " + pendingCount + " > pendingLimit " + model.pendingLimit);
        }
        if (activeCount != model.active.size()) {
            problems.add("activeCount " + activeCount + ", model " + model.active.size());
        }
        if (pendingCount != model.pending.size()) {
            problems.add("pendingCount " + pendingCount + ", model " + model.pending.size());
        }
        if (scheduler.isClosed() != model.closed) {
            problems.add("isClosed " + scheduler.isClosed() + ", model " + model.closed);
        }
        if (model.closed && !scheduler.toString().contains("closed")) {
            problems.add("toString of a closed scheduler: " + scheduler);
        }
        List<Integer> called = new ArrayList<>(calledIds);
        if (!called.equals(model.starts)) {
            problems.add("tasks called in order " + called + ", model (FIFO) " + model.starts);
        }

        Map<Job<?>, ModelJob> byJob = new IdentityHashMap<>();
        Set<String> defaultNames = new HashSet<>();
        for (ModelJob job : jobs) {
            inspectJob(job, problems, byJob, defaultNames);
        }

        Set<Job<?>> held = Collections.newSetFromMap(new IdentityHashMap<>());
        held.addAll(scheduler.jobs());
        Set<Job<?>> expected = Collections.newSetFromMap(new IdentityHashMap<>());
        for (ModelJob job : jobs) {
            if (job.isOpen() && job.job != null) {
                expected.add(job.job);
            }
        }
        if (!held.equals(expected)) {
            problems.add("jobs() " + held + ", model " + expected);
        }
        int iterated = 0;
        for (Iterator<Job<?>> it = scheduler.iterator(); it.hasNext(); it.next()) {
            iterated++;
        }
        if (iterated != size) {
            problems.add("iterator gave " + iterated + " jobs, size " + size);
        }

        inspectReports(problems, byJob);
        inspectListener(problems, byJob);
        problems.addAll(contextViolations);
        inspectShields(problems);
        for (Future<Void> future : closeFutures) {
            if (model.closed && !future.isSuccess()) {
                problems.add("a close or waitAndClose future after close: " + future);
            } else if (!model.closed && future.isDone()) {
                problems.add("waitAndClose completed before the scheduler closed: " + future);
            }
        }
        return problems;
    }

    private void inspectJob(ModelJob job, List<String> problems, Map<Job<?>, ModelJob> byJob,
            Set<String> defaultNames) {
        int calls = job.calls.get();
        if (calls > 1) {
            problems.add(job + ": task called " + calls + " times");
        } else if (calls != (job.started ? 1 : 0)) {
            problems.add(job + ": task called " + calls + " times, model says started=" + job.started);
        }
        if (job.admission == null) {
            return; // the child of a NESTED job whose task never ran
        }
        Future<Job<Object>> spawnFuture = job.spawnFuture;
        if (spawnFuture == null) {
            problems.add(job + ": no spawn future");
            return;
        }
        switch (job.admission) {
            case WAITING:
                if (spawnFuture.isDone()) {
                    problems.add(job + ": waiting spawn future is done: " + spawnFuture);
                }
                return;
            case REJECTED:
                if (!spawnFuture.isDone() || spawnFuture.isSuccess()
                        || !(spawnFuture.cause() instanceof RejectedExecutionException)
                        || !(job.rejectedFull ? String.valueOf(spawnFuture.cause().getMessage()).contains("full")
                                : REJECTED_MESSAGE.equals(spawnFuture.cause().getMessage()))) {
                    problems.add(job + ": rejected spawn gave " + spawnFuture + " cause " + spawnFuture.cause());
                }
                return;
            case WITHDRAWN:
                if (!spawnFuture.isCancelled()) {
                    problems.add(job + ": withdrawn spawn gave " + spawnFuture);
                }
                return;
            default:
                break;
        }
        if (!spawnFuture.isSuccess()) {
            problems.add(job + ": admitted but spawn future is " + spawnFuture + " cause " + spawnFuture.cause());
            return;
        }
        Job<Object> handle = spawnFuture.getNow();
        if (job.job == null) {
            job.job = handle;
        } else if (job.job != handle) {
            problems.add(job + ": the spawn future's job changed");
        }
        byJob.put(handle, job);
        if (handle.scheduler() != scheduler) {
            problems.add(job + ": scheduler() is another scheduler");
        }
        String name = handle.name();
        if (job.name != null) {
            if (!job.name.equals(name)) {
                problems.add(job + ": name " + name);
            }
        } else if (!DEFAULT_NAME.matcher(name).matches() || !defaultNames.add(name)) {
            problems.add(job + ": default name " + name + " is malformed or not unique");
        }
        String stateWord = job.state == State.PENDING ? "pending" : job.state == State.ACTIVE ? "active" : "closed";
        if (handle.isPending() != (job.state == State.PENDING) || handle.isActive() != (job.state == State.ACTIVE)
                || handle.isClosed() != (job.state == State.CLOSED)) {
            problems.add(job + ": actual flags pending=" + handle.isPending() + " active=" + handle.isActive()
                    + " closed=" + handle.isClosed());
        }
        JobOutcome expectedOutcome = job.state == State.CLOSED ? job.end.outcome : null;
        if (handle.outcome() != expectedOutcome) {
            problems.add(job + ": outcome() " + handle.outcome() + ", expected " + expectedOutcome);
        }
        if (!handle.toString().contains(name) || !handle.toString().contains(stateWord)) {
            problems.add(job + ": toString " + handle);
        }
        if (scheduler.contains(handle) != job.isOpen()) {
            problems.add(job + ": contains() is " + scheduler.contains(handle));
        }
        if (job.joinOnAdmit && job.waiters.stream().noneMatch(w -> w.registeredOpen && w.kind == Waiter.Kind.JOIN)) {
            problems.add(job + ": the join attached at admission is missing");
        }
        if ((job.end == End.CANCELLED || job.end == End.TIMED_OUT) && job.promise != null
                && !job.promise.isCancelled()) {
            problems.add(job + ": closed, yet its future was not cancelled: " + job.promise);
        }
        if (job.end == End.ABANDONED && job.promise.isCancelled()) {
            problems.add(job + ": an uncancellable future got cancelled");
        }
        for (Waiter waiter : job.waiters) {
            String problem = inspectWaiter(job, waiter);
            if (problem != null) {
                problems.add(job + ": " + waiter.kind + (waiter.registeredOpen ? " (while open) " : " (after end) ")
                        + problem);
            }
        }
    }

    private static String inspectWaiter(ModelJob job, Waiter waiter) {
        Future<?> future = waiter.future;
        if (waiter.kind == Waiter.Kind.JOIN_TIMED_OUT) {
            return future.cause() instanceof TimeoutException ? null : "expected TimeoutException, got " + future + " "
                    + future.cause();
        }
        if (job.state != State.CLOSED) {
            return future.isDone() ? "completed before the job ended: " + future + " " + future.cause() : null;
        }
        if (!future.isDone()) {
            return "not completed although the job ended " + job.end;
        }
        if (waiter.kind == Waiter.Kind.CLOSE) {
            boolean timedOut = waiter.registeredOpen && (job.end == End.ABANDONED || job.end == End.TIMED_OUT);
            if (timedOut) {
                return future.cause() instanceof TimeoutException ? null : "expected TimeoutException, got "
                        + future.cause();
            }
            return future.isSuccess() ? null : "expected success, got " + future.cause();
        }
        switch (job.end) {
            case SUCCESS:
                return future.isSuccess() && future.getNow() == job.value ? null : "expected " + job.value + ", got "
                        + future + " " + future.cause();
            case FAILURE:
                return isJobFailure(job, future.cause()) ? null : "expected " + job.failure + ", got " + future + " "
                        + future.cause();
            case TIMED_OUT:
                return future.cause() instanceof TimeoutException ? null : "expected TimeoutException, got " + future
                        + " " + future.cause();
            case ABANDONED:
                if (job.closedByTimeout) {
                    return future.cause() instanceof TimeoutException ? null : "expected TimeoutException, got "
                            + future + " " + future.cause();
                }
                return future.cause() instanceof CancellationException ? null : "expected CancellationException, got "
                        + future + " " + future.cause();
            default:
                // Cancelled, or abandoned after its close timeout: "closed before it finished".
                return future.cause() instanceof CancellationException ? null : "expected CancellationException, got "
                        + future + " " + future.cause();
        }
    }

    private static boolean isJobFailure(ModelJob job, Throwable cause) {
        if (job.kind == Kind.NULL) {
            return cause instanceof NullPointerException && cause.getMessage() != null
                    && cause.getMessage().contains("null");
        }
        return cause == job.failure;
    }

    private void inspectReports(List<String> problems, Map<Job<?>, ModelJob> byJob) {
        Map<ModelJob, int[]> counts = new IdentityHashMap<>();
        for (Report report : reports) {
            ExceptionContext context = report.context;
            ModelJob job = context.job() == null ? null : byJob.get(context.job());
            if (report.scheduler != scheduler) {
                problems.add("report for another scheduler: " + context);
            }
            if (!report.onLoop) {
                problems.add("exception handler called off the event loop: " + context);
            }
            if (job == null) {
                problems.add("report for an unknown job: " + context);
                continue;
            }
            if ((context.spawnTrace() != null) != debug) {
                problems.add(job + ": spawnTrace " + context.spawnTrace() + " with debug=" + debug);
            }
            int[] count = counts.computeIfAbsent(job, j -> new int[2]);
            if (FAILED_MESSAGE.equals(context.message())) {
                count[0]++;
                if (!isJobFailure(job, context.exception())) {
                    problems.add(job + ": reported " + context.exception() + ", expected " + job.failure);
                }
            } else if (TIMED_OUT_MESSAGE.equals(context.message())) {
                count[1]++;
                if (!(context.exception() instanceof TimeoutException)) {
                    problems.add(job + ": close timeout reported with " + context.exception());
                }
            } else {
                problems.add(job + ": unexpected report " + context);
            }
        }
        for (ModelJob job : jobs) {
            int[] count = counts.getOrDefault(job, new int[2]);
            if (count[0] != job.expectedFailureReports) {
                problems.add(job + ": reported failed " + count[0] + " times, expected " + job.expectedFailureReports);
            }
            if (count[1] != job.expectedTimeoutReports) {
                problems.add(job + ": reported close timeout " + count[1] + " times, expected "
                        + job.expectedTimeoutReports);
            }
        }
    }

    /**
     * Every admitted job started once (if the model started it) and ended once with the model's
     * outcome, every spawn refused after close or for a full queue was heard of once, all on the loop.
     */
    private void inspectListener(List<String> problems, Map<Job<?>, ModelJob> byJob) {
        if (listener == null) {
            return;
        }
        Map<ModelJob, int[]> starts = new IdentityHashMap<>();
        Map<ModelJob, List<ModelListener.Event>> ends = new IdentityHashMap<>();
        int rejected = 0;
        for (ModelListener.Event event : listener.events) {
            if (!event.onLoop) {
                problems.add("listener called off the event loop: " + event);
            }
            if (event.kind == ModelListener.Event.Kind.REJECTED) {
                rejected++;
                if (!(event.reason instanceof RejectedExecutionException)) {
                    problems.add("spawnRejected with " + event.reason);
                }
                continue;
            }
            ModelJob job = byJob.get(event.job);
            if (job == null) {
                problems.add("listener event for an unknown job: " + event);
            } else if (event.kind == ModelListener.Event.Kind.STARTED) {
                starts.computeIfAbsent(job, j -> new int[1])[0]++;
                if (event.queuedNanos < 0) {
                    problems.add(job + ": jobStarted with queued " + event.queuedNanos);
                }
            } else {
                ends.computeIfAbsent(job, j -> new ArrayList<>()).add(event);
            }
        }
        int expectedRejected = 0;
        for (ModelJob job : jobs) {
            if (job.admission == ModelJob.Admission.REJECTED) {
                expectedRejected++;
            }
            if (job.admission != ModelJob.Admission.ADMITTED) {
                continue;
            }
            int started = starts.getOrDefault(job, new int[1])[0];
            if (started != (job.started ? 1 : 0)) {
                problems.add(job + ": jobStarted called " + started + " times");
            }
            List<ModelListener.Event> ended = ends.getOrDefault(job, List.of());
            if (job.end == null) {
                if (!ended.isEmpty()) {
                    problems.add(job + ": jobEnded called for an open job: " + ended);
                }
            } else if (ended.size() != 1 || ended.get(0).outcome != job.end.outcome
                    || (ended.get(0).runNanos > 0) != job.started || ended.get(0).queuedNanos < 0) {
                problems.add(job + ": jobEnded calls " + ended + ", expected one with " + job.end.outcome
                        + (job.started ? " and a run time" : " and no run time"));
            }
        }
        if (rejected != expectedRejected) {
            problems.add("spawnRejected called " + rejected + " times, expected " + expectedRejected);
        }
    }

    private void inspectShields(List<String> problems) {
        for (ModelShield record : shields) {
            Future<Object> returned = record.returned;
            if (record.cancelledByCaller) {
                if (!returned.isCancelled()) {
                    problems.add(record + ": cancelled by the caller but " + returned);
                }
                if (record.inner.isCancelled() && !record.cancelledByClose) {
                    problems.add(record + ": cancelling the returned future cancelled the inner one");
                }
            } else if (record.cancelledByClose) {
                if (!record.inner.isCancelled() || !returned.isCancelled()) {
                    problems.add(record + ": close left inner " + record.inner + ", returned " + returned);
                }
            } else if (record.tracked) {
                if (returned.isDone()) {
                    problems.add(record + ": returned future done before the inner one: " + returned);
                }
            } else if (!returned.isSuccess() || returned.getNow() != record.value) {
                problems.add(record + ": returned future " + returned + " after the inner one succeeded");
            }
        }
    }

    /** Reads that any thread may make; after settling they must be exact. */
    void fromOutside(List<String> problems) {
        if (scheduler.size() != model.active.size() + model.pending.size()
                || scheduler.activeCount() != model.active.size()
                || scheduler.pendingCount() != model.pending.size() || scheduler.isClosed() != model.closed) {
            problems.add("read from another thread: " + scheduler + " active=" + scheduler.activeCount() + " pending="
                    + scheduler.pendingCount() + ", model " + model);
        }
        for (ModelJob job : jobs) {
            Job<Object> handle = job.job;
            if (handle != null && (handle.isPending() != (job.state == State.PENDING)
                    || handle.isActive() != (job.state == State.ACTIVE)
                            || handle.isClosed() != (job.state == State.CLOSED))) {
                problems.add(job + ": flags read from another thread: " + handle);
            }
        }
        try {
            scheduler.jobs();
            problems.add("jobs() off the loop did not throw");
        } catch (IllegalStateException expected) {
            // as the contract says
        }
    }

    /** One call of the exception handler. */
    static final class Report {
        final Scheduler scheduler;
        final ExceptionContext context;
        final boolean onLoop;

        Report(Scheduler scheduler, ExceptionContext context, boolean onLoop) {
            this.scheduler = scheduler;
            this.context = context;
            this.onLoop = onLoop;
        }
    }
}
