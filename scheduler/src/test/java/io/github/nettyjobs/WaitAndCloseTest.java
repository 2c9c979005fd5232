package io.github.nettyjobs;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static io.github.nettyjobs.FutureAssertions.assertCancelled;
import static io.github.nettyjobs.FutureAssertions.assertNotDone;
import static io.github.nettyjobs.FutureAssertions.assertSucceeded;
import static io.github.nettyjobs.RecordingHandler.CLOSE_TIMED_OUT;
import static io.github.nettyjobs.SchedulerAssertions.assertRejected;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Scheduler#waitAndClose()}: a grace period for jobs and shielded futures, then close. */
@Timeout(10)
class WaitAndCloseTest {

    @RegisterExtension
    final SchedulerFixture fixture = new SchedulerFixture();
    private final EventLoop loop = fixture.loop();
    private final RecordingHandler handler = fixture.handler();

    /** Spawns a job that shields {@code inner} and returns {@code outer}. */
    private Job<Void> spawnShielding(Scheduler scheduler, Promise<Void> inner, Promise<Void> outer) {
        return fixture.spawnJob(scheduler, () -> {
            scheduler.shield(inner);
            return outer;
        });
    }

    @Test
    void waitAndClose_waitsForJobAndShieldedFuture() {
        Scheduler scheduler = fixture.scheduler();
        Promise<Void> inner = loop.newPromise();
        Promise<Void> outer = loop.newPromise();
        Job<Void> job = spawnShielding(scheduler, inner, outer);

        Future<Void> closed = scheduler.waitAndClose();
        fixture.advanceMillis(100);
        assertNotDone(closed);
        assertFalse(scheduler.isClosed(), "no close before the wait is over");

        inner.setSuccess(null);
        fixture.advanceMillis(100);
        assertNotDone(closed);

        outer.setSuccess(null);
        fixture.runTasks();
        assertSucceeded(closed);
        assertTrue(inner.isSuccess());
        assertTrue(outer.isSuccess());
        assertTrue(job.isClosed());
        assertTrue(scheduler.isClosed());
        assertEquals(0, scheduler.size());
    }

    @Test
    void waitAndClose_emptyScheduler_closesAtOnce() {
        Scheduler scheduler = fixture.scheduler();

        Future<Void> closed = scheduler.waitAndClose();
        fixture.runTasks();

        assertSucceeded(closed);
        assertTrue(scheduler.isClosed());
    }

    @Test
    void waitAndClose_timeoutPasses_closesRemainingJobs() {
        Scheduler scheduler = fixture.scheduler();
        Promise<Void> inner = loop.newPromise();
        Promise<Void> outer = loop.newPromise();
        Job<Void> job = spawnShielding(scheduler, inner, outer);

        Future<Void> closed = scheduler.waitAndClose(Duration.ofMillis(200));
        fixture.advanceMillis(100);
        inner.setSuccess(null);
        fixture.advanceMillis(99);
        assertNotDone(closed);
        assertFalse(outer.isDone());
        fixture.advanceMillis(1);

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
        Scheduler scheduler = fixture.builder().waitTimeout(Duration.ofMillis(100)).build(loop);
        Promise<Void> inner = loop.newPromise();
        Promise<Void> outer = loop.newPromise();
        AtomicReference<Future<Void>> shielded = new AtomicReference<>();
        fixture.spawn(scheduler, () -> {
            shielded.set(scheduler.shield(inner));
            return outer;
        });

        Future<Void> closed = scheduler.waitAndClose();
        fixture.advanceMillis(99);
        assertNotDone(closed);
        fixture.advanceMillis(1);

        assertSucceeded(closed);
        assertTrue(inner.isCancelled());
        assertTrue(outer.isCancelled());
        assertCancelled(shielded.get());
        assertTrue(scheduler.isClosed());
        assertEquals(0, scheduler.size());
    }

    @Test
    void waitAndClose_nullWaitTimeout_waitsWithoutLimit() {
        Scheduler scheduler = fixture.builder().waitTimeout(null).build(loop);
        Promise<Void> promise = loop.newPromise();
        fixture.spawnJob(scheduler, promise);

        Future<Void> closed = scheduler.waitAndClose();
        fixture.advance(Duration.ofHours(2));
        assertNotDone(closed);
        assertFalse(promise.isDone());

        promise.setSuccess(null);
        fixture.runTasks();
        assertSucceeded(closed);
    }

    @Test
    void waitAndClose_jobsSpawnedDuringWait_areWaitedFor() {
        Scheduler scheduler = fixture.scheduler();
        Promise<Void> first = loop.newPromise();
        Promise<Void> another = loop.newPromise();
        fixture.spawnJob(scheduler, first);

        Future<Void> closed = scheduler.waitAndClose();
        fixture.advanceMillis(100);
        Future<Job<Void>> anotherSpawned = fixture.spawn(scheduler, () -> another);
        first.setSuccess(null);
        fixture.advanceMillis(100);

        Job<Void> anotherJob = assertSucceeded(anotherSpawned);
        assertTrue(anotherJob.isActive());
        assertNotDone(closed);

        another.setSuccess(null);
        fixture.runTasks();
        assertSucceeded(closed);
        assertTrue(another.isSuccess());
    }

