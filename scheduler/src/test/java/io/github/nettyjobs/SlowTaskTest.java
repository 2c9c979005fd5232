package io.github.nettyjobs;

import io.github.nettyjobs.testing.LogCapture;
import io.netty.channel.EventLoop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.LogRecord;

import static io.github.nettyjobs.SchedulerAssertions.assertRejected;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code slowTaskThreshold}: a task whose call held the loop that long is reported once, by a WARN
 * and the listener. Time is the scheduler's frozen clock, which the tasks themselves move on.
 */
class SlowTaskTest {

    @RegisterExtension
    final SchedulerFixture fixture = new SchedulerFixture();
    private final EventLoop loop = fixture.loop();
    private final SlowTasks listener = new SlowTasks();

    private Scheduler scheduler(Duration threshold) {
        return fixture.builder().slowTaskThreshold(threshold).listener(listener).build(loop);
    }

    /** A task whose call takes {@code millis} of the scheduler's clock. */
    private <T> Job<T> spawnTaking(Scheduler scheduler, String name, long millis, T result) {
        return FutureAssertions.assertSucceeded(scheduler.spawn(name, () -> {
            fixture.clock().advance(Duration.ofMillis(millis));
            return loop.newSucceededFuture(result);
        }));
    }

    @Test
    void slowTaskThreshold_negative_isRejectedNamingTheParameter() {
        assertRejected(IllegalArgumentException.class, "slowTaskThreshold",
                () -> Scheduler.builder().slowTaskThreshold(Duration.ofNanos(-1)));
    }

    @Test
    void slowTaskThreshold_default_isOff_andNoClockIsRead() {
        AtomicLong reads = new AtomicLong();
        Scheduler scheduler = Scheduler.builder().clock(reads::incrementAndGet).build(loop);

        fixture.spawnJob(scheduler, () -> loop.newSucceededFuture("done"));
        fixture.spawnJob(scheduler, loop::<Void>newPromise);

        assertNull(scheduler.slowTaskThreshold());
        assertEquals(0, reads.get(), "a scheduler without options must not read its clock");
    }

    @Test
    void taskThatBlocksTheLoopForTheThreshold_isReportedOnce_byAWarnNamingItAndTheListener() {
        Scheduler scheduler = scheduler(Duration.ofMillis(50));
        try (LogCapture logs = LogCapture.start()) {
            Job<String> job = spawnTaking(scheduler, "report", 120, "done");

            assertEquals(List.of("report 120000000"), listener.calls);
            assertSame(job, listener.jobs.get(0));
            List<LogRecord> warnings = logs.warnings();
            assertEquals(1, warnings.size(), () -> logs.text(java.util.logging.Level.ALL));
            String text = LogCapture.text(warnings.get(0));
            assertTrue(text.contains("report") && text.contains("120.0 ms") && text.contains("PT0.05S"), text);
        }
        fixture.handler().assertNotCalled();
    }

    @Test
    void taskExactlyAtTheThreshold_isReported_andOneJustUnder_isNot() {
        Scheduler scheduler = scheduler(Duration.ofMillis(50));
        try (LogCapture logs = LogCapture.start()) {
            spawnTaking(scheduler, "under", 49, "quick");
            spawnTaking(scheduler, "at", 50, "slow");

            assertEquals(List.of("at 50000000"), listener.calls);
            assertEquals(1, logs.warnings().size());
        }
    }

    @Test
    void slowTaskThatThrows_isReported_andTheJobFailsAsUsual() {
        Scheduler scheduler = scheduler(Duration.ofMillis(10));
        IllegalStateException failure = new IllegalStateException("after a long computation");
        Job<Void> job;
        try (LogCapture logs = LogCapture.start()) {
            job = FutureAssertions.assertSucceeded(scheduler.<Void>spawn("failing", () -> {
                fixture.clock().advance(Duration.ofMillis(30));
                throw failure;
            }));
            fixture.runTasks();

            assertEquals(List.of("failing 30000000"), listener.calls);
            assertEquals(JobOutcome.FAILED, job.outcome());
            assertEquals(1, logs.warnings().size());
        }
        fixture.handler().assertSingleFailure(scheduler, job, failure);
    }

    @Test
    void theWarning_escapesTheJobsName() {
        Scheduler scheduler = scheduler(Duration.ZERO);
        try (LogCapture logs = LogCapture.start()) {
            spawnTaking(scheduler, "evil\nWARN forged line", 0, "x");

            String text = LogCapture.text(logs.warnings().get(0));
            assertTrue(text.contains("evil\\nWARN forged line"), text);
            assertFalse(text.contains("evil\nWARN"), text);
        }
    }

    @Test
    void aListenerThatThrowsInSlowTask_isLoggedAndIgnored() {
        Scheduler scheduler = fixture.builder().slowTaskThreshold(Duration.ZERO).listener(new SchedulerListener() {
            @Override
            public void slowTask(Job<?> job, long callNanos) {
                throw new IllegalStateException("listener bug");
            }
        }).build(loop);
        try (LogCapture logs = LogCapture.start()) {
            Job<String> job = spawnTaking(scheduler, "fine", 1, "done");

            assertEquals(JobOutcome.SUCCEEDED, job.outcome());
            assertTrue(logs.text(java.util.logging.Level.WARNING).contains("slowTask"),
                    () -> logs.text(java.util.logging.Level.WARNING));
        }
    }

    @Test
    void theListener_hearsOfTheSlowTaskBeforeItsJobEnds() {
        List<String> events = new CopyOnWriteArrayList<>();
        SchedulerListener both = new SchedulerListener() {
            @Override
            public void slowTask(Job<?> job, long callNanos) {
                events.add("slow " + job.name());
            }

            @Override
            public void jobEnded(Job<?> job, JobOutcome outcome, long queuedNanos, long runNanos) {
                events.add("ended " + job.name());
            }
        };
        Scheduler scheduler = fixture.builder().slowTaskThreshold(Duration.ofMillis(1)).listener(both).build(loop);
        try (LogCapture ignored = LogCapture.start()) {
            spawnTaking(scheduler, "at-once", 5, "done");
        }

        assertEquals(List.of("slow at-once", "ended at-once"), events);
    }

    @Test
    void aBlockingJobsCallOnTheLoop_isOnlyTheHandOff_andIsNotReported() {
        Scheduler scheduler = fixture.builder().slowTaskThreshold(Duration.ZERO.plusNanos(1))
                .blockingExecutor(task -> { }).listener(listener).build(loop);

        Job<String> job = FutureAssertions.assertSucceeded(scheduler.spawnBlocking("blocking", () -> "never called"));

        assertTrue(job.isActive());
        assertEquals(List.of(), listener.calls);
        FutureAssertions.assertSucceeded(fixture.close(scheduler));
        assertEquals(JobOutcome.CANCELLED, job.outcome());
    }

    /** Records each {@code slowTask} call as {@code "name callNanos"}. */
    private static final class SlowTasks implements SchedulerListener {

        final List<String> calls = new CopyOnWriteArrayList<>();
        final List<Job<?>> jobs = new CopyOnWriteArrayList<>();

        @Override
        public void slowTask(Job<?> job, long callNanos) {
            assertTrue(job.scheduler().executor().inEventLoop());
            calls.add(job.name() + " " + callNanos);
            jobs.add(job);
        }
    }
}
