package io.github.nettyjobs;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

import static io.github.nettyjobs.FutureAssertions.assertCancelled;
import static io.github.nettyjobs.FutureAssertions.assertFailedWith;
import static io.github.nettyjobs.FutureAssertions.assertNotDone;
import static io.github.nettyjobs.FutureAssertions.assertSameCause;
import static io.github.nettyjobs.FutureAssertions.assertSucceeded;
import static io.github.nettyjobs.SchedulerAssertions.State.ACTIVE;
import static io.github.nettyjobs.SchedulerAssertions.State.CLOSED;
import static io.github.nettyjobs.SchedulerAssertions.State.PENDING;
import static io.github.nettyjobs.SchedulerAssertions.assertRejected;
import static io.github.nettyjobs.SchedulerAssertions.assertState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Job}: states, toString, join, join with timeout, close, close with timeout. */
@Timeout(10)
class JobTest {

    @RegisterExtension
    final SchedulerFixture fixture = new SchedulerFixture();
    private final EventLoop loop = fixture.loop();
    private final RecordingHandler handler = fixture.handler();

    @Test
    void spawnedJob_isActive() {
        Job<Void> job = fixture.spawnJob(fixture.scheduler(), loop.newPromise());

        assertState(job, ACTIVE);
        assertTrue(job.toString().contains("active"), job::toString);
        assertFalse(job.toString().contains("closed"), job::toString);
        assertFalse(job.toString().contains("pending"), job::toString);
        assertTrue(job.toString().contains(job.name()), job::toString);
    }

    @Test
    void joinedJob_isClosed() {
        Scheduler scheduler = fixture.scheduler();
        Job<Void> job = fixture.spawnJob(scheduler, () -> loop.newSucceededFuture(null));

        assertSucceeded(job.join());

        assertState(job, CLOSED);
        assertTrue(job.toString().contains("closed"), job::toString);
        assertFalse(job.toString().contains("pending"), job::toString);
    }

    @Test
    void closedJob_isClosed() {
        Promise<Void> promise = loop.newPromise();
        Job<Void> job = fixture.spawnJob(fixture.scheduler(), promise);

        Future<Void> closed = job.close();
        fixture.runTasks();

        assertSucceeded(closed);
        assertTrue(promise.isCancelled(), "close cancels the job's future");
        assertState(job, CLOSED);
        assertTrue(job.toString().contains("closed"), job::toString);
        handler.assertNotCalled();
    }

    @Test
    void pendingJob_isPending() {
        Scheduler scheduler = Scheduler.builder().limit(1).build(loop);
        fixture.spawnJob(scheduler, loop.newPromise());

        Job<Void> job = fixture.spawnJob(scheduler, loop.newPromise());

        assertState(job, PENDING);
        assertTrue(job.toString().contains("pending"), job::toString);
        assertFalse(job.toString().contains("closed"), job::toString);
    }

    @Test
    void pendingJob_afterActiveJobCloses_isActive() {
        Scheduler scheduler = Scheduler.builder().limit(1).build(loop);
        Job<Void> job1 = fixture.spawnJob(scheduler, loop.newPromise());
        Job<Void> job2 = fixture.spawnJob(scheduler, loop.newPromise());

        job1.close();
        fixture.runTasks();

        assertState(job2, ACTIVE);
        assertFalse(job2.toString().contains("pending"), job2::toString);
        assertFalse(job2.toString().contains("closed"), job2::toString);
    }

    @Test
    void join_givesResultWithoutCallingHandler() {
        Scheduler scheduler = fixture.scheduler();
        Job<Integer> job = fixture.spawnJob(scheduler, () -> loop.newSucceededFuture(1));

        assertEquals(1, assertSucceeded(job.join()));
        fixture.runTasks();

        handler.assertNotCalled();
    }

    @Test
    void join_beforeFailure_deliversExceptionToCallerOnly() {
        Scheduler scheduler = fixture.scheduler();
        Promise<Void> promise = loop.newPromise();
        Job<Void> job = fixture.spawnJob(scheduler, promise);
        Future<Void> joined = job.join();
        RuntimeException failure = new RuntimeException("boom");

        promise.setFailure(failure);
        fixture.runTasks();

        assertSameCause(failure, joined);
        assertTrue(job.isClosed());
        assertEquals(0, scheduler.size());
        handler.assertNotCalled();
    }

    @Test
    void join_onJobThatFailedEarlier_givesTheFailureAfterHandlerGotIt() {
        Scheduler scheduler = fixture.builder().limit(1).build(loop);
        RuntimeException failure = new RuntimeException("boom");
        Promise<Void> promise = loop.newPromise();
        Job<Void> job = fixture.spawnJob(scheduler, promise);
        Job<Void> next = fixture.spawnJob(scheduler, () -> loop.newSucceededFuture(null));

        promise.setFailure(failure);
        fixture.runTasks();
        assertTrue(next.isClosed());

        assertSameCause(failure, job.join());
        fixture.runTasks();
        assertSame(failure, handler.single(scheduler).exception());
    }

