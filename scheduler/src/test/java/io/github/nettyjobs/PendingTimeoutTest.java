package io.github.nettyjobs;

import io.github.nettyjobs.testing.EventLoops;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.github.nettyjobs.FutureAssertions.assertFailedWith;
import static io.github.nettyjobs.FutureAssertions.assertNotDone;
import static io.github.nettyjobs.FutureAssertions.assertSucceeded;
import static io.github.nettyjobs.FutureAssertions.awaitFailure;
import static io.github.nettyjobs.FutureAssertions.awaitSuccess;
import static io.github.nettyjobs.SchedulerAssertions.assertCounts;
import static io.github.nettyjobs.SchedulerAssertions.assertRejected;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code pendingTimeout}: a queue deadline from the spawn call; shedding is never reported as a failure. */
class PendingTimeoutTest {

    @RegisterExtension
    static final EventLoops LOOPS = new EventLoops();
    @RegisterExtension
    final SchedulerFixture fixture = new SchedulerFixture();
    private final EventLoop loop = fixture.loop();
    private final RecordingHandler handler = fixture.handler();
    private final RecordingListener listener = new RecordingListener();
    private final AtomicInteger calls = new AtomicInteger();

    /** One slot, {@code pendingLimit} places in the queue, the given deadline; the slot is taken. */
    private Scheduler busyScheduler(int pendingLimit, Duration pendingTimeout, Promise<Void> occupant) {
        Scheduler scheduler = fixture.builder().limit(1).pendingLimit(pendingLimit).pendingTimeout(pendingTimeout)
                .listener(listener).build(loop);
        fixture.spawnJob(scheduler, occupant);
        return scheduler;
    }

    private Callable<Future<Void>> countingTask() {
        return () -> {
            calls.incrementAndGet();
            return loop.newPromise();
        };
    }

    @Test
    void pendingTimeout_negative_isRejectedNamingTheParameter() {
        assertRejected(IllegalArgumentException.class, "pendingTimeout",
                () -> Scheduler.builder().pendingTimeout(Duration.ofSeconds(-1)));
    }

    @Test
    void pendingTimeout_off_queuedJobsArmNoTimer() {
        Scheduler scheduler = fixture.builder().limit(1).pendingLimit(1).build(loop);
        fixture.spawnJob(scheduler, loop.<Void>newPromise());
        fixture.spawnJob(scheduler, loop.<Void>newPromise());
        fixture.spawn(scheduler, loop::<Void>newPromise); // waits for room

        assertFalse(fixture.hasTimers(), "no option, no timer");
    }

    @Test
    void pendingJob_notStartedByTheDeadline_isDroppedWithoutCallingItsTask() {
        Scheduler scheduler = busyScheduler(10, Duration.ofMillis(10), loop.newPromise());
        Job<Void> queued = assertSucceeded(fixture.spawn(scheduler, countingTask()));
        Future<Void> joined = queued.join();

        fixture.advanceMillis(9);
        assertTrue(queued.isPending());
        fixture.advanceMillis(1);

        assertEquals(0, calls.get());
        assertEquals(JobOutcome.DROPPED, queued.outcome());
        TimeoutException dropped = assertFailedWith(TimeoutException.class, joined);
        assertTrue(dropped.getMessage().contains("dropped"), dropped.getMessage());
        assertCounts(scheduler, 1, 0);
        handler.assertNotCalled(); // load shedding, not a failure
        listener.assertCalls("started job-1", "ended job-2 DROPPED");
        assertEquals(0L, listener.runNanos.get(0), "a job that never started ran for 0 ns");
        assertFalse(fixture.hasTimers());
    }

    @Test
    void waitingSpawn_behindOlderQueuedJobs_entersTheQueueWhenTheyAreDroppedThenIsDroppedItself() {
        Scheduler scheduler = busyScheduler(1, Duration.ofMillis(10), loop.newPromise());
        Job<Void> queued = fixture.spawnJob(scheduler, loop.<Void>newPromise()); // fills the queue
        Future<Job<Void>> waiting = fixture.spawn(scheduler, countingTask());
        assertNotDone(waiting);

        fixture.advanceMillis(10); // both deadlines pass, the older one first

        assertEquals(JobOutcome.DROPPED, queued.outcome());
        Job<Void> admitted = assertSucceeded(waiting); // it entered the queue when the older job left
        assertEquals(JobOutcome.DROPPED, admitted.outcome());
        assertEquals(0, calls.get());
        handler.assertNotCalled();
        listener.assertCalls("started job-1", "ended job-2 DROPPED", "ended job-3 DROPPED");
    }

