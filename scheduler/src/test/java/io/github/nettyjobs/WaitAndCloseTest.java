package io.github.nettyjobs;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static io.github.nettyjobs.FutureAssertions.assertCancelled;
import static io.github.nettyjobs.FutureAssertions.assertNotDone;
import static io.github.nettyjobs.FutureAssertions.assertSucceeded;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Scheduler#waitAndClose()}: a grace period for jobs and shielded futures, then close. */
@Timeout(10)
class WaitAndCloseTest {

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

    private <T> Future<Job<T>> spawn(Scheduler scheduler, Callable<? extends Future<T>> task) {
        Future<Job<T>> spawned = scheduler.spawn(task);
        embedded.runTasks();
        return spawned;
    }

    private <T> Job<T> spawnJob(Scheduler scheduler, Promise<T> promise) {
        return assertSucceeded(spawn(scheduler, () -> promise));
    }

    @Test
    void waitAndClose_waitsForJobAndShieldedFuture() {
        Scheduler scheduler = builder().build(loop);
        Promise<Void> inner = loop.newPromise();
        Promise<Void> outer = loop.newPromise();
        Job<Void> job = assertSucceeded(spawn(scheduler, () -> {
            scheduler.shield(inner);
            return outer;
        }));

        Future<Void> closed = scheduler.waitAndClose();
        embedded.advanceMillis(100);
        assertNotDone(closed);
        assertFalse(scheduler.isClosed(), "no close before the wait is over");

        inner.setSuccess(null);
        embedded.advanceMillis(100);
        assertNotDone(closed);

        outer.setSuccess(null);
        embedded.runTasks();
        assertSucceeded(closed);
        assertTrue(inner.isSuccess());
        assertTrue(outer.isSuccess());
        assertTrue(job.isClosed());
        assertTrue(scheduler.isClosed());
        assertEquals(0, scheduler.size());
    }

    @Test
    void waitAndClose_emptyScheduler_closesAtOnce() {
        Scheduler scheduler = builder().build(loop);

        Future<Void> closed = scheduler.waitAndClose();
        embedded.runTasks();

        assertSucceeded(closed);
        assertTrue(scheduler.isClosed());
    }

    @Test
    void waitAndClose_timeoutPasses_closesRemainingJobs() {
        Scheduler scheduler = builder().build(loop);
        Promise<Void> inner = loop.newPromise();
        Promise<Void> outer = loop.newPromise();
        Job<Void> job = assertSucceeded(spawn(scheduler, () -> {
            scheduler.shield(inner);
            return outer;
        }));

        Future<Void> closed = scheduler.waitAndClose(Duration.ofMillis(200));
        embedded.advanceMillis(100);
        inner.setSuccess(null);
        embedded.advanceMillis(99);
        assertNotDone(closed);
        assertFalse(outer.isDone());
        embedded.advanceMillis(1);

        assertSucceeded(closed);
        assertTrue(inner.isSuccess());
        assertTrue(outer.isCancelled());
        assertTrue(job.isClosed());
        assertTrue(scheduler.isClosed());
        assertEquals(0, scheduler.size());
        handler.assertNotCalled();
    }

    @Test
    void waitAndClose_defaultsToWaitTimeout_thenCancelsJobAndShield() {
        Scheduler scheduler = builder().waitTimeout(Duration.ofMillis(100)).build(loop);
        Promise<Void> inner = loop.newPromise();
        Promise<Void> outer = loop.newPromise();
        AtomicReference<Future<Void>> shielded = new AtomicReference<>();
        spawn(scheduler, () -> {
            shielded.set(scheduler.shield(inner));
            return outer;
        });

        Future<Void> closed = scheduler.waitAndClose();
        embedded.advanceMillis(99);
        assertNotDone(closed);
        embedded.advanceMillis(1);

        assertSucceeded(closed);
        assertTrue(inner.isCancelled());
        assertTrue(outer.isCancelled());
        assertCancelled(shielded.get());
        assertTrue(scheduler.isClosed());
        assertEquals(0, scheduler.size());
    }

    @Test
    void waitAndClose_nullWaitTimeout_waitsWithoutLimit() {
        Scheduler scheduler = builder().waitTimeout(null).build(loop);
        Promise<Void> promise = loop.newPromise();
        spawnJob(scheduler, promise);

        Future<Void> closed = scheduler.waitAndClose();
        embedded.advance(Duration.ofHours(2));
        assertNotDone(closed);
        assertFalse(promise.isDone());

        promise.setSuccess(null);
        embedded.runTasks();
        assertSucceeded(closed);
    }

    @Test
    void waitAndClose_jobsSpawnedDuringWait_areWaitedFor() {
        Scheduler scheduler = builder().build(loop);
        Promise<Void> first = loop.newPromise();
        Promise<Void> another = loop.newPromise();
        spawnJob(scheduler, first);

        Future<Void> closed = scheduler.waitAndClose();
        embedded.advanceMillis(100);
        Future<Job<Void>> anotherSpawned = spawn(scheduler, () -> another);
        first.setSuccess(null);
        embedded.advanceMillis(100);

        Job<Void> anotherJob = assertSucceeded(anotherSpawned);
        assertTrue(anotherJob.isActive());
        assertNotDone(closed);

        another.setSuccess(null);
        embedded.runTasks();
        assertSucceeded(closed);
        assertTrue(another.isSuccess());
    }