    @Test
    void close_onJobThatFailedEarlier_succeedsAtOnce() {
        Scheduler scheduler = fixture.builder().limit(1).build(loop);
        Promise<Void> promise = loop.newPromise();
        Job<Void> job = fixture.spawnJob(scheduler, promise);
        promise.setFailure(new RuntimeException("boom"));
        fixture.runTasks();

        Future<Void> closed = job.close();

        assertSucceeded(closed);
        assertEquals(1, handler.contexts().size());
    }

    @Test
    void close_onClosedJob_succeedsAtOnce() {
        Job<Void> job = fixture.spawnJob(fixture.scheduler(), () -> loop.newSucceededFuture(null));
        fixture.runTasks();
        assertTrue(job.isClosed());

        assertSucceeded(job.close());
        assertSucceeded(job.close(Duration.ofMillis(1)));
    }

    @Test
    void close_jobFailsWhileClosing_failsCloseWithThatException() {
        Scheduler scheduler = fixture.scheduler();
        Promise<Void> promise = fixture.uncancellable();
        Job<Void> job = fixture.spawnJob(scheduler, promise);
        RuntimeException failure = new RuntimeException("boom");

        Future<Void> closed = job.close();
        fixture.runTasks();
        assertNotDone(closed);
        promise.setFailure(failure);
        fixture.runTasks();

        assertSameCause(failure, closed);
        assertTrue(job.isClosed());
        handler.assertNotCalled();
    }

    @Test
    void close_jobOutlivesCloseTimeout_failsWithTimeoutAndJobCountsAsClosed() {
        Scheduler scheduler = fixture.builder().closeTimeout(Duration.ofMillis(10)).build(loop);
        Job<Void> job = fixture.spawnJob(scheduler, fixture.uncancellable());

        Future<Void> closed = job.close();
        fixture.advanceMillis(9);
        assertNotDone(closed);
        fixture.advanceMillis(1);

        assertFailedWith(TimeoutException.class, closed);
        assertTrue(job.isClosed());
        assertEquals(0, scheduler.size());
        assertEquals(0, scheduler.activeCount());
        handler.assertNotCalled();
    }

    @Test
    void close_withExplicitTimeout_overridesCloseTimeout() {
        Scheduler scheduler = fixture.builder().closeTimeout(Duration.ofHours(1)).build(loop);
        Job<Void> job = fixture.spawnJob(scheduler, fixture.uncancellable());

        Future<Void> closed = job.close(Duration.ofMillis(5));
        fixture.advanceMillis(4);
        assertNotDone(closed);
        fixture.advanceMillis(1);

        assertFailedWith(TimeoutException.class, closed);
        assertTrue(job.isClosed());
    }

    @Test
    void close_timedOutJob_freesItsSlotForPendingJob() {
        Scheduler scheduler = fixture.builder().limit(1).closeTimeout(Duration.ofMillis(10)).build(loop);
        Job<Void> stubborn = fixture.spawnJob(scheduler, fixture.uncancellable());
        Job<Void> pending = fixture.spawnJob(scheduler, loop.newPromise());

        Future<Void> closed = stubborn.close();
        fixture.advanceMillis(10);

        assertFailedWith(TimeoutException.class, closed);
        assertTrue(pending.isActive());
    }

    @Test
    void close_jobThatEndsBeforeTimeout_succeeds() {
        Scheduler scheduler = fixture.builder().closeTimeout(Duration.ofMillis(10)).build(loop);
        Promise<Void> promise = fixture.uncancellable();
        Job<Void> job = fixture.spawnJob(scheduler, promise);

        Future<Void> closed = job.close();
        fixture.advanceMillis(5);
        promise.setSuccess(null);
        fixture.runTasks();

        assertSucceeded(closed);
        fixture.advanceMillis(100);
        assertSucceeded(closed);
        handler.assertNotCalled();
    }

    @Test
    void join_pendingJob_waitsForItToStartAndFinish() {
        Scheduler scheduler = Scheduler.builder().limit(1).build(loop);
        Promise<Void> first = loop.newPromise();
        fixture.spawnJob(scheduler, first);
        Job<Integer> job = fixture.spawnJob(scheduler, () -> loop.newSucceededFuture(1));

        Future<Integer> joined = job.join();
        fixture.runTasks();
        assertNotDone(joined);

        first.setSuccess(null);
        fixture.runTasks();
        assertEquals(1, assertSucceeded(joined));
    }

    @Test
    void join_pendingJobClosed_failsWithCancellation() {
        Scheduler scheduler = Scheduler.builder().limit(1).build(loop);
        fixture.spawnJob(scheduler, loop.newPromise());
        Job<Void> job = fixture.spawnJob(scheduler, loop.newPromise());
        Future<Void> joined = job.join();

        job.close();
        fixture.runTasks();

        assertCancelled(joined);
    }

    @Test
    void join_cancelled_leavesJobRunning() {
        Promise<Void> promise = loop.newPromise();
        Job<Void> job = fixture.spawnJob(fixture.scheduler(), promise);
        Future<Void> joined = job.join();
        fixture.advanceMillis(50);
        assertTrue(job.isActive());

        joined.cancel(false);
        fixture.runTasks();

        assertTrue(job.isActive());
        assertFalse(promise.isCancelled());
        promise.setSuccess(null);
        fixture.runTasks();
        assertSucceeded(job.join());
    }

