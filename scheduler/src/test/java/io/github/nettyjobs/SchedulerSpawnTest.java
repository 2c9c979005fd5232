package io.github.nettyjobs;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

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
import static io.github.nettyjobs.RecordingHandler.JOB_FAILED;
import static io.github.nettyjobs.SchedulerAssertions.State.ACTIVE;
import static io.github.nettyjobs.SchedulerAssertions.assertCounts;
import static io.github.nettyjobs.SchedulerAssertions.assertRejected;
import static io.github.nettyjobs.SchedulerAssertions.assertState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Scheduler#spawn}: admission, names, bad tasks, closed schedulers. */
@Timeout(10)
class SchedulerSpawnTest {

    @RegisterExtension
    final SchedulerFixture fixture = new SchedulerFixture();
    private final EventLoop loop = fixture.loop();
    private final RecordingHandler handler = fixture.handler();
    private final Scheduler scheduler = fixture.scheduler();

    @Test
    void spawn_onLoopWithFreeSlot_callsTaskBeforeReturning() {
        AtomicBoolean called = new AtomicBoolean();

        Future<Job<Void>> spawned = scheduler.spawn(() -> {
            called.set(true);
            return loop.newPromise();
        });

        assertTrue(called.get(), "the job should start inside spawn()");
        fixture.runTasks();
        Job<Void> job = assertSucceeded(spawned);
        assertState(job, ACTIVE);
        assertEquals(1, scheduler.activeCount());
    }

    @Test
    void spawn_callsTaskExactlyOnce() {
        AtomicInteger calls = new AtomicInteger();
        Promise<Void> promise = loop.newPromise();

        fixture.spawnJob(scheduler, () -> {
            calls.incrementAndGet();
            return promise;
        });
        promise.setSuccess(null);
        fixture.runTasks();

        assertEquals(1, calls.get());
    }

    @Test
    void spawn_withoutName_givesDefaultNamesInSpawnOrder() {
        Job<Void> first = fixture.spawnJob(scheduler, loop::newPromise);
        Job<Void> second = fixture.spawnJob(scheduler, loop::newPromise);

        assertEquals("job-1", first.name());
        assertEquals("job-2", second.name());
    }

