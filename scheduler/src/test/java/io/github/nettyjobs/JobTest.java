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

import static io.github.nettyjobs.FutureAssertions.assertCancelled;
import static io.github.nettyjobs.FutureAssertions.assertFailedWith;
import static io.github.nettyjobs.FutureAssertions.assertNotDone;
import static io.github.nettyjobs.FutureAssertions.assertSameCause;
import static io.github.nettyjobs.FutureAssertions.assertSucceeded;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Job}: states, toString, join, join with timeout, close, close with timeout. */
@Timeout(10)
class JobTest {

    private final EmbeddedLoop embedded = new EmbeddedLoop();
    private final EventLoop loop = embedded.loop();
    private final RecordingHandler handler = new RecordingHandler();

    @AfterEach
    void tearDown() {
        embedded.close();
    }

    private Scheduler scheduler() {
        return Scheduler.builder().exceptionHandler(handler).build(loop);
    }

    private <T> Job<T> spawnJob(Scheduler scheduler, Callable<? extends Future<T>> task) {
        Future<Job<T>> spawned = scheduler.spawn(task);
        embedded.runTasks();
        return assertSucceeded(spawned);
    }

    private <T> Job<T> spawnJob(Scheduler scheduler, Promise<T> promise) {
        return spawnJob(scheduler, () -> promise);
    }

    private static Promise<Void> uncancellable(EventLoop loop) {
        Promise<Void> promise = loop.newPromise();
        promise.setUncancellable();
        return promise;
    }

    @Test
    void spawnedJob_isActive() {
        Job<Void> job = spawnJob(scheduler(), loop.newPromise());

        assertTrue(job.isActive());
        assertFalse(job.isClosed());
        assertFalse(job.isPending());
        assertTrue(job.toString().contains("active"), job::toString);
        assertFalse(job.toString().contains("closed"), job::toString);
        assertFalse(job.toString().contains("pending"), job::toString);
        assertTrue(job.toString().contains(job.name()), job::toString);
    }

    @Test
    void joinedJob_isClosed() {
        Scheduler scheduler = scheduler();
        Job<Void> job = spawnJob(scheduler, () -> loop.newSucceededFuture(null));

        assertSucceeded(job.join());

        assertFalse(job.isActive());
        assertTrue(job.isClosed());
        assertFalse(job.isPending());
        assertTrue(job.toString().contains("closed"), job::toString);
        assertFalse(job.toString().contains("pending"), job::toString);
    }

    @Test
    void closedJob_isClosed() {
        Promise<Void> promise = loop.newPromise();
        Job<Void> job = spawnJob(scheduler(), promise);

        Future<Void> closed = job.close();
        embedded.runTasks();

        assertSucceeded(closed);
        assertTrue(promise.isCancelled(), "close cancels the job's future");
        assertFalse(job.isActive());
        assertTrue(job.isClosed());
        assertFalse(job.isPending());
        assertTrue(job.toString().contains("closed"), job::toString);
        handler.assertNotCalled();
    }

    @Test
    void pendingJob_isPending() {
        Scheduler scheduler = Scheduler.builder().limit(1).build(loop);
        spawnJob(scheduler, loop.newPromise());

        Job<Void> job = spawnJob(scheduler, loop.newPromise());

        assertFalse(job.isActive());
        assertFalse(job.isClosed());
        assertTrue(job.isPending());
        assertTrue(job.toString().contains("pending"), job::toString);
        assertFalse(job.toString().contains("closed"), job::toString);
    }

    @Test
    void pendingJob_afterActiveJobCloses_isActive() {
        Scheduler scheduler = Scheduler.builder().limit(1).build(loop);
        Job<Void> job1 = spawnJob(scheduler, loop.newPromise());
        Job<Void> job2 = spawnJob(scheduler, loop.newPromise());

        job1.close();
        embedded.runTasks();

        assertTrue(job2.isActive());
        assertFalse(job2.isClosed());
        assertFalse(job2.isPending());
        assertFalse(job2.toString().contains("pending"), job2::toString);
        assertFalse(job2.toString().contains("closed"), job2::toString);
    }

