package io.github.nettyjobs;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.github.nettyjobs.FutureAssertions.assertCancelled;
import static io.github.nettyjobs.FutureAssertions.assertFailedWith;
import static io.github.nettyjobs.FutureAssertions.assertNotDone;
import static io.github.nettyjobs.FutureAssertions.assertSucceeded;
import static io.github.nettyjobs.SchedulerAssertions.State.ACTIVE;
import static io.github.nettyjobs.SchedulerAssertions.State.CLOSED;
import static io.github.nettyjobs.SchedulerAssertions.assertCounts;
import static io.github.nettyjobs.SchedulerAssertions.assertState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The concurrency limit, the pending queue, its limit, and spawns that wait for room. */
@Timeout(10)
class SchedulerLimitTest {

    @RegisterExtension
    final SchedulerFixture fixture = new SchedulerFixture();
    private final EventLoop loop = fixture.loop();
    private final RecordingHandler handler = fixture.handler();

    private Scheduler scheduler(int limit, int pendingLimit) {
        return fixture.builder().limit(limit).pendingLimit(pendingLimit).build(loop);
    }

    /** A task that records that it ran and returns {@code promise}. */
    private static <T> Callable<Future<T>> recording(AtomicBoolean called, Promise<T> promise) {
        return () -> {
            called.set(true);
            return promise;
        };
    }

    @Test
    void spawn_overLimit_queuesJobAsPending() {
        Scheduler scheduler = scheduler(1, 10_000);

        fixture.spawnJob(scheduler, loop.newPromise());
        assertEquals(0, scheduler.pendingCount());
        fixture.spawnJob(scheduler, loop.newPromise());
        assertEquals(1, scheduler.pendingCount());
        fixture.spawnJob(scheduler, loop.newPromise());
        assertEquals(2, scheduler.pendingCount());

        assertEquals(1, scheduler.activeCount());
        assertEquals(3, scheduler.size());
    }

    @Test
    void spawn_pendingLimitZero_queuesWithoutBound() {
        Scheduler scheduler = scheduler(1, 0);

        for (int i = 0; i < 500; i++) {
            assertTrue(fixture.spawn(scheduler, loop::newPromise).isSuccess(), "spawn " + i + " should be admitted");
        }

        assertCounts(scheduler, 1, 499);
    }

    @Test
    void spawn_concurrencyLimit_jobsMoveFromPendingToActiveToClosed() {
        Scheduler scheduler = scheduler(1, 10_000);
        assertCounts(scheduler, 0, 0);

        Promise<Void> promise1 = loop.newPromise();
        Job<Void> job1 = fixture.spawnJob(scheduler, promise1);
        assertCounts(scheduler, 1, 0);
        assertTrue(job1.isActive());

        Promise<Void> promise2 = loop.newPromise();
        Job<Void> job2 = fixture.spawnJob(scheduler, promise2);
        assertCounts(scheduler, 1, 1);
        assertTrue(job2.isPending());
        assertFalse(job2.isActive());

        promise1.setSuccess(null);
        fixture.runTasks();
        assertSucceeded(job1.join());
        assertCounts(scheduler, 1, 0);
        assertTrue(job1.isClosed());
        assertTrue(job2.isActive());

        promise2.setSuccess(null);
        fixture.runTasks();
        assertSucceeded(job2.join());
        assertCounts(scheduler, 0, 0);
        assertTrue(job2.isClosed());
    }

    @Test
    void pendingJob_taskIsNotCalledUntilItStarts() {
        Scheduler scheduler = scheduler(1, 10_000);
        Promise<Void> first = loop.newPromise();
        fixture.spawnJob(scheduler, first);
        AtomicBoolean called = new AtomicBoolean();

        Job<Void> pending = fixture.spawnJob(scheduler, recording(called, loop.newPromise()));
        assertFalse(called.get());
        assertTrue(pending.isPending());

        first.setSuccess(null);
        fixture.runTasks();
        assertTrue(called.get());
        assertTrue(pending.isActive());
    }

    @Test
    void pendingJobs_startFirstInFirstOut() {
        Scheduler scheduler = scheduler(1, 10_000);
        List<String> started = new ArrayList<>();
        List<Promise<Void>> promises = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String name = "job" + i;
            Promise<Void> promise = loop.newPromise();
            promises.add(promise);
            fixture.spawnJob(scheduler, () -> {
                started.add(name);
                return promise;
            });
        }
        assertEquals(List.of("job0"), started);

