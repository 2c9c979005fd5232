package io.github.nettyjobs;

import io.github.nettyjobs.testing.LogCapture;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;

import static io.github.nettyjobs.FutureAssertions.assertCancelled;
import static io.github.nettyjobs.FutureAssertions.assertNotDone;
import static io.github.nettyjobs.FutureAssertions.assertSucceeded;
import static io.github.nettyjobs.RecordingHandler.CLOSE_TIMED_OUT;
import static io.github.nettyjobs.RecordingHandler.JOB_FAILED;
import static io.github.nettyjobs.SchedulerAssertions.assertCounts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Scheduler#close()}: cancels everything, drops pending jobs, honours closeTimeout, never fails. */
@Timeout(10)
class SchedulerCloseTest {

    @RegisterExtension
    final SchedulerFixture fixture = new SchedulerFixture();
    private final EventLoop loop = fixture.loop();
    private final RecordingHandler handler = fixture.handler();

    @Test
    void close_cancelsActiveJobsAndEmptiesScheduler() {
        Scheduler scheduler = fixture.scheduler();
        assertFalse(scheduler.isClosed());
        Promise<Void> promise = loop.newPromise();
        Job<Void> job = fixture.spawnJob(scheduler, promise);

        Future<Void> closed = fixture.close(scheduler);

        assertSucceeded(closed);
        assertTrue(promise.isCancelled());
        assertTrue(job.isClosed());
        assertCancelled(job.join());
        assertTrue(scheduler.isClosed());
        assertEquals(0, scheduler.size());
        assertCounts(scheduler, 0, 0);
        handler.assertNotCalled();
    }

    @Test
    void close_emptyScheduler_completes() {
        Scheduler scheduler = fixture.scheduler();

        Future<Void> closed = fixture.close(scheduler);

        assertSucceeded(closed);
        assertTrue(scheduler.isClosed());
    }

    @Test
    void close_dropsPendingJobsWithoutCallingTasks() {
        Scheduler scheduler = fixture.builder().limit(1).build(loop);
        fixture.spawnJob(scheduler, loop.newPromise());
        AtomicBoolean called = new AtomicBoolean();
        Job<Void> pending = fixture.spawnJob(scheduler, () -> {
            called.set(true);
            return loop.newPromise();
        });
        Future<Void> joined = pending.join();

        Future<Void> closed = fixture.close(scheduler);

        assertSucceeded(closed);
        assertFalse(called.get());
        assertTrue(pending.isClosed());
        assertFalse(pending.isPending());
        assertCancelled(joined);
        assertEquals(0, scheduler.size());
        handler.assertNotCalled();
    }

    @Test
    void close_marksClosedBeforeJobsHaveEnded() {
        Scheduler scheduler = fixture.scheduler();
        Promise<Void> promise = fixture.uncancellable();
        fixture.spawnJob(scheduler, promise);

        Future<Void> closed = fixture.close(scheduler);

        assertTrue(scheduler.isClosed());
        assertNotDone(closed);
        promise.setSuccess(null);
        fixture.runTasks();
        assertSucceeded(closed);
    }

    @Test
    void close_jobFailsWhileClosing_reportsToHandlerAndCloseSucceeds() {
        Scheduler scheduler = fixture.scheduler();
        Promise<Void> promise = fixture.uncancellable();
        Job<Void> job = fixture.spawnJob(scheduler, promise);
        RuntimeException failure = new RuntimeException("boom");

        Future<Void> closed = fixture.close(scheduler);
        promise.setFailure(failure);
        fixture.runTasks();

        assertSucceeded(closed);
        assertTrue(job.isClosed());
        assertEquals(0, scheduler.size());
        handler.assertSingleFailure(scheduler, job, failure);
    }

    @Test
    void close_afterUnjoinedJobFailed_handlerGotTheFailure() {
        Scheduler scheduler = fixture.scheduler();
        Promise<Void> promise = loop.newPromise();
        Job<Void> job = fixture.spawnJob(scheduler, promise);
        RuntimeException failure = new RuntimeException("boom");
        promise.setFailure(failure);

        Future<Void> closed = fixture.close(scheduler);

        assertSucceeded(closed);
        assertTrue(job.isClosed());
        assertSame(failure, handler.single(scheduler, JOB_FAILED).exception());
    }