    @Test
    void join_givesResultWithoutCallingHandler() {
        Scheduler scheduler = scheduler();
        Job<Integer> job = spawnJob(scheduler, () -> loop.newSucceededFuture(1));

        assertEquals(1, assertSucceeded(job.join()));
        embedded.runTasks();

        handler.assertNotCalled();
    }

    @Test
    void join_beforeFailure_deliversExceptionToCallerOnly() {
        Scheduler scheduler = scheduler();
        Promise<Void> promise = loop.newPromise();
        Job<Void> job = spawnJob(scheduler, promise);
        Future<Void> joined = job.join();
        RuntimeException failure = new RuntimeException("boom");

        promise.setFailure(failure);
        embedded.runTasks();

        assertSameCause(failure, joined);
        assertTrue(job.isClosed());
        assertEquals(0, scheduler.size());
        handler.assertNotCalled();
    }

    @Test
    void join_onJobThatFailedEarlier_givesTheFailureAfterHandlerGotIt() {
        Scheduler scheduler = Scheduler.builder().limit(1).exceptionHandler(handler).build(loop);
        RuntimeException failure = new RuntimeException("boom");
        Promise<Void> promise = loop.newPromise();
        Job<Void> job = spawnJob(scheduler, promise);
        Job<Void> next = spawnJob(scheduler, () -> loop.newSucceededFuture(null));

        promise.setFailure(failure);
        embedded.runTasks();
        assertTrue(next.isClosed());

        assertSameCause(failure, job.join());
        embedded.runTasks();
        assertSame(failure, handler.single(scheduler).exception());
    }

    @Test
    void close_onJobThatFailedEarlier_succeedsAtOnce() {
        Scheduler scheduler = Scheduler.builder().limit(1).exceptionHandler(handler).build(loop);
        Promise<Void> promise = loop.newPromise();
        Job<Void> job = spawnJob(scheduler, promise);
        promise.setFailure(new RuntimeException("boom"));
        embedded.runTasks();

        Future<Void> closed = job.close();

        assertSucceeded(closed);
        assertEquals(1, handler.contexts().size());
    }

    @Test
    void close_onClosedJob_succeedsAtOnce() {
        Job<Void> job = spawnJob(scheduler(), () -> loop.newSucceededFuture(null));
        embedded.runTasks();
        assertTrue(job.isClosed());

        assertSucceeded(job.close());
        assertSucceeded(job.close(Duration.ofMillis(1)));
    }

    @Test
    void close_jobFailsWhileClosing_failsCloseWithThatException() {
        Scheduler scheduler = scheduler();
        Promise<Void> promise = uncancellable(loop);
        Job<Void> job = spawnJob(scheduler, promise);
        RuntimeException failure = new RuntimeException("boom");

        Future<Void> closed = job.close();
        embedded.runTasks();
        assertNotDone(closed);
        promise.setFailure(failure);
        embedded.runTasks();

        assertSameCause(failure, closed);
        assertTrue(job.isClosed());
        handler.assertNotCalled();
    }

    @Test
    void close_jobOutlivesCloseTimeout_failsWithTimeoutAndJobCountsAsClosed() {
        Scheduler scheduler = Scheduler.builder().closeTimeout(Duration.ofMillis(10)).exceptionHandler(handler)
                .build(loop);
        Job<Void> job = spawnJob(scheduler, uncancellable(loop));

        Future<Void> closed = job.close();
        embedded.advanceMillis(9);
        assertNotDone(closed);
        embedded.advanceMillis(1);

        assertFailedWith(TimeoutException.class, closed);
        assertTrue(job.isClosed());
        assertEquals(0, scheduler.size());
        assertEquals(0, scheduler.activeCount());
        handler.assertNotCalled();
    }