        for (Promise<Void> promise : promises) {
            promise.setSuccess(null);
            fixture.runTasks();
        }

        assertEquals(List.of("job0", "job1", "job2", "job3", "job4"), started);
        assertEquals(0, scheduler.size());
    }

    @Test
    void spawn_pendingQueueFull_waitsWithoutAddingJob() {
        Scheduler scheduler = scheduler(1, 1);
        fixture.spawnJob(scheduler, loop.newPromise());
        assertCounts(scheduler, 1, 0);
        fixture.spawnJob(scheduler, loop.newPromise());
        assertCounts(scheduler, 1, 1);
        AtomicBoolean called = new AtomicBoolean();

        Future<Job<Void>> waiting = fixture.spawn(scheduler, recording(called, loop.newPromise()));
        fixture.advanceMillis(1000);

        assertNotDone(waiting);
        assertFalse(called.get());
        assertCounts(scheduler, 1, 1);
        assertEquals(2, scheduler.size());
        assertEquals(2, scheduler.jobs().size());
    }

    @Test
    void waitingSpawn_isAdmittedWhenQueueHasRoom() {
        Scheduler scheduler = scheduler(1, 1);
        List<Promise<Void>> promises = List.of(loop.newPromise(), loop.newPromise(), loop.newPromise());
        List<Future<Job<Void>>> spawns = new ArrayList<>();
        for (Promise<Void> promise : promises) {
            spawns.add(fixture.spawn(scheduler, () -> promise));
        }
        assertEquals(2, scheduler.size());
        assertCounts(scheduler, 1, 1);
        assertNotDone(spawns.get(2));

        promises.get(0).setSuccess(null);
        fixture.runTasks();

        Job<Void> third = assertSucceeded(spawns.get(2));
        assertTrue(third.isPending());
        assertTrue(assertSucceeded(spawns.get(1)).isActive());
        assertEquals(2, scheduler.size());

        promises.forEach(p -> p.trySuccess(null));
        fixture.runTasks();
        for (Future<Job<Void>> spawned : spawns) {
            Job<Void> job = assertSucceeded(spawned);
            assertSucceeded(job.join());
            assertTrue(job.isClosed());
        }
        assertEquals(0, scheduler.size());
        assertCounts(scheduler, 0, 0);
    }

    @Test
    void waitingSpawns_areAdmittedFirstInFirstOut() {
        Scheduler scheduler = scheduler(1, 1);
        Promise<Void> first = loop.newPromise();
        Promise<Void> second = loop.newPromise();
        fixture.spawnJob(scheduler, first);
        fixture.spawnJob(scheduler, second);
        Future<Job<Void>> third = fixture.spawn(scheduler, loop::newPromise);
        Future<Job<Void>> fourth = fixture.spawn(scheduler, loop::newPromise);

        first.setSuccess(null);
        fixture.runTasks();
        assertSucceeded(third);
        assertNotDone(fourth);

        second.setSuccess(null);
        fixture.runTasks();
        assertSucceeded(fourth);
    }

    @Test
    void waitingSpawn_cancelled_isWithdrawnAndTaskNeverCalled() {
        Scheduler scheduler = scheduler(1, 1);
        Promise<Void> first = loop.newPromise();
        Promise<Void> second = loop.newPromise();
        fixture.spawnJob(scheduler, first);
        Job<Void> secondJob = fixture.spawnJob(scheduler, second);
        AtomicBoolean called = new AtomicBoolean();
        Future<Job<Void>> waiting = fixture.spawn(scheduler, recording(called, loop.newPromise()));

        assertTrue(waiting.cancel(false));
        fixture.runTasks();
        first.setSuccess(null);
        fixture.runTasks();

        assertTrue(secondJob.isActive());
        assertEquals(0, scheduler.pendingCount());
        assertEquals(1, scheduler.size());
        assertFalse(called.get());

        second.setSuccess(null);
        fixture.runTasks();
        assertFalse(called.get());
        assertEquals(0, scheduler.size());
        Future<Void> closed = scheduler.waitAndClose();
        fixture.runTasks();
        assertSucceeded(closed);
    }

    @Test
    void waitingSpawn_schedulerClosed_failsWithRejectedExecution() {
        Scheduler scheduler = scheduler(1, 1);
        fixture.spawnJob(scheduler, loop.newPromise());
        fixture.spawnJob(scheduler, loop.newPromise());
        AtomicBoolean called = new AtomicBoolean();
        Future<Job<Void>> waiting = fixture.spawn(scheduler, recording(called, loop.newPromise()));

        Future<Void> closed = fixture.close(scheduler);

        RejectedExecutionException e = assertFailedWith(RejectedExecutionException.class, waiting);
        assertEquals("Scheduling a new job after closing", e.getMessage());
        assertFalse(called.get());
        assertSucceeded(closed);
        assertEquals(0, scheduler.size());
    }

    @Test
    void pendingJob_closed_isDroppedWithoutCallingTask() {
        Scheduler scheduler = scheduler(1, 10_000);
        Promise<Void> first = loop.newPromise();
        Job<Void> job1 = fixture.spawnJob(scheduler, first);
        AtomicBoolean called = new AtomicBoolean();
        Job<Void> job2 = fixture.spawnJob(scheduler, recording(called, loop.newPromise()));
        assertEquals(1, scheduler.activeCount());

        Future<Void> closed = job2.close();
        fixture.runTasks();

        assertSucceeded(closed);
        assertState(job2, CLOSED);
        assertCancelled(job2.join());
        assertEquals(0, scheduler.pendingCount());

        first.setSuccess(null);
        fixture.runTasks();
        assertSucceeded(job1.join());
        assertEquals(0, scheduler.activeCount());
        assertEquals(0, scheduler.size());
        assertFalse(called.get());
        handler.assertNotCalled();
    }

    @Test
    void pendingJob_closed_makesRoomForWaitingSpawn() {
        Scheduler scheduler = scheduler(1, 1);
        fixture.spawnJob(scheduler, loop.newPromise());
        Job<Void> pending = fixture.spawnJob(scheduler, loop.newPromise());
        Future<Job<Void>> waiting = fixture.spawn(scheduler, loop::newPromise);
        assertNotDone(waiting);

        pending.close();
        fixture.runTasks();

        assertTrue(assertSucceeded(waiting).isPending());
        assertEquals(1, scheduler.pendingCount());
    }

    @Test
    void closingActiveJob_startsNextPendingJob() {
        Scheduler scheduler = scheduler(1, 10_000);
        Job<Void> job1 = fixture.spawnJob(scheduler, loop.newPromise());
        Job<Void> job2 = fixture.spawnJob(scheduler, loop.newPromise());

        Future<Void> closed = job1.close();
        fixture.runTasks();

        assertSucceeded(closed);
        assertState(job2, ACTIVE);
    }

    @Test
    void pendingJobs_whoseTasksFail_doNotStallTheQueue() {
        Scheduler scheduler = scheduler(1, 10_000);
        Promise<Void> first = loop.newPromise();
        fixture.spawnJob(scheduler, first);
        IllegalStateException failure = new IllegalStateException("boom");
        Job<Void> throwing = fixture.spawnJob(scheduler, () -> {
            throw failure;
        });
        Job<Void> returningNull = fixture.spawnJob(scheduler, () -> null);
        Promise<Integer> last = loop.newPromise();
        Job<Integer> lastJob = fixture.spawnJob(scheduler, last);

        first.setSuccess(null);
        fixture.runTasks();

        assertTrue(throwing.isClosed());
        assertTrue(returningNull.isClosed());
        assertTrue(lastJob.isActive());
        assertEquals(2, handler.contexts().size(), () -> "" + handler.contexts());
        last.setSuccess(3);
        fixture.runTasks();
        assertEquals(3, assertSucceeded(lastJob.join()));
        assertEquals(0, scheduler.size());
    }

    @Test
    void limitZero_activeCountFollowsRunningJob() {
        Scheduler scheduler = scheduler(0, 10_000);
        Promise<Void> started = loop.newPromise();
        Promise<Void> finish = loop.newPromise();

        Job<Void> job = fixture.spawnJob(scheduler, () -> {
            started.setSuccess(null);
            return finish;
        });
        assertTrue(started.isSuccess());
        assertEquals(1, scheduler.activeCount());

        finish.setSuccess(null);
        fixture.runTasks();
        assertSucceeded(job.join());
        assertEquals(0, scheduler.activeCount());
    }
}
