package io.github.nettyjobs;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;

import static io.github.nettyjobs.FutureAssertions.assertCancelled;
import static io.github.nettyjobs.FutureAssertions.assertNotDone;
import static io.github.nettyjobs.FutureAssertions.assertSucceeded;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Scheduler#close()}: cancels everything, drops pending jobs, honours closeTimeout, never fails. */
@Timeout(10)
class SchedulerCloseTest {

    private final EmbeddedLoop embedded = new EmbeddedLoop();
    private final EventLoop loop = embedded.loop();
    private final RecordingHandler handler = new RecordingHandler();

    @AfterEach
    void tearDown() {
        embedded.close();
    }

    private Scheduler.Builder builder() {
        return Scheduler.builder().exceptionHandler(handler);
    }

    private <T> Job<T> spawnJob(Scheduler scheduler, Callable<? extends Future<T>> task) {
        Future<Job<T>> spawned = scheduler.spawn(task);
        embedded.runTasks();
        return assertSucceeded(spawned);
    }

    private <T> Job<T> spawnJob(Scheduler scheduler, Promise<T> promise) {
        return spawnJob(scheduler, () -> promise);
    }

    private Promise<Void> uncancellable() {
        Promise<Void> promise = loop.newPromise();
        promise.setUncancellable();
        return promise;
    }

    @Test
    void close_cancelsActiveJobsAndEmptiesScheduler() {
        Scheduler scheduler = builder().build(loop);
        assertFalse(scheduler.isClosed());
        Promise<Void> promise = loop.newPromise();
        Job<Void> job = spawnJob(scheduler, promise);

        Future<Void> closed = scheduler.close();
        embedded.runTasks();

        assertSucceeded(closed);
        assertTrue(promise.isCancelled());
        assertTrue(job.isClosed());
        assertCancelled(job.join());
        assertTrue(scheduler.isClosed());
        assertEquals(0, scheduler.size());
        assertEquals(0, scheduler.activeCount());
        assertEquals(0, scheduler.pendingCount());
        handler.assertNotCalled();
    }

    @Test
    void close_emptyScheduler_completes() {
        Scheduler scheduler = builder().build(loop);

        Future<Void> closed = scheduler.close();
        embedded.runTasks();

        assertSucceeded(closed);
        assertTrue(scheduler.isClosed());
    }

    @Test
    void close_dropsPendingJobsWithoutCallingTasks() {
        Scheduler scheduler = builder().limit(1).build(loop);
        spawnJob(scheduler, loop.newPromise());
        AtomicBoolean called = new AtomicBoolean();
        Job<Void> pending = spawnJob(scheduler, () -> {
            called.set(true);
            return loop.newPromise();
        });
        Future<Void> joined = pending.join();

        Future<Void> closed = scheduler.close();
        embedded.runTasks();

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
        Scheduler scheduler = builder().build(loop);
        Promise<Void> promise = uncancellable();
        spawnJob(scheduler, promise);

        Future<Void> closed = scheduler.close();
        embedded.runTasks();

        assertTrue(scheduler.isClosed());
        assertNotDone(closed);
        promise.setSuccess(null);
        embedded.runTasks();
        assertSucceeded(closed);
    }

    @Test
    void close_jobFailsWhileClosing_reportsToHandlerAndCloseSucceeds() {
        Scheduler scheduler = builder().build(loop);
        Promise<Void> promise = uncancellable();
        Job<Void> job = spawnJob(scheduler, promise);
        RuntimeException failure = new RuntimeException("boom");

        Future<Void> closed = scheduler.close();
        embedded.runTasks();
        promise.setFailure(failure);
        embedded.runTasks();

        assertSucceeded(closed);
        assertTrue(job.isClosed());
        assertEquals(0, scheduler.size());
        ExceptionContext context = handler.single(scheduler);
        assertEquals("Job processing failed", context.message());
        assertSame(job, context.job());
        assertSame(failure, context.exception());
    }

    @Test
    void close_afterUnjoinedJobFailed_handlerGotTheFailure() {
        Scheduler scheduler = builder().build(loop);
        Promise<Void> promise = loop.newPromise();
        Job<Void> job = spawnJob(scheduler, promise);
        RuntimeException failure = new RuntimeException("boom");
        promise.setFailure(failure);

        Future<Void> closed = scheduler.close();
        embedded.runTasks();

        assertSucceeded(closed);
        assertTrue(job.isClosed());
        ExceptionContext context = handler.single(scheduler);
        assertEquals("Job processing failed", context.message());
        assertSame(failure, context.exception());
    }

