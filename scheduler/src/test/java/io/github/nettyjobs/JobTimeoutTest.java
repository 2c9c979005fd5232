package io.github.nettyjobs;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

import static io.github.nettyjobs.FutureAssertions.assertFailedWith;
import static io.github.nettyjobs.FutureAssertions.assertNotDone;
import static io.github.nettyjobs.FutureAssertions.assertSucceeded;
import static io.github.nettyjobs.SchedulerAssertions.assertRejected;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code jobTimeout}: an active job that runs too long is closed and ends timed out. */
class JobTimeoutTest {

    @RegisterExtension
    final SchedulerFixture fixture = new SchedulerFixture();
    private final EventLoop loop = fixture.loop();
    private final RecordingHandler handler = fixture.handler();
    private final RecordingListener listener = new RecordingListener();

    private Scheduler scheduler(Duration jobTimeout) {
        return fixture.builder().jobTimeout(jobTimeout).listener(listener).build(loop);
    }

    @Test
    void jobTimeout_negative_isRejectedNamingTheParameter() {
        assertRejected(IllegalArgumentException.class, "jobTimeout",
                () -> Scheduler.builder().jobTimeout(Duration.ofMillis(-1)));
    }

    @Test
    void jobTimeout_default_isNoneAndArmsNoTimer() {
        Scheduler scheduler = fixture.scheduler();
        assertNull(scheduler.jobTimeout());
        fixture.spawnJob(scheduler, loop.<Void>newPromise());
        assertFalse(fixture.hasTimers(), "a job without deadlines must not schedule anything");
    }

    @Test
    void jobTimeout_passes_closesJobAndJoinFailsWithTimeout() {
        Scheduler scheduler = scheduler(Duration.ofMillis(10));
        Promise<Void> promise = loop.newPromise();
        Job<Void> job = fixture.spawnJob(scheduler, promise);
        Future<Void> joined = job.join();

        fixture.advanceMillis(9);
        assertNotDone(joined);
        assertTrue(job.isActive());
        fixture.advanceMillis(1);

        TimeoutException timeout = assertFailedWith(TimeoutException.class, joined);
        assertTrue(timeout.getMessage().contains("timed out"), timeout.getMessage());
        assertTrue(promise.isCancelled());
        assertEquals(JobOutcome.TIMED_OUT, job.outcome());
        assertEquals(0, scheduler.size());
        handler.assertNotCalled(); // the join took the timeout
        listener.assertCalls("started job-1", "ended job-1 TIMED_OUT");
        assertFalse(fixture.hasTimers());
    }

    @Test
    void jobTimeout_unawaitedJob_isReportedAsJobTimedOut() {
        Scheduler scheduler = scheduler(Duration.ofMillis(10));
        Job<Void> job = fixture.spawnJob(scheduler, loop.<Void>newPromise());

        fixture.advanceMillis(10);

        ExceptionContext report = handler.single(scheduler, "Job timed out");
        assertSame(job, report.job());
        assertInstanceOf(TimeoutException.class, report.exception());
        assertFailedWith(TimeoutException.class, job.join()); // a later join gives the outcome
        assertEquals(1, handler.contexts().size(), "reported once");
    }

    @Test
    void jobTimeout_jobEndsFirst_cancelsItsTimer() {
        Scheduler scheduler = scheduler(Duration.ofMillis(10));
        Promise<String> promise = loop.newPromise();
        Job<String> job = fixture.spawnJob(scheduler, promise);
        assertTrue(fixture.hasTimers());

        promise.setSuccess("done");
        fixture.runTasks();

        assertFalse(fixture.hasTimers(), "the deadline must be cancelled when the job ends");
        fixture.advanceMillis(20);
        assertEquals("done", assertSucceeded(job.join()));
        assertEquals(JobOutcome.SUCCEEDED, job.outcome());
        handler.assertNotCalled();
    }

    @Test
    void jobTimeout_jobEndsInsideItsStart_armsNoTimer() {
        Scheduler scheduler = scheduler(Duration.ofMillis(10));
        Job<String> job = fixture.spawnJob(scheduler, () -> loop.newSucceededFuture("at once"));

        assertFalse(fixture.hasTimers());
        assertEquals(JobOutcome.SUCCEEDED, job.outcome());
    }