    @Test
    void close_jobOutlivesCloseTimeout_reportsTimeoutAndCompletes() {
        Scheduler scheduler = fixture.builder().closeTimeout(Duration.ofMillis(10)).build(loop);
        Promise<Void> stubborn = fixture.uncancellable();
        Job<Void> job = fixture.spawnJob(scheduler, stubborn);

        Future<Void> closed = scheduler.close();
        fixture.advanceMillis(9);
        assertNotDone(closed);
        handler.assertNotCalled();
        fixture.advanceMillis(1);

        assertSucceeded(closed);
        assertTrue(job.isClosed());
        assertEquals(0, scheduler.size());
        assertEquals(0, scheduler.activeCount());
        ExceptionContext context = handler.single(scheduler, CLOSE_TIMED_OUT);
        assertSame(job, context.job());
        assertTrue(context.exception() instanceof TimeoutException, () -> "" + context.exception());
    }

    @Test
    void close_oneStubbornJob_othersStillCancelledAtOnce() {
        Scheduler scheduler = fixture.builder().closeTimeout(Duration.ofMillis(10)).build(loop);
        Promise<Void> normal = loop.newPromise();
        Job<Void> normalJob = fixture.spawnJob(scheduler, normal);
        fixture.spawnJob(scheduler, fixture.uncancellable());

        Future<Void> closed = fixture.close(scheduler);

        assertTrue(normal.isCancelled());
        assertTrue(normalJob.isClosed());
        assertNotDone(closed);
        fixture.advanceMillis(10);
        assertSucceeded(closed);
        assertEquals(CLOSE_TIMED_OUT, handler.single(scheduler).message());
    }

    @Test
    void close_nullCloseTimeout_waitsWithoutLimit() {
        Scheduler scheduler = fixture.builder().closeTimeout(null).build(loop);
        Promise<Void> stubborn = fixture.uncancellable();
        fixture.spawnJob(scheduler, stubborn);

        Future<Void> closed = scheduler.close();
        fixture.advance(Duration.ofHours(1));
        assertNotDone(closed);

        stubborn.setSuccess(null);
        fixture.runTasks();
        assertSucceeded(closed);
        handler.assertNotCalled();
    }

    @Test
    void close_zeroCloseTimeout_doesNotWaitForStubbornJob() {
        Scheduler scheduler = fixture.builder().closeTimeout(Duration.ZERO).build(loop);
        fixture.spawnJob(scheduler, fixture.uncancellable());

        Future<Void> closed = fixture.close(scheduler);

        assertSucceeded(closed);
        assertEquals(CLOSE_TIMED_OUT, handler.single(scheduler).message());
    }

    @Test
    void close_calledTwice_secondCompletesWithFirst() {
        Scheduler scheduler = fixture.builder().closeTimeout(Duration.ofMillis(10)).build(loop);
        fixture.spawnJob(scheduler, fixture.uncancellable());

        Future<Void> first = scheduler.close();
        Future<Void> second = fixture.close(scheduler);
        assertNotDone(first);
        assertNotDone(second);

        fixture.advanceMillis(10);

        assertSucceeded(first);
        assertSucceeded(second);
        assertEquals(1, handler.contexts().size(), "the timeout is reported once");
        Future<Void> third = fixture.close(scheduler);
        assertSucceeded(third);
    }

    @Test
    void close_handlerThrows_closeStillSucceeds() {
        try (LogCapture logs = LogCapture.start()) {
            Scheduler scheduler = Scheduler.builder().closeTimeout(Duration.ofMillis(10))
                    .exceptionHandler((s, c) -> {
                        throw new IllegalStateException("handler failure");
                    }).build(loop);
            fixture.spawnJob(scheduler, fixture.uncancellable());
            Promise<Void> failing = fixture.uncancellable();
            fixture.spawnJob(scheduler, failing);

            Future<Void> closed = scheduler.close();
            failing.setFailure(new RuntimeException("boom"));
            fixture.advanceMillis(10);

            assertSucceeded(closed);
            assertEquals(0, scheduler.size());
            assertTrue(logs.text(Level.ALL).contains("handler failure"), () -> logs.text(Level.ALL));
        }
    }

    @Test
    void close_jobLateAfterTimeout_isNotReportedAgain() {
        Scheduler scheduler = fixture.builder().closeTimeout(Duration.ofMillis(10)).build(loop);
        Promise<Void> stubborn = fixture.uncancellable();
        fixture.spawnJob(scheduler, stubborn);
        Future<Void> closed = scheduler.close();
        fixture.advanceMillis(10);
        assertSucceeded(closed);

        stubborn.setSuccess(null);
        fixture.runTasks();

        assertEquals(1, handler.contexts().size(), () -> "" + handler.contexts());
        assertEquals(0, scheduler.size());
    }

    @Test
    void close_cancelledJobs_areNeverReported() {
        Scheduler scheduler = fixture.builder().limit(2).build(loop);
        for (int i = 0; i < 5; i++) {
            fixture.spawnJob(scheduler, loop.newPromise());
        }

        Future<Void> closed = fixture.close(scheduler);

        assertSucceeded(closed);
        handler.assertNotCalled();
    }
}