    @Test
    void close_withExplicitTimeout_overridesCloseTimeout() {
        Scheduler scheduler = Scheduler.builder().closeTimeout(Duration.ofHours(1)).exceptionHandler(handler)
                .build(loop);
        Job<Void> job = spawnJob(scheduler, uncancellable(loop));

        Future<Void> closed = job.close(Duration.ofMillis(5));
        embedded.advanceMillis(4);
        assertNotDone(closed);
        embedded.advanceMillis(1);

        assertFailedWith(TimeoutException.class, closed);
        assertTrue(job.isClosed());
    }

    @Test
    void close_timedOutJob_freesItsSlotForPendingJob() {
        Scheduler scheduler = Scheduler.builder().limit(1).closeTimeout(Duration.ofMillis(10))
                .exceptionHandler(handler).build(loop);
        Job<Void> stubborn = spawnJob(scheduler, uncancellable(loop));
        Job<Void> pending = spawnJob(scheduler, loop.newPromise());

        Future<Void> closed = stubborn.close();
        embedded.advanceMillis(10);

        assertFailedWith(TimeoutException.class, closed);
        assertTrue(pending.isActive());
    }

    @Test
    void close_jobThatEndsBeforeTimeout_succeeds() {
        Scheduler scheduler = Scheduler.builder().closeTimeout(Duration.ofMillis(10)).exceptionHandler(handler)
                .build(loop);
        Promise<Void> promise = uncancellable(loop);
        Job<Void> job = spawnJob(scheduler, promise);

        Future<Void> closed = job.close();
        embedded.advanceMillis(5);
        promise.setSuccess(null);
        embedded.runTasks();

        assertSucceeded(closed);
        embedded.advanceMillis(100);
        assertSucceeded(closed);
        handler.assertNotCalled();
    }

    @Test
    void join_pendingJob_waitsForItToStartAndFinish() {
        Scheduler scheduler = Scheduler.builder().limit(1).build(loop);
        Promise<Void> first = loop.newPromise();
        spawnJob(scheduler, first);
        Job<Integer> job = spawnJob(scheduler, () -> loop.newSucceededFuture(1));

        Future<Integer> joined = job.join();
        embedded.runTasks();
        assertNotDone(joined);

        first.setSuccess(null);
        embedded.runTasks();
        assertEquals(1, assertSucceeded(joined));
    }

    @Test
    void join_pendingJobClosed_failsWithCancellation() {
        Scheduler scheduler = Scheduler.builder().limit(1).build(loop);
        spawnJob(scheduler, loop.newPromise());
        Job<Void> job = spawnJob(scheduler, loop.newPromise());
        Future<Void> joined = job.join();

        job.close();
        embedded.runTasks();

        assertCancelled(joined);
    }

    @Test
    void join_cancelled_leavesJobRunning() {
        Promise<Void> promise = loop.newPromise();
        Job<Void> job = spawnJob(scheduler(), promise);
        Future<Void> joined = job.join();
        embedded.advanceMillis(50);
        assertTrue(job.isActive());

        joined.cancel(false);
        embedded.runTasks();

        assertTrue(job.isActive());
        assertFalse(promise.isCancelled());
        promise.setSuccess(null);
        embedded.runTasks();
        assertSucceeded(job.join());
    }

    @Test
    void join_afterJobFinished_givesResult() {
        Job<Integer> job = spawnJob(scheduler(), () -> loop.newSucceededFuture(5));
        embedded.runTasks();
        assertTrue(job.isClosed());

        assertEquals(5, assertSucceeded(job.join()));
    }

    @Test
    void join_afterExplicitClose_failsWithCancellation() {
        Job<Void> job = spawnJob(scheduler(), loop.newPromise());
        assertFalse(job.isClosed());

        job.close();
        embedded.runTasks();

        assertTrue(job.isClosed());
        assertCancelled(job.join());
    }