    @Test
    void spawn_withoutName_givesNamesUniqueWithinScheduler() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            Promise<Void> promise = loop.newPromise();
            Job<Void> job = fixture.spawnJob(scheduler, () -> promise);
            names.add(job.name());
            promise.setSuccess(null);
            fixture.runTasks();
        }

        assertEquals(50, new HashSet<>(names).size(), names::toString);
    }

    @Test
    void spawn_withName_usesThatName() {
        Future<Job<Void>> spawned = scheduler.spawn("worker", loop::newPromise);
        fixture.runTasks();

        Job<Void> job = assertSucceeded(spawned);
        assertEquals("worker", job.name());
        assertTrue(job.toString().contains("worker"), job::toString);
    }

    @Test
    void setName_renamesJob() {
        Job<Void> job = fixture.spawnJob(scheduler, loop::newPromise);

        job.setName("renamed");

        assertEquals("renamed", job.name());
        assertTrue(job.toString().contains("renamed"), job::toString);
    }

    @Test
    void setName_null_throwsNpeNamingName() {
        Job<Void> job = fixture.spawnJob(scheduler, loop::newPromise);
        String before = job.name();

        assertRejected(NullPointerException.class, "name", () -> job.setName(null));
        assertEquals(before, job.name());
    }

    @Test
    void spawn_nullTask_throwsNpeNamingTask() {
        assertRejected(NullPointerException.class, "task",
                () -> scheduler.spawn((Callable<Future<Void>>) null));
        assertEquals(0, scheduler.size());
    }

    @Test
    void spawn_namedWithNullTask_throwsNpeNamingTask() {
        assertRejected(NullPointerException.class, "task",
                () -> scheduler.spawn("named", (Callable<Future<Void>>) null));
        assertEquals(0, scheduler.size());
    }

    @Test
    void spawn_nullName_throwsNpeNamingNameAndNeverCallsTask() {
        AtomicBoolean called = new AtomicBoolean();

        assertRejected(NullPointerException.class, "name", () -> scheduler.spawn(null, () -> {
            called.set(true);
            return loop.newPromise();
        }));
        fixture.runTasks();

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
        fixture.runTasks();

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
        fixture.runTasks();

        Job<Void> job = assertSucceeded(spawned);
        assertTrue(job.isClosed());
        assertEquals(failure, handler.single(scheduler, JOB_FAILED).exception());
    }

    @Test
    void spawn_taskReturnsNull_failsJobWithNpeSayingTaskReturnedNull() {
        AtomicReference<Future<Void>> joined = new AtomicReference<>();

        Future<Job<Void>> spawned = scheduler.spawn(() -> null);
        spawned.addListener(f -> joined.set(spawned.getNow().join()));
        fixture.runTasks();

        NullPointerException e = assertFailedWith(NullPointerException.class, joined.get());
        String message = String.valueOf(e.getMessage()).toLowerCase();
        assertTrue(message.contains("null") && message.contains("task"), e::getMessage);
        assertEquals(0, scheduler.size());
        handler.assertNotCalled();
    }

    @Test
    void spawn_taskReturnsNullWithoutJoin_reportsNpeToHandler() {
        Future<Job<Void>> spawned = scheduler.spawn(() -> null);
        fixture.runTasks();

        Job<Void> job = assertSucceeded(spawned);
        ExceptionContext context = handler.single(scheduler, JOB_FAILED);
        assertEquals(job, context.job());
        assertTrue(context.exception() instanceof NullPointerException, () -> "" + context.exception());
    }

    @Test
    void spawn_afterClose_failsWithRejectedExecution() {
        assertSucceeded(fixture.close(scheduler));
        AtomicBoolean called = new AtomicBoolean();

        Future<Job<Void>> spawned = scheduler.spawn(() -> {
            called.set(true);
            return loop.newPromise();
        });
        fixture.runTasks();

        RejectedExecutionException e = assertFailedWith(RejectedExecutionException.class, spawned);
        assertEquals("Scheduling a new job after closing", e.getMessage());
        assertFalse(called.get());
        assertEquals(0, scheduler.size());
    }

    @Test
    void spawnNamed_afterClose_failsWithRejectedExecution() {
        assertSucceeded(fixture.close(scheduler));

        Future<Job<Void>> spawned = scheduler.spawn("late", loop::newPromise);
        fixture.runTasks();

        assertEquals("Scheduling a new job after closing",
                assertFailedWith(RejectedExecutionException.class, spawned).getMessage());
    }

    @Test
    void spawn_whileCloseInProgress_failsWithRejectedExecution() {
        Promise<Void> stubborn = fixture.uncancellable();
        fixture.spawnJob(scheduler, () -> stubborn);
        Future<Void> closing = fixture.close(scheduler);
        assertFalse(closing.isDone(), "close waits for the uncancellable job");
        assertTrue(scheduler.isClosed());

        Future<Job<Void>> spawned = scheduler.spawn(loop::newPromise);
        fixture.runTasks();

        assertFailedWith(RejectedExecutionException.class, spawned);
        stubborn.setSuccess(null);
        fixture.runTasks();
        assertSucceeded(closing);
    }

    @Test
    void spawn_limitZero_startsEveryJobAtOnce() {
        Scheduler unlimited = Scheduler.builder().limit(0).build(loop);
        List<Promise<Void>> promises = new ArrayList<>();

        for (int i = 0; i < 250; i++) {
            Promise<Void> promise = loop.newPromise();
            promises.add(promise);
            assertTrue(fixture.spawnJob(unlimited, promise).isActive());
        }

        assertCounts(unlimited, 250, 0);
        promises.forEach(p -> p.setSuccess(null));
        fixture.runTasks();
        assertEquals(0, unlimited.activeCount());
        assertEquals(0, unlimited.size());
    }

    @Test
    void spawn_fromInsideTask_addsSecondJob() {
        AtomicReference<Future<Job<Void>>> inner = new AtomicReference<>();

        Job<Void> outer = fixture.spawnJob(scheduler, () -> {
            inner.set(scheduler.spawn("inner", loop::newPromise));
            return loop.newPromise();
        });
        fixture.runTasks();

        Job<Void> innerJob = assertSucceeded(inner.get());
        assertEquals(2, scheduler.size());
        assertTrue(scheduler.contains(outer));
        assertTrue(scheduler.contains(innerJob));
        assertTrue(innerJob.isActive());
    }
}