    @Test
    void jobTimeout_zero_timesOutEveryJobThatDoesNotEndInsideItsStart() {
        Scheduler scheduler = scheduler(Duration.ZERO);
        Job<String> quick = fixture.spawnJob(scheduler, () -> loop.newSucceededFuture("at once"));
        Promise<Void> promise = loop.newPromise();
        Job<Void> slow = fixture.spawnJob(scheduler, promise); // runs the due timer too

        assertEquals(JobOutcome.SUCCEEDED, quick.outcome());
        assertEquals(JobOutcome.TIMED_OUT, slow.outcome());
        assertTrue(promise.isCancelled());
    }

    @Test
    void jobTimeout_startsWhenThePendingJobStarts() {
        Scheduler scheduler = fixture.builder().limit(1).jobTimeout(Duration.ofMillis(10)).build(loop);
        Promise<Void> first = loop.newPromise();
        fixture.spawnJob(scheduler, first);
        Job<Void> second = fixture.spawnJob(scheduler, loop.<Void>newPromise());
        fixture.advanceMillis(5);

        first.setSuccess(null); // the second job starts at 5 ms
        fixture.advanceMillis(9);
        assertTrue(second.isActive(), "its 10 ms count from its start");
        fixture.advanceMillis(1);

        assertEquals(JobOutcome.TIMED_OUT, second.outcome());
    }

    @Test
    void jobTimeout_firesWhileJobIsClosing_closeWinsAndTheJobIsNotTimedOut() {
        Scheduler scheduler = fixture.builder().jobTimeout(Duration.ofMillis(10)).closeTimeout(Duration.ofMillis(50))
                .listener(listener).build(loop);
        Promise<Void> stubborn = fixture.uncancellable();
        Job<Void> job = fixture.spawnJob(scheduler, stubborn);
        fixture.advanceMillis(5);
        Future<Void> closed = job.close();

        fixture.advanceMillis(10); // past the job's deadline: the close in progress decides
        assertTrue(job.isActive());
        assertNotDone(closed);
        fixture.advanceMillis(40); // the close timeout of the close() call

        assertFailedWith(TimeoutException.class, closed);
        assertEquals(JobOutcome.ABANDONED, job.outcome());
        handler.assertNotCalled(); // the close caller took it
        listener.assertCalls("started job-1", "ended job-1 ABANDONED");
    }

    @Test
    void jobTimeout_stubbornJob_isAbandonedAfterTheCloseTimeoutAndReportedOnce() {
        Scheduler scheduler = fixture.builder().jobTimeout(Duration.ofMillis(10)).closeTimeout(Duration.ofMillis(50))
                .listener(listener).build(loop);
        Job<Void> job = fixture.spawnJob(scheduler, fixture.uncancellable());
        Future<Void> joined = job.join();

        fixture.advanceMillis(10);
        assertTrue(job.isActive(), "closing: its future ignores cancellation");
        Future<Void> closed = job.close(); // joins the close in progress
        fixture.advanceMillis(50);

        assertEquals(JobOutcome.ABANDONED, job.outcome());
        assertFailedWith(TimeoutException.class, joined);
        assertFailedWith(TimeoutException.class, closed);
        handler.single(scheduler, RecordingHandler.CLOSE_TIMED_OUT);
        listener.assertCalls("started job-1", "ended job-1 ABANDONED");
        assertFalse(fixture.hasTimers());
    }

    @Test
    void jobTimeout_schedulerClosedWhileTimersArePending_cancelsThem() {
        Scheduler scheduler = scheduler(Duration.ofSeconds(10));
        Job<Void> first = fixture.spawnJob(scheduler, loop.<Void>newPromise());
        Job<Void> second = fixture.spawnJob(scheduler, loop.<Void>newPromise());
        assertTrue(fixture.hasTimers());

        assertSucceeded(fixture.close(scheduler));

        assertFalse(fixture.hasTimers(), "closing must cancel every deadline");
        assertEquals(JobOutcome.CANCELLED, first.outcome());
        assertEquals(JobOutcome.CANCELLED, second.outcome());
        handler.assertNotCalled();
    }

    @Test
    void joinWithTimeout_closesTheJobAsTimedOut() {
        Scheduler scheduler = fixture.builder().listener(listener).build(loop);
        Job<Void> job = fixture.spawnJob(scheduler, loop.<Void>newPromise());
        Future<Void> plainJoin = job.join();

        Future<Void> timedJoin = job.join(Duration.ofMillis(5));
        fixture.advanceMillis(5);

        assertFailedWith(TimeoutException.class, timedJoin);
        assertFailedWith(TimeoutException.class, plainJoin);
        assertEquals(JobOutcome.TIMED_OUT, job.outcome());
        listener.assertCalls("started job-1", "ended job-1 TIMED_OUT");
        handler.assertNotCalled();
    }
}
