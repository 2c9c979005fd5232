package io.github.nettyjobs;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A {@link SchedulerListener} that records every call as a line, and whether it came on the scheduler's loop. */
final class RecordingListener implements SchedulerListener {

    /** {@code "started job-1"}, {@code "ended job-1 SUCCEEDED"}, {@code "rejected <message>"}. */
    final List<String> calls = new CopyOnWriteArrayList<>();
    final List<Long> queuedNanos = new CopyOnWriteArrayList<>();
    final List<Long> runNanos = new CopyOnWriteArrayList<>();
    final List<Throwable> rejections = new CopyOnWriteArrayList<>();
    private final List<Boolean> onLoop = new CopyOnWriteArrayList<>();

    @Override
    public void jobStarted(Job<?> job, long queuedNanos) {
        onLoop.add(job.scheduler().executor().inEventLoop());
        calls.add("started " + job.name());
        this.queuedNanos.add(queuedNanos);
    }

    @Override
    public void jobEnded(Job<?> job, JobOutcome outcome, long queuedNanos, long runNanos) {
        onLoop.add(job.scheduler().executor().inEventLoop());
        assertTrue(job.isClosed(), () -> "jobEnded before the job is closed: " + job);
        assertEquals(outcome, job.outcome());
        calls.add("ended " + job.name() + " " + outcome);
        this.queuedNanos.add(queuedNanos);
        this.runNanos.add(runNanos);
    }

    @Override
    public void spawnRejected(Scheduler scheduler, Throwable reason) {
        onLoop.add(scheduler.executor().inEventLoop());
        calls.add("rejected " + reason.getMessage());
        rejections.add(reason);
    }

    /** Checks the calls so far, and that each came on the scheduler's loop. */
    void assertCalls(String... expected) {
        assertEquals(List.of(expected), calls);
        assertTrue(onLoop.stream().allMatch(Boolean::booleanValue), "a listener call came off the loop");
    }
}
