package io.github.nettyjobs;

import io.github.nettyjobs.testing.EventLoops;
import io.github.nettyjobs.testing.LogCapture;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;

import static io.github.nettyjobs.FutureAssertions.assertFailedWith;
import static io.github.nettyjobs.FutureAssertions.assertSucceeded;
import static io.github.nettyjobs.FutureAssertions.awaitFailure;
import static io.github.nettyjobs.FutureAssertions.awaitSuccess;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link SchedulerListener}: what it is told, when, on which thread, and what happens when it throws. */
class SchedulerListenerTest {

    @RegisterExtension
    static final EventLoops LOOPS = new EventLoops();
    @RegisterExtension
    final SchedulerFixture fixture = new SchedulerFixture();
    private final EventLoop loop = fixture.loop();
    private final RecordingListener listener = new RecordingListener();

    private Scheduler scheduler(int limit) {
        return fixture.builder().limit(limit).closeTimeout(Duration.ofMillis(10)).listener(listener).build(loop);
    }

    @Test
    void listener_hearsEveryOutcome() {
        Scheduler scheduler = scheduler(0);
        fixture.spawnJob(scheduler, () -> loop.newSucceededFuture("ok"));
        fixture.spawnJob(scheduler, () -> loop.newFailedFuture(new IllegalStateException("boom")));
        Job<Void> cancelled = fixture.spawnJob(scheduler, loop.<Void>newPromise());
        Job<Void> stubborn = fixture.spawnJob(scheduler, fixture.uncancellable());
        Future<Void> closedOne = cancelled.close();
        fixture.runTasks();
        assertSucceeded(closedOne);
        Future<Void> closed = stubborn.close();
        fixture.advanceMillis(10);
        assertFailedWith(java.util.concurrent.TimeoutException.class, closed);

        listener.assertCalls(
                "started job-1", "ended job-1 SUCCEEDED",
                "started job-2", "ended job-2 FAILED",
                "started job-3", "started job-4",
                "ended job-3 CANCELLED", "ended job-4 ABANDONED");
        assertEquals(List.of(0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L), listener.queuedNanos, "none of them queued");
        assertEquals(List.of(1L, 1L, 1L, MILLISECONDS.toNanos(10)), listener.runNanos,
                "a job ending at its start ran for 1 ns; the stubborn one until abandoned 10 ms later");
    }

    @Test
    void jobEnded_hearsTheRunTimeOnTheSchedulersClock() {
        Scheduler scheduler = scheduler(1);
        Promise<Void> running = loop.newPromise();
        fixture.spawnJob(scheduler, running);
        fixture.advanceMillis(25);

        running.setSuccess(null);
        fixture.runTasks();

        listener.assertCalls("started job-1", "ended job-1 SUCCEEDED");
        assertEquals(List.of(MILLISECONDS.toNanos(25)), listener.runNanos);
    }

    @Test
    void pendingJobClosed_endsWithoutStartingAndRanForNothing() {
        Scheduler scheduler = scheduler(1);
        fixture.spawnJob(scheduler, loop.<Void>newPromise());
        Job<Void> pending = fixture.spawnJob(scheduler, loop.<Void>newPromise());

        Future<Void> closed = pending.close();
        fixture.runTasks();

        assertSucceeded(closed);
        listener.assertCalls("started job-1", "ended job-2 CANCELLED");
        assertEquals(0L, listener.runNanos.get(0));
    }

    @Test
    void pendingJob_isStartedWhenASlotFrees_withTheTimeItWaited() {
        Scheduler scheduler = scheduler(1);
        Promise<Void> first = loop.newPromise();
        fixture.spawnJob(scheduler, first);
        fixture.spawnJob(scheduler, loop.<Void>newPromise());
        fixture.advanceMillis(7);

        first.setSuccess(null);
        fixture.runTasks();

        listener.assertCalls("started job-1", "ended job-1 SUCCEEDED", "started job-2");
        assertEquals(List.of(0L, 0L, MILLISECONDS.toNanos(7)), listener.queuedNanos,
                "job-1 started at once and ended after 7 ms; job-2 waited those 7 ms");
        assertEquals(List.of(MILLISECONDS.toNanos(7)), listener.runNanos);
    }

    @Test
    void spawnAfterClose_isHeardAsRejected() {
        Scheduler scheduler = scheduler(1);
        assertSucceeded(fixture.close(scheduler));

        Future<Job<Void>> refused = scheduler.spawn(loop::newPromise);

        assertFailedWith(RejectedExecutionException.class, refused);
        listener.assertCalls("rejected " + Scheduler.CLOSED_MESSAGE);
    }

