package io.github.nettyjobs;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.github.nettyjobs.FutureAssertions.assertFailedWith;
import static io.github.nettyjobs.FutureAssertions.assertSameCause;
import static io.github.nettyjobs.FutureAssertions.assertSucceeded;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Scheduler#spawn}: admission, names, bad tasks, closed schedulers. */
@Timeout(10)
class SchedulerSpawnTest {

    private final EmbeddedLoop embedded = new EmbeddedLoop();
    private final EventLoop loop = embedded.loop();
    private final RecordingHandler handler = new RecordingHandler();
    private final Scheduler scheduler = Scheduler.builder().exceptionHandler(handler).build(loop);

    @AfterEach
    void tearDown() {
        embedded.close();
    }

    private <T> Job<T> spawnJob(Callable<? extends Future<T>> task) {
        Future<Job<T>> spawned = scheduler.spawn(task);
        embedded.runTasks();
        return assertSucceeded(spawned);
    }

    private static void assertMessageNames(RuntimeException e, String parameter) {
        assertTrue(String.valueOf(e.getMessage()).contains(parameter),
                () -> "message should name " + parameter + ": " + e.getMessage());
    }

    @Test
    void spawn_onLoopWithFreeSlot_callsTaskBeforeReturning() {
        AtomicBoolean called = new AtomicBoolean();

        Future<Job<Void>> spawned = scheduler.spawn(() -> {
            called.set(true);
            return loop.newPromise();
        });

        assertTrue(called.get(), "the job should start inside spawn()");
        embedded.runTasks();
        Job<Void> job = assertSucceeded(spawned);
        assertTrue(job.isActive());
        assertFalse(job.isPending());
        assertFalse(job.isClosed());
        assertEquals(1, scheduler.activeCount());
    }

    @Test
    void spawn_callsTaskExactlyOnce() {
        AtomicInteger calls = new AtomicInteger();
        Promise<Void> promise = loop.newPromise();

        spawnJob(() -> {
            calls.incrementAndGet();
            return promise;
        });
        promise.setSuccess(null);
        embedded.runTasks();

        assertEquals(1, calls.get());
    }

    @Test
    void spawn_withoutName_givesDefaultNamesInSpawnOrder() {
        Job<Void> first = spawnJob(loop::newPromise);
        Job<Void> second = spawnJob(loop::newPromise);

        assertEquals("job-1", first.name());
        assertEquals("job-2", second.name());
    }