    @Test
    void waitAndClose_jobSpawnsFollowUpAsItEnds_followUpIsWaitedFor() {
        Scheduler scheduler = fixture.scheduler();
        Promise<Void> first = loop.newPromise();
        Promise<Void> followUp = loop.newPromise();
        fixture.spawnJob(scheduler, first);
        Future<Void> closed = scheduler.waitAndClose();

        scheduler.spawn(() -> followUp);
        first.setSuccess(null);
        fixture.runTasks();

        assertNotDone(closed);
        followUp.setSuccess(null);
        fixture.runTasks();
        assertSucceeded(closed);
    }

    @Test
    void waitAndClose_waitsForPendingJobsAndWaitingSpawns() {
        Scheduler scheduler = fixture.builder().limit(1).pendingLimit(1).build(loop);
        Promise<Void> first = loop.newPromise();
        Promise<Void> second = loop.newPromise();
        Promise<Void> third = loop.newPromise();
        AtomicBoolean thirdCalled = new AtomicBoolean();
        fixture.spawnJob(scheduler, first);
        fixture.spawnJob(scheduler, second);
        Future<Job<Void>> waiting = fixture.spawn(scheduler, () -> {
            thirdCalled.set(true);
            return third;
        });

        Future<Void> closed = scheduler.waitAndClose();
        first.setSuccess(null);
        fixture.runTasks();
        assertSucceeded(waiting);
        second.setSuccess(null);
        fixture.runTasks();
        assertTrue(thirdCalled.get());
        assertNotDone(closed);

        third.setSuccess(null);
        fixture.runTasks();
        assertSucceeded(closed);
        assertTrue(assertSucceeded(waiting).isClosed());
    }

    @Test
    void waitAndClose_jobFailure_goesToHandlerNotToFuture() {
        Scheduler scheduler = fixture.scheduler();
        Promise<Void> promise = loop.newPromise();
        Job<Void> job = fixture.spawnJob(scheduler, promise);
        RuntimeException failure = new RuntimeException("boom");

        Future<Void> closed = scheduler.waitAndClose();
        promise.setFailure(failure);
        fixture.runTasks();

        assertSucceeded(closed);
        handler.assertSingleFailure(scheduler, job, failure);
    }

    @Test
    void waitAndClose_uncancellableJobAfterTimeout_waitsCloseTimeoutAndReports() {
        Scheduler scheduler = fixture.builder().waitTimeout(Duration.ofMillis(100)).closeTimeout(Duration.ofMillis(50))
                .build(loop);
        Promise<Void> stubborn = fixture.uncancellable();
        Job<Void> job = fixture.spawnJob(scheduler, stubborn);

        Future<Void> closed = scheduler.waitAndClose();
        fixture.advanceMillis(100);
        assertTrue(scheduler.isClosed());
        assertNotDone(closed);
        fixture.advanceMillis(49);
        assertNotDone(closed);
        fixture.advanceMillis(1);

        assertSucceeded(closed);
        assertTrue(job.isClosed());
        assertSame(job, handler.single(scheduler, CLOSE_TIMED_OUT).job());
    }

    @Test
    void waitAndClose_closeCalledDuringWait_bothComplete() {
        Scheduler scheduler = fixture.scheduler();
        Promise<Void> promise = loop.newPromise();
        fixture.spawnJob(scheduler, promise);

        Future<Void> waited = scheduler.waitAndClose();
        Future<Void> closed = fixture.close(scheduler);

        assertSucceeded(closed);
        assertSucceeded(waited);
        assertTrue(promise.isCancelled());
    }

    @Test
    void waitAndClose_negativeTimeout_throwsIllegalArgumentNamingTimeout() {
        Scheduler scheduler = fixture.scheduler();

        assertRejected(IllegalArgumentException.class, "timeout", () -> scheduler.waitAndClose(Duration.ofSeconds(-1)));
        assertFalse(scheduler.isClosed());
    }

    @Test
    void waitAndClose_nullTimeout_waitsWithoutLimit() {
        Scheduler scheduler = fixture.builder().waitTimeout(Duration.ofMillis(10)).build(loop);
        Promise<Void> promise = loop.newPromise();
        fixture.spawnJob(scheduler, promise);

        Future<Void> closed = scheduler.waitAndClose(null);
        fixture.advance(Duration.ofHours(1));
        assertNotDone(closed);

        promise.setSuccess(null);
        fixture.runTasks();
        assertSucceeded(closed);
    }

    @Test
    void waitAndClose_afterClose_completes() {
        Scheduler scheduler = fixture.scheduler();
        Future<Void> closed = fixture.close(scheduler);
        assertSucceeded(closed);

        Future<Void> waited = scheduler.waitAndClose();
        fixture.runTasks();

        assertSucceeded(waited);
    }
}