    @Test
    void join_futureCancelledByItsOwner_failsWithCancellationAndIsNotReported() {
        Promise<Void> promise = loop.newPromise();
        Job<Void> job = spawnJob(scheduler(), promise);

        promise.cancel(false);
        embedded.runTasks();

        assertTrue(job.isClosed());
        assertCancelled(job.join());
        handler.assertNotCalled();
    }

    @Test
    void joinWithTimeout_timeoutPasses_closesJobAndFailsWithTimeout() {
        Scheduler scheduler = scheduler();
        Promise<Void> promise = loop.newPromise();
        Job<Void> job = spawnJob(scheduler, promise);

        Future<Void> joined = job.join(Duration.ofMillis(10));
        embedded.advanceMillis(9);
        assertNotDone(joined);
        embedded.advanceMillis(1);

        assertFailedWith(TimeoutException.class, joined);
        assertTrue(job.isClosed());
        assertTrue(promise.isCancelled());
        assertEquals(0, scheduler.size());
        assertCancelled(job.join());
        handler.assertNotCalled();
    }

    @Test
    void joinWithTimeout_jobFinishesFirst_givesResult() {
        Promise<String> promise = loop.newPromise();
        Job<String> job = spawnJob(scheduler(), promise);

        Future<String> joined = job.join(Duration.ofMillis(10));
        embedded.advanceMillis(5);
        promise.setSuccess("done");
        embedded.runTasks();

        assertEquals("done", assertSucceeded(joined));
        embedded.advanceMillis(100);
        assertEquals("done", assertSucceeded(joined));
    }

    @Test
    void join_afterCloseTimedOut_failsWithCancellation() {
        Scheduler scheduler = Scheduler.builder().closeTimeout(Duration.ofMillis(10)).exceptionHandler(handler)
                .build(loop);
        Promise<Void> stubborn = uncancellable(loop);
        Job<Void> job = spawnJob(scheduler, stubborn);
        Future<Void> joined = job.join();

        job.close();
        embedded.advanceMillis(10);

        assertCancelled(joined);
        assertCancelled(job.join());
    }

    @Test
    void joinWithTimeout_negative_throwsIllegalArgumentNamingTimeout() {
        Job<Void> job = spawnJob(scheduler(), loop.newPromise());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> job.join(Duration.ofMillis(-1)));
        assertTrue(String.valueOf(e.getMessage()).contains("timeout"), e::getMessage);
        assertTrue(job.isActive());
    }

    @Test
    void closeWithTimeout_negative_throwsIllegalArgumentNamingTimeout() {
        Promise<Void> promise = loop.newPromise();
        Job<Void> job = spawnJob(scheduler(), promise);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> job.close(Duration.ofMillis(-1)));
        assertTrue(String.valueOf(e.getMessage()).contains("timeout"), e::getMessage);
        embedded.runTasks();
        assertTrue(job.isActive());
        assertFalse(promise.isDone());
    }

    @Test
    void joinWithNullTimeout_waitsWithoutLimit() {
        Promise<String> promise = loop.newPromise();
        Job<String> job = spawnJob(scheduler(), promise);

        Future<String> joined = job.join(null);
        embedded.advance(Duration.ofHours(1));
        assertNotDone(joined);
        assertTrue(job.isActive());
        promise.setSuccess("late");
        embedded.runTasks();

        assertEquals("late", assertSucceeded(joined));
    }

    @Test
    void closeWithNullTimeout_waitsWithoutLimit() {
        Promise<Void> stubborn = uncancellable(loop);
        Job<Void> job = spawnJob(scheduler(), stubborn);

        Future<Void> closed = job.close(null);
        embedded.advance(Duration.ofHours(1));
        assertNotDone(closed);
        assertFalse(job.isClosed());
        stubborn.setSuccess(null);
        embedded.runTasks();

        assertSucceeded(closed);
        assertTrue(job.isClosed());
    }

    @Test
    void scheduler_isTheSpawningScheduler() {
        Scheduler scheduler = scheduler();

        assertSame(scheduler, spawnJob(scheduler, loop.newPromise()).scheduler());
    }
}