    @Test
    void spawn_withoutName_givesNamesUniqueWithinScheduler() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            Promise<Void> promise = loop.newPromise();
            Job<Void> job = spawnJob(() -> promise);
            names.add(job.name());
            promise.setSuccess(null);
            embedded.runTasks();
        }

        assertEquals(50, new HashSet<>(names).size(), names::toString);
    }

    @Test
    void spawn_withName_usesThatName() {
        Future<Job<Void>> spawned = scheduler.spawn("worker", loop::newPromise);
        embedded.runTasks();

        Job<Void> job = assertSucceeded(spawned);
        assertEquals("worker", job.name());
        assertTrue(job.toString().contains("worker"), job::toString);
    }

    @Test
    void setName_renamesJob() {
        Job<Void> job = spawnJob(loop::newPromise);

        job.setName("renamed");

        assertEquals("renamed", job.name());
        assertTrue(job.toString().contains("renamed"), job::toString);
    }

    @Test
    void setName_null_throwsNpeNamingName() {
        Job<Void> job = spawnJob(loop::newPromise);
        String before = job.name();

        assertMessageNames(assertThrows(NullPointerException.class, () -> job.setName(null)), "name");
        assertEquals(before, job.name());
    }

    @Test
    void spawn_nullTask_throwsNpeNamingTask() {
        assertMessageNames(assertThrows(NullPointerException.class,
                () -> scheduler.spawn((Callable<Future<Void>>) null)), "task");
        assertEquals(0, scheduler.size());
    }

    @Test
    void spawn_namedWithNullTask_throwsNpeNamingTask() {
        assertMessageNames(assertThrows(NullPointerException.class,
                () -> scheduler.spawn("named", (Callable<Future<Void>>) null)), "task");
        assertEquals(0, scheduler.size());
    }

    @Test
    void spawn_nullName_throwsNpeNamingNameAndNeverCallsTask() {
        AtomicBoolean called = new AtomicBoolean();

        assertMessageNames(assertThrows(NullPointerException.class, () -> scheduler.spawn(null, () -> {
            called.set(true);
            return loop.newPromise();
        })), "name");
        embedded.runTasks();

        assertFalse(called.get());
        assertEquals(0, scheduler.size());
    }

    @Test
    void spawn_taskThrows_failsJobWithThatException() {
        IllegalStateException failure = new IllegalStateException("boom");
        AtomicReference<Future<Void>> joined = new AtomicReference<>();

        Future<Job<Void>> spawned = scheduler.spawn(() -> {
            throw failure;
        });
        spawned.addListener(f -> joined.set(spawned.getNow().join()));
        embedded.runTasks();

        assertNotNull(joined.get(), "spawn should succeed with a failed job");
        assertSameCause(failure, joined.get());
        assertTrue(assertSucceeded(spawned).isClosed());
        assertEquals(0, scheduler.size());
        handler.assertNotCalled();
    }

    @Test
    void spawn_taskThrowsCheckedException_failsJobWithIt() {
        IOException failure = new IOException("checked");

        Future<Job<Void>> spawned = scheduler.spawn(() -> {
            throw failure;
        });
        embedded.runTasks();

        Job<Void> job = assertSucceeded(spawned);
        assertTrue(job.isClosed());
        ExceptionContext context = handler.single(scheduler);
        assertEquals("Job processing failed", context.message());
        assertEquals(failure, context.exception());
    }

    @Test
    void spawn_taskReturnsNull_failsJobWithNpeSayingTaskReturnedNull() {
        AtomicReference<Future<Void>> joined = new AtomicReference<>();

        Future<Job<Void>> spawned = scheduler.spawn(() -> null);
        spawned.addListener(f -> joined.set(spawned.getNow().join()));
        embedded.runTasks();

        NullPointerException e = assertFailedWith(NullPointerException.class, joined.get());
        String message = String.valueOf(e.getMessage()).toLowerCase();
        assertTrue(message.contains("null") && message.contains("task"), e::getMessage);
        assertEquals(0, scheduler.size());
        handler.assertNotCalled();
    }

    @Test
    void spawn_taskReturnsNullWithoutJoin_reportsNpeToHandler() {
        Future<Job<Void>> spawned = scheduler.spawn(() -> null);
        embedded.runTasks();

        Job<Void> job = assertSucceeded(spawned);
        ExceptionContext context = handler.single(scheduler);
        assertEquals("Job processing failed", context.message());
        assertEquals(job, context.job());
        assertTrue(context.exception() instanceof NullPointerException, () -> "" + context.exception());
    }

    @Test
    void spawn_afterClose_failsWithRejectedExecution() {
        assertSucceeded(closeNow());
        AtomicBoolean called = new AtomicBoolean();

        Future<Job<Void>> spawned = scheduler.spawn(() -> {
            called.set(true);
            return loop.newPromise();
        });
        embedded.runTasks();

        RejectedExecutionException e = assertFailedWith(RejectedExecutionException.class, spawned);
        assertEquals("Scheduling a new job after closing", e.getMessage());
        assertFalse(called.get());
        assertEquals(0, scheduler.size());
    }

    @Test
    void spawnNamed_afterClose_failsWithRejectedExecution() {
        assertSucceeded(closeNow());

        Future<Job<Void>> spawned = scheduler.spawn("late", loop::newPromise);
        embedded.runTasks();

        assertEquals("Scheduling a new job after closing",
                assertFailedWith(RejectedExecutionException.class, spawned).getMessage());
    }

    @Test
    void spawn_whileCloseInProgress_failsWithRejectedExecution() {
        Promise<Void> stubborn = loop.newPromise();
        stubborn.setUncancellable();
        spawnJob(() -> stubborn);
        Future<Void> closing = scheduler.close();
        embedded.runTasks();
        assertFalse(closing.isDone(), "close waits for the uncancellable job");
        assertTrue(scheduler.isClosed());

        Future<Job<Void>> spawned = scheduler.spawn(loop::newPromise);
        embedded.runTasks();

        assertFailedWith(RejectedExecutionException.class, spawned);
        stubborn.setSuccess(null);
        embedded.runTasks();
        assertSucceeded(closing);
    }

    @Test
    void spawn_limitZero_startsEveryJobAtOnce() {
        Scheduler unlimited = Scheduler.builder().limit(0).build(loop);
        List<Promise<Void>> promises = new ArrayList<>();

        for (int i = 0; i < 250; i++) {
            Promise<Void> promise = loop.newPromise();
            promises.add(promise);
            Future<Job<Void>> spawned = unlimited.spawn(() -> promise);
            embedded.runTasks();
            assertTrue(assertSucceeded(spawned).isActive());
        }

        assertEquals(250, unlimited.activeCount());
        assertEquals(0, unlimited.pendingCount());
        promises.forEach(p -> p.setSuccess(null));
        embedded.runTasks();
        assertEquals(0, unlimited.activeCount());
        assertEquals(0, unlimited.size());
    }

    @Test
    void spawn_fromInsideTask_addsSecondJob() {
        AtomicReference<Future<Job<Void>>> inner = new AtomicReference<>();

        Job<Void> outer = spawnJob(() -> {
            inner.set(scheduler.spawn("inner", loop::newPromise));
            return loop.newPromise();
        });
        embedded.runTasks();

        Job<Void> innerJob = assertSucceeded(inner.get());
        assertEquals(2, scheduler.size());
        assertTrue(scheduler.contains(outer));
        assertTrue(scheduler.contains(innerJob));
        assertTrue(innerJob.isActive());
    }

    private Future<Void> closeNow() {
        Future<Void> closed = scheduler.close();
        embedded.runTasks();
        return closed;
    }
}