    /**
     * A spawn waits for room past its deadline only behind younger jobs: spawned from another
     * thread, it reached the loop after a later spawn there took the last place in the queue. The
     * scheduler's clock says the hop took the whole deadline, so its deadline has passed on arrival.
     */
    @Test
    @Timeout(10)
    void waitingSpawn_pastItsDeadlineBehindYoungerJobs_failsAndItsTaskIsNeverCalled() throws Exception {
        EventLoop real = LOOPS.loop();
        ManualClock clock = new ManualClock();
        Scheduler scheduler = clock.applyTo(Scheduler.builder()).limit(1).pendingLimit(1)
                .pendingTimeout(Duration.ofSeconds(10)).exceptionHandler(handler).listener(listener).build(real);
        awaitSuccess(scheduler.spawn(real::newPromise)); // takes the slot
        CountDownLatch olderSpawned = new CountDownLatch(1);
        AtomicReference<Future<Job<Void>>> younger = new AtomicReference<>();
        real.execute(() -> {
            // Holds the loop until the older spawn is on its way, then takes the last place in the queue.
            assertTrue(awaitUninterruptibly(olderSpawned));
            younger.set(scheduler.spawn(real::newPromise));
        });
        Future<Job<Void>> older = scheduler.spawn(() -> {
            calls.incrementAndGet();
            return real.newPromise();
        });
        clock.advance(Duration.ofSeconds(10)); // its whole deadline passes on the way
        olderSpawned.countDown();

        RejectedExecutionException rejected = awaitFailure(RejectedExecutionException.class, older);

        assertTrue(rejected.getMessage().contains("timed out"), rejected.getMessage());
        assertEquals(0, rejected.getStackTrace().length, "a refusal fills in no stack trace");
        Job<Void> youngerJob = awaitSuccess(younger.get());
        assertTrue(youngerJob.isPending(), "its own deadline is 10 s after its own spawn");
        assertEquals(0, calls.get());
        assertEquals(1, listener.rejections.size());
        handler.assertNotCalled();
        awaitSuccess(scheduler.close());
        assertEquals(JobOutcome.CANCELLED, youngerJob.outcome());
    }

    /**
     * Spawns {@code task} from this thread while the loop is held, and moves the clock by
     * {@code hop} before letting go.
     */
    private static <T> Future<Job<T>> spawnWithASlowHop(Scheduler scheduler, ManualClock clock, Duration hop,
                                                        Callable<Future<T>> task) throws Exception {
        CountDownLatch spawned = new CountDownLatch(1);
        CountDownLatch held = new CountDownLatch(1);
        scheduler.executor().execute(() -> {
            held.countDown();
            assertTrue(awaitUninterruptibly(spawned));
        });
        assertTrue(held.await(5, TimeUnit.SECONDS));
        Future<Job<T>> future = scheduler.spawn(task);
        clock.advance(hop);
        spawned.countDown();
        return future;
    }

    @Test
    @Timeout(10)
    void spawnFromAnotherThread_arrivingPastItsDeadline_startsInAFreeSlot_butIsDroppedIfItMustQueue() throws Exception {
        EventLoop real = LOOPS.loop();
        ManualClock clock = new ManualClock();
        Scheduler scheduler = clock.applyTo(Scheduler.builder()).limit(1).pendingTimeout(Duration.ofSeconds(10))
                .exceptionHandler(handler).listener(listener).build(real);

        Duration pastTheDeadline = Duration.ofSeconds(11);
        Job<Void> started = awaitSuccess(spawnWithASlowHop(scheduler, clock, pastTheDeadline, countingTask(real)));
        Job<Void> queued = awaitSuccess(spawnWithASlowHop(scheduler, clock, pastTheDeadline, countingTask(real)));

        assertTrue(started.isActive(), "a free slot is not a saturated scheduler: the spawn starts");
        awaitFailure(TimeoutException.class, queued.join());
        assertEquals(JobOutcome.DROPPED, queued.outcome(), "its deadline had passed when it had to queue");
        assertEquals(1, calls.get());
        handler.assertNotCalled();
        awaitSuccess(scheduler.close());
    }