    @Test
    void close_jobOutlivesCloseTimeout_reportsTimeoutAndCompletes() {
        Scheduler scheduler = builder().closeTimeout(Duration.ofMillis(10)).build(loop);
        Promise<Void> stubborn = uncancellable();
        Job<Void> job = spawnJob(scheduler, stubborn);

        Future<Void> closed = scheduler.close();
        embedded.advanceMillis(9);
        assertNotDone(closed);
        handler.assertNotCalled();
        embedded.advanceMillis(1);

        assertSucceeded(closed);
        assertTrue(job.isClosed());
        assertEquals(0, scheduler.size());
        assertEquals(0, scheduler.activeCount());
        ExceptionContext context = handler.single(scheduler);
        assertEquals("Job closing timed out", context.message());
        assertSame(job, context.job());
        assertTrue(context.exception() instanceof TimeoutException, () -> "" + context.exception());
    }

    @Test
    void close_oneStubbornJob_othersStillCancelledAtOnce() {
        Scheduler scheduler = builder().closeTimeout(Duration.ofMillis(10)).build(loop);
        Promise<Void> normal = loop.newPromise();
        Job<Void> normalJob = spawnJob(scheduler, normal);
        spawnJob(scheduler, uncancellable());

        Future<Void> closed = scheduler.close();
        embedded.runTasks();

        assertTrue(normal.isCancelled());
        assertTrue(normalJob.isClosed());
        assertNotDone(closed);
        embedded.advanceMillis(10);
        assertSucceeded(closed);
        assertEquals("Job closing timed out", handler.single(scheduler).message());
    }

    @Test
    void close_nullCloseTimeout_waitsWithoutLimit() {
        Scheduler scheduler = builder().closeTimeout(null).build(loop);
        Promise<Void> stubborn = uncancellable();
        spawnJob(scheduler, stubborn);

        Future<Void> closed = scheduler.close();
        embedded.advance(Duration.ofHours(1));
        assertNotDone(closed);

        stubborn.setSuccess(null);
        embedded.runTasks();
        assertSucceeded(closed);
        handler.assertNotCalled();
    }

    @Test
    void close_zeroCloseTimeout_doesNotWaitForStubbornJob() {
        Scheduler scheduler = builder().closeTimeout(Duration.ZERO).build(loop);
        spawnJob(scheduler, uncancellable());

        Future<Void> closed = scheduler.close();
        embedded.runTasks();

        assertSucceeded(closed);
        assertEquals("Job closing timed out", handler.single(scheduler).message());
    }

    @Test
    void close_calledTwice_secondCompletesWithFirst() {
        Scheduler scheduler = builder().closeTimeout(Duration.ofMillis(10)).build(loop);
        spawnJob(scheduler, uncancellable());

        Future<Void> first = scheduler.close();
        Future<Void> second = scheduler.close();
        embedded.runTasks();
        assertNotDone(first);
        assertNotDone(second);

        embedded.advanceMillis(10);

        assertSucceeded(first);
        assertSucceeded(second);
        assertEquals(1, handler.contexts().size(), "the timeout is reported once");
        Future<Void> third = scheduler.close();
        embedded.runTasks();
        assertSucceeded(third);
    }

    @Test
    void close_handlerThrows_closeStillSucceeds() {
        try (LogCapture logs = LogCapture.start()) {
            Scheduler scheduler = Scheduler.builder().closeTimeout(Duration.ofMillis(10))
                    .exceptionHandler((s, c) -> {
                        throw new IllegalStateException("handler failure");
                    }).build(loop);
            spawnJob(scheduler, uncancellable());
            Promise<Void> failing = uncancellable();
            spawnJob(scheduler, failing);

            Future<Void> closed = scheduler.close();
            failing.setFailure(new RuntimeException("boom"));
            embedded.advanceMillis(10);

            assertSucceeded(closed);
            assertEquals(0, scheduler.size());
            assertTrue(logs.text(Level.ALL).contains("handler failure"), () -> logs.text(Level.ALL));
        }
    }

    @Test
    void close_jobLateAfterTimeout_isNotReportedAgain() {
        Scheduler scheduler = builder().closeTimeout(Duration.ofMillis(10)).build(loop);
        Promise<Void> stubborn = uncancellable();
        spawnJob(scheduler, stubborn);
        Future<Void> closed = scheduler.close();
        embedded.advanceMillis(10);
        assertSucceeded(closed);

        stubborn.setSuccess(null);
        embedded.runTasks();

        assertEquals(1, handler.contexts().size(), () -> "" + handler.contexts());
        assertEquals(0, scheduler.size());
    }

    @Test
    void close_cancelledJobs_areNeverReported() {
        Scheduler scheduler = builder().limit(2).build(loop);
        for (int i = 0; i < 5; i++) {
            spawnJob(scheduler, loop.newPromise());
        }

        Future<Void> closed = scheduler.close();
        embedded.runTasks();

        assertSucceeded(closed);
        handler.assertNotCalled();
    }
}