    @Test
    void waitAndClose_jobSpawnsFollowUpAsItEnds_followUpIsWaitedFor() {
        Scheduler scheduler = builder().build(loop);
        Promise<Void> first = loop.newPromise();
        Promise<Void> followUp = loop.newPromise();
        spawnJob(scheduler, first);
        Future<Void> closed = scheduler.waitAndClose();

        scheduler.spawn(() -> followUp);
        first.setSuccess(null);
        embedded.runTasks();

        assertNotDone(closed);
        followUp.setSuccess(null);
        embedded.runTasks();
        assertSucceeded(closed);
    }

    @Test
    void waitAndClose_waitsForPendingJobsAndWaitingSpawns() {
        Scheduler scheduler = builder().limit(1).pendingLimit(1).build(loop);
        Promise<Void> first = loop.newPromise();
        Promise<Void> second = loop.newPromise();
        Promise<Void> third = loop.newPromise();
        AtomicBoolean thirdCalled = new AtomicBoolean();
        spawnJob(scheduler, first);
        spawnJob(scheduler, second);
        Future<Job<Void>> waiting = spawn(scheduler, () -> {
            thirdCalled.set(true);
            return third;
        });

        Future<Void> closed = scheduler.waitAndClose();
        first.setSuccess(null);
        embedded.runTasks();
        assertSucceeded(waiting);
        second.setSuccess(null);
        embedded.runTasks();
        assertTrue(thirdCalled.get());
        assertNotDone(closed);

        third.setSuccess(null);
        embedded.runTasks();
        assertSucceeded(closed);
        assertTrue(assertSucceeded(waiting).isClosed());
    }

    @Test
    void waitAndClose_jobFailure_goesToHandlerNotToFuture() {
        Scheduler scheduler = builder().build(loop);
        Promise<Void> promise = loop.newPromise();
        Job<Void> job = spawnJob(scheduler, promise);
        RuntimeException failure = new RuntimeException("boom");

        Future<Void> closed = scheduler.waitAndClose();
        promise.setFailure(failure);
        embedded.runTasks();

        assertSucceeded(closed);
        ExceptionContext context = handler.single(scheduler);
        assertEquals("Job processing failed", context.message());
        assertSame(job, context.job());
        assertSame(failure, context.exception());
    }

    @Test
    void waitAndClose_uncancellableJobAfterTimeout_waitsCloseTimeoutAndReports() {
        Scheduler scheduler = builder().waitTimeout(Duration.ofMillis(100)).closeTimeout(Duration.ofMillis(50))
                .build(loop);
        Promise<Void> stubborn = loop.newPromise();
        stubborn.setUncancellable();
        Job<Void> job = spawnJob(scheduler, stubborn);

        Future<Void> closed = scheduler.waitAndClose();
        embedded.advanceMillis(100);
        assertTrue(scheduler.isClosed());
        assertNotDone(closed);
        embedded.advanceMillis(49);
        assertNotDone(closed);
        embedded.advanceMillis(1);

        assertSucceeded(closed);
        assertTrue(job.isClosed());
        ExceptionContext context = handler.single(scheduler);
        assertEquals("Job closing timed out", context.message());
        assertSame(job, context.job());
    }

    @Test
    void waitAndClose_closeCalledDuringWait_bothComplete() {
        Scheduler scheduler = builder().build(loop);
        Promise<Void> promise = loop.newPromise();
        spawnJob(scheduler, promise);

        Future<Void> waited = scheduler.waitAndClose();
        Future<Void> closed = scheduler.close();
        embedded.runTasks();

        assertSucceeded(closed);
        assertSucceeded(waited);
        assertTrue(promise.isCancelled());
    }

    @Test
    void waitAndClose_negativeTimeout_throwsIllegalArgumentNamingTimeout() {
        Scheduler scheduler = builder().build(loop);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> scheduler.waitAndClose(Duration.ofSeconds(-1)));
        assertTrue(String.valueOf(e.getMessage()).contains("timeout"), e::getMessage);
        assertFalse(scheduler.isClosed());
    }

    @Test
    void waitAndClose_nullTimeout_waitsWithoutLimit() {
        Scheduler scheduler = builder().waitTimeout(Duration.ofMillis(10)).build(loop);
        Promise<Void> promise = loop.newPromise();
        spawnJob(scheduler, promise);

        Future<Void> closed = scheduler.waitAndClose(null);
        embedded.advance(Duration.ofHours(1));
        assertNotDone(closed);

        promise.setSuccess(null);
        embedded.runTasks();
        assertSucceeded(closed);
    }

    @Test
    void waitAndClose_afterClose_completes() {
        Scheduler scheduler = builder().build(loop);
        Future<Void> closed = scheduler.close();
        embedded.runTasks();
        assertSucceeded(closed);

        Future<Void> waited = scheduler.waitAndClose();
        embedded.runTasks();

        assertSucceeded(waited);
    }
}