    @Test
    void waitingSpawns_rejectedByClose_areHeardAsRejected() {
        Scheduler scheduler = fixture.builder().limit(1).pendingLimit(1).listener(listener).build(loop);
        fixture.spawnJob(scheduler, loop.<Void>newPromise());
        fixture.spawnJob(scheduler, loop.<Void>newPromise());
        Future<Job<Void>> waiting = fixture.spawn(scheduler, loop::<Void>newPromise);

        fixture.close(scheduler);

        assertFailedWith(RejectedExecutionException.class, waiting);
        assertTrue(listener.calls.contains("rejected " + Scheduler.CLOSED_MESSAGE), listener.calls::toString);
    }

    @Test
    void withdrawnSpawn_isNotARejection() {
        Scheduler scheduler = fixture.builder().limit(1).pendingLimit(1).listener(listener).build(loop);
        fixture.spawnJob(scheduler, loop.<Void>newPromise());
        fixture.spawnJob(scheduler, loop.<Void>newPromise());
        Future<Job<Void>> waiting = fixture.spawn(scheduler, loop::<Void>newPromise);

        assertTrue(waiting.cancel(false));
        fixture.runTasks();

        listener.assertCalls("started job-1");
    }

    @Test
    @Timeout(10)
    void waitingSpawn_withdrawnFromAnotherThreadJustBeforeClose_isNotARejection() throws Exception {
        EventLoop real = LOOPS.loop();
        Scheduler scheduler = Scheduler.builder().limit(1).pendingLimit(1).listener(listener).build(real);
        awaitSuccess(scheduler.spawn(real::newPromise));
        awaitSuccess(scheduler.spawn(real::newPromise));
        Future<Job<Void>> waiting = scheduler.spawn(real::newPromise);
        Loops.sync(real);
        assertFalse(waiting.isDone(), "it waits for room");
        CountDownLatch cancelled = new CountDownLatch(1);
        Future<Future<Void>> closed = real.submit(() -> {
            // The withdrawal is queued behind this task: the close walks the waiting spawns first.
            assertTrue(cancelled.await(5, TimeUnit.SECONDS));
            return scheduler.close();
        });

        assertTrue(waiting.cancel(false));
        cancelled.countDown();
        awaitSuccess(closed.get(5, TimeUnit.SECONDS));
        Loops.sync(real);

        assertTrue(waiting.isCancelled());
        listener.assertCalls("started job-1", "ended job-2 CANCELLED", "ended job-1 CANCELLED");
    }

    @Test
    @Timeout(10)
    void spawnOnAShutDownLoop_isHeardOnTheSpawningThread() throws Exception {
        EventLoop dead = LOOPS.newLoop();
        AtomicBoolean onSpawningThread = new AtomicBoolean();
        Thread test = Thread.currentThread();
        Scheduler scheduler = Scheduler.builder().listener(new SchedulerListener() {
            @Override
            public void spawnRejected(Scheduler s, Throwable reason) {
                onSpawningThread.set(Thread.currentThread() == test);
            }
        }).build(dead);
        EventLoops.shutDown(dead);

        awaitFailure(RejectedExecutionException.class, scheduler.spawn(dead::newPromise));

        assertTrue(onSpawningThread.get(), "no loop is left to call it on");
    }

    @Test
    void listenerThatThrows_isLoggedAndIgnored() {
        Scheduler scheduler = fixture.builder().listener(new SchedulerListener() {
            @Override
            public void jobStarted(Job<?> job, long queuedNanos) {
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void jobEnded(Job<?> job, JobOutcome outcome, long queuedNanos, long runNanos) {
                throw new IllegalStateException("listener bug");
            }
        }).build(loop);
        try (LogCapture logs = LogCapture.start()) {
            Job<String> job = fixture.spawnJob(scheduler, () -> loop.newSucceededFuture("still fine"));

            assertEquals("still fine", assertSucceeded(job.join()));
            assertEquals(2, logs.records(Level.WARNING).size(), () -> logs.text(Level.ALL));
            assertTrue(logs.text(Level.WARNING).contains("listener bug"));
        }
        fixture.handler().assertNotCalled();
    }

    @Test
    void noListener_noClockIsRead() {
        AtomicInteger reads = new AtomicInteger();
        Scheduler scheduler = fixture.builder().limit(1).clock(() -> {
            reads.incrementAndGet();
            return 0;
        }).build(loop);
        Promise<Void> first = loop.newPromise();
        fixture.spawnJob(scheduler, first);
        Job<Void> queued = fixture.spawnJob(scheduler, loop.<Void>newPromise());
        first.setSuccess(null);
        fixture.runTasks();
        assertTrue(queued.isActive());
        assertSucceeded(fixture.close(scheduler));

        assertEquals(0, reads.get());
        assertEquals(null, scheduler.listener());
        assertFalse(scheduler.config.readsClock);
        assertTrue(fixture.builder().listener(listener).build(loop).config.readsClock);
        assertTrue(fixture.builder().pendingTimeout(Duration.ofSeconds(1)).build(loop).config.readsClock);
    }
}