    @Test
    void join_afterJobFinished_givesResult() {
        Job<Integer> job = fixture.spawnJob(fixture.scheduler(), () -> loop.newSucceededFuture(5));
        fixture.runTasks();
        assertTrue(job.isClosed());

        assertEquals(5, assertSucceeded(job.join()));
    }

    @Test
    void join_afterExplicitClose_failsWithCancellation() {
        Job<Void> job = fixture.spawnJob(fixture.scheduler(), loop.newPromise());
        assertFalse(job.isClosed());

        job.close();
        fixture.runTasks();

        assertTrue(job.isClosed());
        assertCancelled(job.join());
    }

    @Test
    void join_futureCancelledByItsOwner_failsWithCancellationAndIsNotReported() {
        Promise<Void> promise = loop.newPromise();
        Job<Void> job = fixture.spawnJob(fixture.scheduler(), promise);

        promise.cancel(false);
        fixture.runTasks();

        assertTrue(job.isClosed());
        assertCancelled(job.join());
        handler.assertNotCalled();
    }

    @Test
    void joinWithTimeout_timeoutPasses_closesJobAndFailsWithTimeout() {
        Scheduler scheduler = fixture.scheduler();
        Promise<Void> promise = loop.newPromise();
        Job<Void> job = fixture.spawnJob(scheduler, promise);

        Future<Void> joined = job.join(Duration.ofMillis(10));
        fixture.advanceMillis(9);
        assertNotDone(joined);
        fixture.advanceMillis(1);

        assertFailedWith(TimeoutException.class, joined);
        assertTrue(job.isClosed());
        assertEquals(JobOutcome.TIMED_OUT, job.outcome());
        assertTrue(promise.isCancelled());
        assertEquals(0, scheduler.size());
        assertFailedWith(TimeoutException.class, job.join()); // a later join gives the outcome: timed out
        handler.assertNotCalled(); // the join that timed out took the timeout
    }

    @Test
    void joinWithTimeout_jobFinishesFirst_givesResult() {
        Promise<String> promise = loop.newPromise();
        Job<String> job = fixture.spawnJob(fixture.scheduler(), promise);

        Future<String> joined = job.join(Duration.ofMillis(10));
        fixture.advanceMillis(5);
        promise.setSuccess("done");
        fixture.runTasks();

        assertEquals("done", assertSucceeded(joined));
        fixture.advanceMillis(100);
        assertEquals("done", assertSucceeded(joined));
    }

    @Test
    void join_afterCloseTimedOut_failsWithCancellation() {
        Scheduler scheduler = fixture.builder().closeTimeout(Duration.ofMillis(10)).build(loop);
        Promise<Void> stubborn = fixture.uncancellable();
        Job<Void> job = fixture.spawnJob(scheduler, stubborn);
        Future<Void> joined = job.join();

        job.close();
        fixture.advanceMillis(10);

        assertCancelled(joined);
        assertCancelled(job.join());
    }

    @Test
    void joinWithTimeout_negative_throwsIllegalArgumentNamingTimeout() {
        Job<Void> job = fixture.spawnJob(fixture.scheduler(), loop.newPromise());

        assertRejected(IllegalArgumentException.class, "timeout", () -> job.join(Duration.ofMillis(-1)));
        assertTrue(job.isActive());
    }

    @Test
    void closeWithTimeout_negative_throwsIllegalArgumentNamingTimeout() {
        Promise<Void> promise = loop.newPromise();
        Job<Void> job = fixture.spawnJob(fixture.scheduler(), promise);

        assertRejected(IllegalArgumentException.class, "timeout", () -> job.close(Duration.ofMillis(-1)));
        fixture.runTasks();
        assertTrue(job.isActive());
        assertFalse(promise.isDone());
    }

    @Test
    void joinWithNullTimeout_waitsWithoutLimit() {
        Promise<String> promise = loop.newPromise();
        Job<String> job = fixture.spawnJob(fixture.scheduler(), promise);

        Future<String> joined = job.join(null);
        fixture.advance(Duration.ofHours(1));
        assertNotDone(joined);
        assertTrue(job.isActive());
        promise.setSuccess("late");
        fixture.runTasks();

        assertEquals("late", assertSucceeded(joined));
    }

    @Test
    void closeWithNullTimeout_waitsWithoutLimit() {
        Promise<Void> stubborn = fixture.uncancellable();
        Job<Void> job = fixture.spawnJob(fixture.scheduler(), stubborn);

        Future<Void> closed = job.close(null);
        fixture.advance(Duration.ofHours(1));
        assertNotDone(closed);
        assertFalse(job.isClosed());
        stubborn.setSuccess(null);
        fixture.runTasks();

        assertSucceeded(closed);
        assertTrue(job.isClosed());
    }

    @Test
    void scheduler_isTheSpawningScheduler() {
        Scheduler scheduler = fixture.scheduler();

        assertSame(scheduler, fixture.spawnJob(scheduler, loop.newPromise()).scheduler());
    }
}
