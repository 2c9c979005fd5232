package io.github.nettyjobs;

import io.github.nettyjobs.testing.EventLoops;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.github.nettyjobs.FutureAssertions.WAIT_SECONDS;
import static io.github.nettyjobs.FutureAssertions.awaitFailure;
import static io.github.nettyjobs.FutureAssertions.awaitSuccess;
import static io.github.nettyjobs.Loops.onLoop;
import static io.github.nettyjobs.Loops.sync;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The threading contract on a real event loop: collection views only on the loop, every other
 * call from any thread, and futures that complete on the owning loop.
 */
@Timeout(10)
class ConfinementTest {

    @RegisterExtension
    static final EventLoops LOOPS = new EventLoops();
    private static final EventLoop LOOP = LOOPS.loop();

    private final RecordingHandler handler = new RecordingHandler();
    private final Scheduler scheduler = Scheduler.builder().exceptionHandler(handler).build(LOOP);

    /** Waits for {@code future} and tells whether its listeners ran on the scheduler's loop. */
    private boolean completesOnLoop(Future<?> future) throws Exception {
        CompletableFuture<Boolean> onLoop = new CompletableFuture<>();
        future.addListener(f -> onLoop.complete(scheduler.executor().inEventLoop()));
        return onLoop.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    private static void assertOffLoopRejected(Executable call) {
        assertFalse(LOOP.inEventLoop());
        IllegalStateException e = assertThrows(IllegalStateException.class, call);
        assertTrue(String.valueOf(e.getMessage()).toLowerCase().contains("loop"),
                () -> "the message should mention the event loop: " + e.getMessage());
    }

    private <T> Job<T> spawnFromTestThread(Callable<? extends Future<T>> task) throws Exception {
        return awaitSuccess(scheduler.spawn(task));
    }

    @Test
    void iterator_offLoop_throwsIllegalState() {
        assertOffLoopRejected(scheduler::iterator);
    }

    @Test
    void jobs_offLoop_throwsIllegalState() {
        assertOffLoopRejected(scheduler::jobs);
    }

    @Test
    void contains_offLoop_throwsIllegalState() throws Exception {
        Job<Void> job = spawnFromTestThread(LOOP::newPromise);

        assertOffLoopRejected(() -> scheduler.contains(job));
    }

    @Test
    void collectionViews_onLoop_work() throws Exception {
        Job<Void> job = spawnFromTestThread(LOOP::newPromise);

        assertEquals(List.of(job), onLoop(LOOP, scheduler::jobs));
        assertTrue(onLoop(LOOP, () -> scheduler.contains(job)));
        assertSame(job, onLoop(LOOP, () -> scheduler.iterator().next()));
    }

    @Test
    void spawn_offLoop_callsTaskOnLoopAndCompletesOnLoop() throws Exception {
        AtomicBoolean taskOnLoop = new AtomicBoolean();

        Future<Job<Void>> spawned = scheduler.spawn(() -> {
            taskOnLoop.set(LOOP.inEventLoop());
            return LOOP.newPromise();
        });

        assertTrue(completesOnLoop(spawned));
        assertTrue(taskOnLoop.get());
        assertTrue(spawned.getNow().isActive());
    }

    @Test
    void spawn_offLoop_nullArguments_throwNpe() {
        assertThrows(NullPointerException.class, () -> scheduler.spawn((Callable<Future<Void>>) null));
        assertThrows(NullPointerException.class, () -> scheduler.spawn(null, LOOP::newPromise));
    }

    @Test
    void spawn_offLoopAfterClose_failsOnLoopWithRejectedExecution() throws Exception {
        awaitSuccess(scheduler.close());
        AtomicBoolean called = new AtomicBoolean();

        Future<Job<Void>> spawned = scheduler.spawn(() -> {
            called.set(true);
            return LOOP.newPromise();
        });

        assertTrue(completesOnLoop(spawned));
        assertEquals("Scheduling a new job after closing",
                awaitFailure(RejectedExecutionException.class, spawned).getMessage());
        sync(LOOP);
        assertFalse(called.get());
    }

    @Test
    void spawn_onShutDownLoop_failsWithRejectedExecutionWithoutThrowing() throws Exception {
        EventLoop dead = LOOPS.newLoop();
        Scheduler orphan = Scheduler.builder().exceptionHandler(handler).build(dead);
        assertTrue(dead.shutdownGracefully(0, 0, TimeUnit.SECONDS).await(WAIT_SECONDS, TimeUnit.SECONDS));
        AtomicBoolean called = new AtomicBoolean();
        Callable<Future<Void>> task = () -> {
            called.set(true);
            return dead.newSucceededFuture(null);
        };

        Future<Job<Void>> spawned = assertDoesNotThrow(() -> orphan.spawn(task));
        Future<Job<Void>> named = assertDoesNotThrow(() -> orphan.spawn("named", task));

        awaitFailure(RejectedExecutionException.class, spawned);
        awaitFailure(RejectedExecutionException.class, named);
        assertFalse(called.get());
    }

    @Test
    void closeAndWaitAndClose_onShutDownLoop_completeWithoutThrowing() throws Exception {
        EventLoop dead = LOOPS.newLoop();
        Scheduler orphan = Scheduler.builder().exceptionHandler(handler).build(dead);
        Scheduler other = Scheduler.builder().exceptionHandler(handler).build(dead);
        assertTrue(dead.shutdownGracefully(0, 0, TimeUnit.SECONDS).await(WAIT_SECONDS, TimeUnit.SECONDS));

        Future<Void> closed = assertDoesNotThrow(() -> orphan.close());
        Future<Void> waited = assertDoesNotThrow(() -> other.waitAndClose());

        awaitSuccess(closed);
        awaitSuccess(waited);
    }

    @Test
    void close_offLoop_completesOnLoop() throws Exception {
        Promise<Void> promise = onLoop(LOOP, LOOP::newPromise);
        Job<Void> job = spawnFromTestThread(() -> promise);

        Future<Void> closed = scheduler.close();

        assertTrue(completesOnLoop(closed));
        assertTrue(closed.isSuccess());
        assertTrue(promise.isCancelled());
        assertTrue(job.isClosed());
        assertTrue(scheduler.isClosed());
    }

    @Test
    void waitAndClose_offLoop_completesOnLoopAfterJobsEnd() throws Exception {
        Promise<Integer> promise = onLoop(LOOP, LOOP::newPromise);
        Job<Integer> job = spawnFromTestThread(() -> promise);

        Future<Void> closed = scheduler.waitAndClose();
        sync(LOOP);
        assertFalse(closed.isDone());
        LOOP.execute(() -> promise.setSuccess(1));

        assertTrue(completesOnLoop(closed));
        assertTrue(closed.isSuccess());
        assertEquals(1, awaitSuccess(job.join()));
    }

    @Test
    void waitAndCloseWithTimeout_offLoop_closesAfterRealTimeout() throws Exception {
        Promise<Void> promise = onLoop(LOOP, LOOP::newPromise);
        spawnFromTestThread(() -> promise);

        Future<Void> closed = scheduler.waitAndClose(Duration.ofMillis(20));

        assertTrue(completesOnLoop(closed));
        assertTrue(promise.isCancelled());
    }

    @Test
    void join_offLoop_completesOnLoop() throws Exception {
        Promise<String> promise = onLoop(LOOP, LOOP::newPromise);
        Job<String> job = spawnFromTestThread(() -> promise);

        Future<String> joined = job.join();
        LOOP.execute(() -> promise.setSuccess("result"));

        assertTrue(completesOnLoop(joined));
        assertEquals("result", joined.getNow());
    }

    @Test
    void joinWithTimeout_offLoop_failsWithTimeoutOnLoop() throws Exception {
        Promise<String> promise = onLoop(LOOP, LOOP::newPromise);
        Job<String> job = spawnFromTestThread(() -> promise);

        Future<String> joined = job.join(Duration.ofMillis(20));

        assertTrue(completesOnLoop(joined));
        awaitFailure(TimeoutException.class, joined);
        assertTrue(job.isClosed());
    }

    @Test
    void jobClose_offLoop_completesOnLoop() throws Exception {
        Job<Void> job = spawnFromTestThread(LOOP::newPromise);

        Future<Void> closed = job.close();

        assertTrue(completesOnLoop(closed));
        assertTrue(closed.isSuccess());
        assertTrue(job.isClosed());
    }

    @Test
    void shield_offLoop_completesOnLoop() throws Exception {
        Promise<String> inner = onLoop(LOOP, LOOP::newPromise);

        Future<String> shielded = scheduler.shield(inner);
        LOOP.execute(() -> inner.setSuccess("shielded"));

        assertTrue(completesOnLoop(shielded));
        assertEquals("shielded", shielded.getNow());
    }

    @Test
    void shield_offLoopFutureOfOtherLoop_completesOnSchedulersLoop() throws Exception {
        EventLoop other = LOOPS.newLoop();
        try {
            Promise<String> inner = onLoop(other, other::newPromise);

            Future<String> shielded = scheduler.shield(inner);
            sync(LOOP);
            other.execute(() -> inner.setSuccess("elsewhere"));

            assertTrue(completesOnLoop(shielded));
            assertEquals("elsewhere", shielded.getNow());
        } finally {
            EventLoops.shutDown(other);
        }
    }

    @Test
    void shield_offLoopDoneFutureOfOtherExecutor_completesOnSchedulersLoop() throws Exception {
        Future<String> done = ImmediateEventExecutor.INSTANCE.newSucceededFuture("done");

        Future<String> shielded = scheduler.shield(done);

        assertTrue(completesOnLoop(shielded), "a listener of the shield ran off the scheduler's loop");
        assertEquals("done", shielded.getNow());
    }

    @Test
    void readOnlyState_offLoop_isReadable() throws Exception {
        Scheduler limited = Scheduler.builder().limit(1).exceptionHandler(handler).build(LOOP);
        Job<Void> active = awaitSuccess(limited.spawn(LOOP::newPromise));
        Job<Void> pending = awaitSuccess(limited.spawn(LOOP::newPromise));
        sync(LOOP);

        assertEquals(2, limited.size());
        assertEquals(1, limited.activeCount());
        assertEquals(1, limited.pendingCount());
        assertFalse(limited.isClosed());
        assertEquals(1, limited.limit());
        assertTrue(active.isActive());
        assertTrue(pending.isPending());
        assertFalse(pending.isClosed());
        assertTrue(limited.toString().contains("jobs=2"), limited::toString);
        assertTrue(active.toString().contains(active.name()), active::toString);

        awaitSuccess(limited.close());
        sync(LOOP);
        assertTrue(limited.isClosed());
        assertTrue(active.isClosed());
        assertTrue(pending.isClosed());
        assertEquals(0, limited.size());
        assertTrue(limited.toString().contains("closed"), limited::toString);
    }

    @Test
    void waitingSpawn_cancelledOffLoop_isWithdrawnAndTaskNeverCalled() throws Exception {
        Scheduler limited = Scheduler.builder().limit(1).pendingLimit(1).exceptionHandler(handler).build(LOOP);
        Promise<Void> first = onLoop(LOOP, LOOP::newPromise);
        Promise<Void> second = onLoop(LOOP, LOOP::newPromise);
        awaitSuccess(limited.spawn(() -> first));
        Job<Void> secondJob = awaitSuccess(limited.spawn(() -> second));
        AtomicBoolean called = new AtomicBoolean();
        Future<Job<Void>> waiting = limited.spawn(() -> {
            called.set(true);
            return LOOP.newPromise();
        });
        sync(LOOP);
        assertFalse(waiting.isDone());

        waiting.cancel(false);
        LOOP.execute(() -> first.setSuccess(null));
        sync(LOOP);

        assertTrue(waiting.isCancelled());
        assertTrue(secondJob.isActive());
        assertEquals(1, limited.size());
        LOOP.execute(() -> second.setSuccess(null));
        awaitSuccess(limited.waitAndClose());
        assertFalse(called.get());
    }

    /** What the scheduler holds when a cancelled spawn from another thread reaches its loop. */
    enum OnArrival { FREE_SLOT, PENDING_ROOM, FULL_WAITS, FULL_REJECTS, CLOSED }

    @ParameterizedTest
    @EnumSource(OnArrival.class)
    void spawnCancelledOnItsWay_isWithdrawn_taskNeverCalled_nothingRefused(OnArrival situation) throws Exception {
        List<Throwable> refusals = new CopyOnWriteArrayList<>();
        SchedulerListener listener = new SchedulerListener() {
            @Override
            public void spawnRejected(Scheduler scheduler, Throwable reason) {
                refusals.add(reason);
            }
        };
        Scheduler limited = Scheduler.builder().limit(1).pendingLimit(1).listener(listener)
                .rejectWhenFull(situation == OnArrival.FULL_REJECTS).exceptionHandler(handler).build(LOOP);
        Promise<Void> running = onLoop(LOOP, LOOP::newPromise);
        if (situation != OnArrival.FREE_SLOT && situation != OnArrival.CLOSED) {
            awaitSuccess(limited.spawn(() -> running));
        }
        if (situation == OnArrival.FULL_WAITS || situation == OnArrival.FULL_REJECTS) {
            awaitSuccess(limited.spawn(() -> running));
        }
        if (situation == OnArrival.CLOSED) {
            awaitSuccess(limited.close());
        }
        int held = onLoop(LOOP, limited::size);
        CountDownLatch loopBlocked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        LOOP.execute(() -> {
            loopBlocked.countDown();
            awaitQuietly(release);
        });
        assertTrue(loopBlocked.await(WAIT_SECONDS, TimeUnit.SECONDS));
        AtomicBoolean called = new AtomicBoolean();

        Future<Job<Void>> spawned = limited.spawn(() -> {
            called.set(true);
            return LOOP.newPromise();
        });
        assertTrue(spawned.cancel(false));
        release.countDown();
        sync(LOOP);

        assertTrue(spawned.isCancelled());
        assertFalse(called.get());
        assertEquals(List.of(), refusals);
        assertEquals(held, onLoop(LOOP, limited::size));
        LOOP.execute(() -> running.setSuccess(null));
        awaitSuccess(limited.waitAndClose());
        assertFalse(called.get());
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            assertTrue(latch.await(WAIT_SECONDS, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void waitingSpawn_offLoop_schedulerClosed_failsWithRejectedExecution() throws Exception {
        Scheduler limited = Scheduler.builder().limit(1).pendingLimit(1).exceptionHandler(handler).build(LOOP);
        awaitSuccess(limited.spawn(LOOP::newPromise));
        awaitSuccess(limited.spawn(LOOP::newPromise));
        Future<Job<Void>> waiting = limited.spawn(LOOP::newPromise);
        sync(LOOP);
        assertFalse(waiting.isDone());

        awaitSuccess(limited.close());

        assertTrue(completesOnLoop(waiting));
        assertEquals("Scheduling a new job after closing",
                awaitFailure(RejectedExecutionException.class, waiting).getMessage());
    }

    @Test
    void spawn_fromManyThreads_runsEveryTaskOnceOnLoop() throws Exception {
        Scheduler unlimited = Scheduler.builder().limit(0).pendingLimit(0).exceptionHandler(handler).build(LOOP);
        int threads = 4;
        int perThread = 250;
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger offLoopCalls = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Job<Void>>> spawns = new CopyOnWriteArrayList<>();
        List<Thread> spawners = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread spawner = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    spawns.add(unlimited.spawn(() -> {
                        calls.incrementAndGet();
                        if (!LOOP.inEventLoop()) {
                            offLoopCalls.incrementAndGet();
                        }
                        return LOOP.newSucceededFuture(null);
                    }));
                }
            }, "spawner-" + t);
            spawners.add(spawner);
            spawner.start();
        }

        start.countDown();
        for (Thread spawner : spawners) {
            spawner.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            assertFalse(spawner.isAlive());
        }
        for (Future<Job<Void>> spawned : spawns) {
            awaitSuccess(awaitSuccess(spawned).join());
        }
        sync(LOOP);

        assertEquals(threads * perThread, spawns.size());
        assertEquals(threads * perThread, calls.get());
        assertEquals(0, offLoopCalls.get());
        assertEquals(0, unlimited.size());
        handler.assertNotCalled();
    }
}