    private Callable<Future<Void>> countingTask(EventLoop on) {
        return () -> {
            calls.incrementAndGet();
            return on.newPromise();
        };
    }

    private static boolean awaitUninterruptibly(CountDownLatch latch) {
        try {
            return latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Test
    void waitingSpawn_keepsTheDeadlineOfItsSpawnCallWhenItMovesToTheQueue() {
        Promise<Void> occupant = loop.newPromise();
        Scheduler scheduler = busyScheduler(1, Duration.ofMillis(10), occupant);
        Promise<Void> second = loop.newPromise();
        Job<Void> pending = fixture.spawnJob(scheduler, second);
        Future<Job<Void>> waiting = fixture.spawn(scheduler, countingTask());
        fixture.advanceMillis(6);

        occupant.setSuccess(null); // the pending job starts, the waiting spawn enters the queue
        fixture.runTasks();
        Job<Void> third = assertSucceeded(waiting);
        assertTrue(pending.isActive());
        assertTrue(third.isPending());
        fixture.advanceMillis(3);
        assertTrue(third.isPending(), "9 ms after its spawn");
        fixture.advanceMillis(1);

        assertEquals(JobOutcome.DROPPED, third.outcome());
        assertEquals(0, calls.get());
    }

    @Test
    void pendingJob_startedBeforeTheDeadline_runsNormally() {
        Promise<Void> occupant = loop.newPromise();
        Scheduler scheduler = busyScheduler(10, Duration.ofMillis(10), occupant);
        Job<Void> queued = assertSucceeded(fixture.spawn(scheduler, countingTask()));
        fixture.advanceMillis(5);

        occupant.setSuccess(null);
        fixture.advanceMillis(20);

        assertTrue(queued.isActive());
        assertEquals(1, calls.get());
        assertFalse(fixture.hasTimers(), "the queue deadline is cancelled at the start");
    }

    @Test
    void pendingTimeout_zero_dropsWhatMustQueueButStartsWhatCan() {
        Scheduler scheduler = fixture.builder().limit(1).pendingTimeout(Duration.ZERO).listener(listener).build(loop);
        Job<Void> first = fixture.spawnJob(scheduler, countingTask());
        Job<Void> second = assertSucceeded(fixture.spawn(scheduler, countingTask())); // its deadline is due at once

        assertTrue(first.isActive());
        assertEquals(JobOutcome.DROPPED, second.outcome());
        assertEquals(1, calls.get());
        handler.assertNotCalled();
    }

    @Test
    void pendingTimeout_schedulerClosedWhileTimersArePending_cancelsThem() {
        Scheduler scheduler = busyScheduler(1, Duration.ofSeconds(10), loop.newPromise());
        Job<Void> pending = fixture.spawnJob(scheduler, loop.<Void>newPromise());
        Future<Job<Void>> waiting = fixture.spawn(scheduler, countingTask());
        assertTrue(fixture.hasTimers());

        assertSucceeded(fixture.close(scheduler));

        assertFalse(fixture.hasTimers());
        assertEquals(JobOutcome.CANCELLED, pending.outcome());
        assertEquals(Scheduler.CLOSED_MESSAGE,
                assertFailedWith(RejectedExecutionException.class, waiting).getMessage());
        handler.assertNotCalled();
    }

    @Test
    void waitAndClose_completesOnceQueuedJobsAreDropped() {
        Promise<Void> occupant = loop.newPromise();
        Scheduler scheduler = busyScheduler(1, Duration.ofMillis(10), occupant);
        fixture.spawnJob(scheduler, loop.<Void>newPromise());
        Future<Void> closed = scheduler.waitAndClose();
        fixture.advanceMillis(10); // the pending job is dropped
        assertNotDone(closed);

        occupant.setSuccess(null);
        fixture.runTasks();

        assertSucceeded(closed);
    }
}
