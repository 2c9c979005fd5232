package io.github.nettyjobs;

import io.github.nettyjobs.testing.EventLoops;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.MDC;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import static io.github.nettyjobs.FutureAssertions.assertSameCause;
import static io.github.nettyjobs.FutureAssertions.awaitDone;
import static io.github.nettyjobs.FutureAssertions.awaitFailure;
import static io.github.nettyjobs.FutureAssertions.awaitSuccess;
import static io.github.nettyjobs.Loops.onLoop;
import static io.github.nettyjobs.Loops.sync;
import static io.github.nettyjobs.SchedulerAssertions.assertRejected;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Scheduler#spawnBlocking(String, Callable)}: admitted like any job, the call on a blocking
 * thread (never the loop), its outcome delivered on the loop, and closing by interrupt. On a real
 * loop, since blocking threads are real; every wait is bounded and waits for the event itself.
 */
@Timeout(20)
class SpawnBlockingTest {

    @RegisterExtension
    static final EventLoops LOOPS = new EventLoops();
    private static final EventLoop loop = LOOPS.loop();

    private final RecordingHandler handler = new RecordingHandler();
    private final Outcomes outcomes = new Outcomes();
    private final List<Scheduler> schedulers = new ArrayList<>();
    private final List<BlockingCall> calls = new ArrayList<>();

    private Scheduler.Builder builder() {
        return Scheduler.builder().exceptionHandler(handler).listener(outcomes);
    }

    private Scheduler scheduler(Scheduler.Builder builder) {
        Scheduler scheduler = builder.build(loop);
        schedulers.add(scheduler);
        return scheduler;
    }

    private BlockingCall call() {
        BlockingCall call = new BlockingCall(false);
        calls.add(call);
        return call;
    }

    @AfterEach
    void releaseAndClose() throws Exception {
        calls.forEach(BlockingCall::release);
        for (Scheduler scheduler : schedulers) {
            awaitDone(scheduler.close(), 5);
        }
    }

    // ---- where and how the call runs ----

    @Test
    void spawnBlocking_runsTheCallOffTheLoop_andItsValueIsTheJobsResult_deliveredOnTheLoop() throws Exception {
        Scheduler scheduler = scheduler(builder());
        List<String> seen = new CopyOnWriteArrayList<>();

        Job<String> job = awaitSuccess(scheduler.spawnBlocking("lookup", () -> {
            seen.add("call on loop=" + loop.inEventLoop());
            return "found";
        }));
        CompletableFuture<Boolean> joinedOnLoop = new CompletableFuture<>();
        Future<String> joined = job.join().addListener(f -> joinedOnLoop.complete(loop.inEventLoop()));

        assertEquals("found", awaitSuccess(joined));
        assertTrue(joinedOnLoop.get(5, SECONDS), "the outcome must be delivered on the loop");
        assertEquals(List.of("call on loop=false"), seen);
        assertEquals(JobOutcome.SUCCEEDED, outcomes.await(job));
        handler.assertNotCalled();
    }

    @Test
    void spawnBlocking_onTheLoop_startsInsideTheCallAndStillRunsTheCallElsewhere() throws Exception {
        Scheduler scheduler = scheduler(builder());
        BlockingCall call = call();

        Job<String> job = onLoop(loop, () -> {
            Job<String> spawned = scheduler.spawnBlocking("on-loop", call).getNow();
            assertTrue(spawned.isActive());
            return spawned;
        });

        assertNotSame(loop, call.awaitStart());
        call.release();
        assertEquals("released", awaitSuccess(job.join()));
    }

    @Test
    void spawnBlocking_taskThrows_failsTheJobWithThatException() throws Exception {
        Scheduler scheduler = scheduler(builder());
        IllegalStateException failure = new IllegalStateException("no connection");

        Job<String> job = awaitSuccess(scheduler.spawnBlocking("query", () -> {
            throw failure;
        }));

        Future<?> joined = job.join();
        awaitDone(joined, 5);
        assertSameCause(failure, joined);
        assertEquals(JobOutcome.FAILED, outcomes.await(job));
    }

    @Test
    void spawnBlocking_unawaitedFailure_goesToTheExceptionHandler() throws Exception {
        Scheduler scheduler = scheduler(builder());
        IllegalStateException failure = new IllegalStateException("no connection");
        BlockingCall gate = call();

        Job<String> job = awaitSuccess(scheduler.spawnBlocking("query", () -> {
            gate.call(); // so that the job surely ends after its spawn completed
            throw failure;
        }));
        gate.release();

        assertEquals(JobOutcome.FAILED, outcomes.await(job));
        sync(loop); // the report follows the listener in the same loop task
        handler.assertSingleFailure(scheduler, job, failure);
    }

    @Test
    void spawnBlocking_nullArguments_areRejectedNamingTheParameter() {
        Scheduler scheduler = scheduler(builder());
        assertRejected(NullPointerException.class, "task", () -> scheduler.spawnBlocking(null));
        assertRejected(NullPointerException.class, "name", () -> scheduler.spawnBlocking(null, () -> "x"));
        assertRejected(NullPointerException.class, "task", () -> scheduler.spawnBlocking("x", null));
    }

    @Test
    void spawnBlocking_afterClose_failsWithRejectedExecution_andNeverCallsTheTask() throws Exception {
        Scheduler scheduler = scheduler(builder());
        awaitDone(scheduler.close(), 5);
        AtomicInteger called = new AtomicInteger();

        RejectedExecutionException rejected = awaitFailure(RejectedExecutionException.class,
                scheduler.spawnBlocking(called::incrementAndGet));

        assertEquals(Scheduler.CLOSED_MESSAGE, rejected.getMessage());
        assertEquals(0, called.get());
    }

    // ---- admitted like any job ----

    @Test
    void limit_boundsTheCallsRunningAtOnce_andAPendingJobsCallWaitsForASlot() throws Exception {
        Scheduler scheduler = scheduler(builder().limit(1));
        BlockingCall first = call();
        BlockingCall second = call();

        Job<String> running = awaitSuccess(scheduler.spawnBlocking("first", first));
        Job<String> queued = awaitSuccess(scheduler.spawnBlocking("second", second));
        first.awaitStart();
        sync(loop);

        assertTrue(queued.isPending());
        assertFalse(second.started.isDone(), "a pending job's call must not run");
        first.release();
        assertEquals("released", awaitSuccess(running.join()));
        second.awaitStart();
        second.release();
        assertEquals("released", awaitSuccess(queued.join()));
    }

    @Test
    void rejectWhenFull_refusesABlockingSpawnThatFindsTheQueueFull() throws Exception {
        Scheduler scheduler = scheduler(builder().limit(1).pendingLimit(1).rejectWhenFull(true));
        awaitSuccess(scheduler.spawnBlocking("running", call()));
        awaitSuccess(scheduler.spawnBlocking("pending", call()));
        AtomicInteger called = new AtomicInteger();

        RejectedExecutionException rejected = awaitFailure(RejectedExecutionException.class,
                scheduler.spawnBlocking("refused", called::incrementAndGet));

        assertTrue(rejected.getMessage().contains("full"), rejected.getMessage());
        assertEquals(0, called.get());
    }

    @Test
    void pendingTimeout_dropsAPendingBlockingJob_withoutCallingIt() throws Exception {
        Scheduler scheduler = scheduler(builder().limit(1).pendingTimeout(Duration.ofMillis(20)));
        awaitSuccess(scheduler.spawnBlocking("running", call()));
        AtomicInteger called = new AtomicInteger();

        Job<Integer> dropped = awaitSuccess(scheduler.spawnBlocking("dropped", called::incrementAndGet));

        awaitFailure(TimeoutException.class, dropped.join());
        assertEquals(JobOutcome.DROPPED, outcomes.await(dropped));
        assertEquals(0, called.get());
        handler.assertNotCalled();
    }

    // ---- closing interrupts ----

    @Test
    void close_whileTheCallRuns_interruptsItsThread_andTheJobEndsCancelledOnceTheCallReturns() throws Exception {
        Scheduler scheduler = scheduler(builder().closeTimeout(Duration.ofSeconds(10)));
        BlockingCall call = new BlockingCall(/* ignoresInterrupts= */ true);
        calls.add(call);
        Job<String> job = awaitSuccess(scheduler.spawnBlocking("slow", call));
        call.awaitStart();

        Future<Void> closed = job.close();

        assertTrue(call.interrupted.get(5, SECONDS), "closing must interrupt the call's thread");
        sync(loop);
        assertTrue(job.isActive(), "the job runs until its call returns");
        assertFalse(closed.isDone());
        call.release();
        awaitSuccess(closed);
        assertEquals(JobOutcome.CANCELLED, outcomes.await(job));
        assertInstanceOf(CancellationException.class, job.join().await().cause());
        handler.assertNotCalled();
    }

    @Test
    void close_ofACallThatStopsAtTheInterrupt_endsTheJobCancelled_notFailed() throws Exception {
        Scheduler scheduler = scheduler(builder());
        BlockingCall call = call();
        Job<String> job = awaitSuccess(scheduler.spawnBlocking("interruptible", call));
        call.awaitStart();

        awaitSuccess(job.close());

        assertTrue(call.interrupted.get(5, SECONDS));
        assertEquals(JobOutcome.CANCELLED, outcomes.await(job));
        handler.assertNotCalled(); // its InterruptedException is the close's doing, not a failure
    }

    @Test
    void close_beforeTheExecutorRunsTheCall_endsTheJobAtOnce_andTheCallNeverRuns() throws Exception {
        QueueingExecutor executor = new QueueingExecutor();
        Scheduler scheduler = scheduler(builder().blockingExecutor(executor));
        AtomicInteger called = new AtomicInteger();
        Job<Integer> job = awaitSuccess(scheduler.spawnBlocking("queued", called::incrementAndGet));
        Runnable handedOver = executor.tasks.poll(5, SECONDS);

        awaitSuccess(job.close());
        assertEquals(JobOutcome.CANCELLED, outcomes.await(job));
        handedOver.run(); // the executor gets round to it, too late

        sync(loop);
        assertEquals(0, called.get());
    }

    @Test
    void jobTimeout_interruptsTheCall_andTheJobEndsTimedOut() throws Exception {
        Scheduler scheduler = scheduler(builder().jobTimeout(Duration.ofMillis(20)));
        BlockingCall call = call();
        Job<String> job = awaitSuccess(scheduler.spawnBlocking("too-slow", call));

        awaitFailure(TimeoutException.class, job.join());

        assertTrue(call.interrupted.get(5, SECONDS));
        assertEquals(JobOutcome.TIMED_OUT, outcomes.await(job));
    }

    @Test
    void callThatIgnoresTheInterrupt_isAbandonedAfterTheCloseTimeout_andItsLateReturnChangesNothing()
            throws Exception {
        Scheduler scheduler = scheduler(builder());
        BlockingCall call = new BlockingCall(/* ignoresInterrupts= */ true);
        calls.add(call);
        Job<String> job = awaitSuccess(scheduler.spawnBlocking("stubborn", call));
        call.awaitStart();

        awaitFailure(TimeoutException.class, job.close(Duration.ofMillis(20)));
        assertEquals(JobOutcome.ABANDONED, outcomes.await(job));
        assertEquals(0, scheduler.activeCount());
        call.release();
        call.returned.get(5, SECONDS);

        sync(loop);
        assertEquals(JobOutcome.ABANDONED, job.outcome());
        handler.assertNotCalled();
    }

    @Test
    void schedulerClose_interruptsRunningCalls_andDropsPendingJobsUncalled() throws Exception {
        Scheduler scheduler = scheduler(builder().limit(1));
        BlockingCall running = call();
        AtomicInteger called = new AtomicInteger();
        Job<String> active = awaitSuccess(scheduler.spawnBlocking("active", running));
        Job<Integer> pending = awaitSuccess(scheduler.spawnBlocking("pending", called::incrementAndGet));
        running.awaitStart();

        awaitSuccess(scheduler.close());

        assertTrue(running.interrupted.get(5, SECONDS));
        assertEquals(JobOutcome.CANCELLED, outcomes.await(active));
        assertEquals(JobOutcome.CANCELLED, outcomes.await(pending));
        assertEquals(0, called.get());
    }

    @Test
    void waitAndClose_graceRunningOut_interruptsTheCall() throws Exception {
        Scheduler scheduler = scheduler(builder());
        BlockingCall call = call();
        Job<String> job = awaitSuccess(scheduler.spawnBlocking("outlives-the-grace", call));
        call.awaitStart();

        awaitSuccess(scheduler.waitAndClose(Duration.ofMillis(20)));

        assertTrue(call.interrupted.get(5, SECONDS));
        assertEquals(JobOutcome.CANCELLED, outcomes.await(job));
    }

    @Test
    void anInterruptThatComesAsTheCallReturns_doesNotReachTheThreadsNextTask() throws Exception {
        SingleThreadExecutor executor = new SingleThreadExecutor();
        try {
            Scheduler scheduler = scheduler(builder().blockingExecutor(executor).closeTimeout(Duration.ofSeconds(10)));
            BlockingCall stubborn = new BlockingCall(/* ignoresInterrupts= */ true); // returns still interrupted
            calls.add(stubborn);
            Job<String> job = awaitSuccess(scheduler.spawnBlocking("stubborn", stubborn));
            stubborn.awaitStart();
            Future<Void> closed = job.close();
            assertTrue(stubborn.interrupted.get(5, SECONDS));
            stubborn.release();
            awaitSuccess(closed);

            CompletableFuture<Boolean> next = new CompletableFuture<>();
            executor.execute(() -> next.complete(Thread.currentThread().isInterrupted()));

            assertFalse(next.get(5, SECONDS), "the closed call's interrupt leaked into the thread's next task");
            assertSame(stubborn.thread(), executor.thread);
        } finally {
            executor.thread.interrupt();
        }
    }

    // ---- the task decorator ----

    @Test
    void taskDecorator_runsOnTheBlockingThreadAroundTheCall_withTheSpawningThreadsMdc() throws Exception {
        List<String> steps = new CopyOnWriteArrayList<>();
        Scheduler scheduler = scheduler(builder().taskDecorator(start -> {
            Map<String, String> captured = MDC.getCopyOfContextMap();
            steps.add("decorate on loop=" + loop.inEventLoop());
            return () -> {
                steps.add("wrapper on loop=" + loop.inEventLoop());
                MDC.setContextMap(captured);
                try {
                    start.run();
                } finally {
                    MDC.clear();
                }
            };
        }));
        MDC.put("request", "r-17");
        Future<Job<String>> spawned;
        try {
            spawned = scheduler.spawnBlocking("with-context", () -> {
                steps.add("call on loop=" + loop.inEventLoop());
                return MDC.get("request");
            });
        } finally {
            MDC.clear();
        }

        assertEquals("r-17", awaitSuccess(awaitSuccess(spawned).join()));
        assertEquals(List.of("decorate on loop=false", "wrapper on loop=false", "call on loop=false"), steps);
    }

    @Test
    void taskDecoratorThatThrows_failsTheJob_withoutCallingTheTask() throws Exception {
        IllegalStateException bug = new IllegalStateException("decorator bug");
        Scheduler scheduler = scheduler(builder().taskDecorator(start -> {
            throw bug;
        }));
        AtomicInteger called = new AtomicInteger();

        Job<Integer> job = awaitSuccess(scheduler.spawnBlocking("undecorated", called::incrementAndGet));

        Future<?> joined = job.join();
        awaitDone(joined, 5);
        assertSameCause(bug, joined);
        assertEquals(0, called.get());
    }

    @Test
    void taskDecoratorWhoseRunnableNeverRunsTheStart_failsTheJob() throws Exception {
        Scheduler scheduler = scheduler(builder().taskDecorator(start -> () -> { }));
        AtomicInteger called = new AtomicInteger();

        Job<Integer> job = awaitSuccess(scheduler.spawnBlocking("skipped", called::incrementAndGet));

        awaitFailure(IllegalStateException.class, job.join());
        assertEquals(0, called.get());
    }

    // ---- the executor ----

    @Test
    void executorThatRejectsTheCall_failsTheJobWithItsException() throws Exception {
        RejectedExecutionException full = new RejectedExecutionException("blocking pool saturated");
        Scheduler scheduler = scheduler(builder().blockingExecutor(task -> {
            throw full;
        }));

        Job<String> job = awaitSuccess(scheduler.spawnBlocking("refused", () -> "never"));

        Future<?> joined = job.join();
        awaitDone(joined, 5);
        assertSameCause(full, joined);
        assertEquals(JobOutcome.FAILED, outcomes.await(job));
    }

    @Test
    void executorThatRunsTheCallOnTheLoop_failsTheJob_withoutCallingTheTask() throws Exception {
        Scheduler scheduler = scheduler(builder().blockingExecutor(Runnable::run));
        AtomicInteger called = new AtomicInteger();

        Job<Integer> job = awaitSuccess(scheduler.spawnBlocking("inline", called::incrementAndGet));

        IllegalStateException refused = awaitFailure(IllegalStateException.class, job.join());
        assertTrue(refused.getMessage().contains("event loop"), refused.getMessage());
        assertEquals(0, called.get());
    }

    @Test
    void defaultExecutor_isAVirtualThreadPerTaskOnJava21AndLater_elseAPoolOfDaemonThreads() throws Exception {
        Scheduler scheduler = scheduler(builder());

        Thread thread = awaitSuccess(awaitSuccess(scheduler.spawnBlocking(Thread::currentThread)).join());

        assertTrue(thread.getName().startsWith("nettyjobs-blocking-"), thread.getName());
        assertEquals(Runtime.version().feature() >= 21, isVirtual(thread), thread::toString);
        assertTrue(thread.isDaemon());
    }

    @Test
    void platformThreadPool_namesItsDaemonThreadsNettyjobsBlockingN() throws Exception {
        Scheduler scheduler = scheduler(builder().blockingExecutor(DefaultBlockingExecutor.onPlatformThreads()));

        Thread thread = awaitSuccess(awaitSuccess(scheduler.spawnBlocking(Thread::currentThread)).join());

        assertTrue(thread.getName().matches("nettyjobs-blocking-\\d+"), thread.getName());
        assertTrue(thread.isDaemon());
        assertFalse(isVirtual(thread));
    }

    @Test
    void blockingExecutor_null_selectsTheDefault() {
        Executor mine = Runnable::run;
        Scheduler.Builder builder = Scheduler.builder().blockingExecutor(mine);
        assertSame(mine, builder.build(loop).blockingExecutor());
        assertEquals(null, builder.blockingExecutor(null).build(loop).blockingExecutor());
    }

    /** {@code Thread.isVirtual()}, which Java 17 does not have. */
    private static boolean isVirtual(Thread thread) throws Exception {
        try {
            return (Boolean) Thread.class.getMethod("isVirtual").invoke(thread);
        } catch (NoSuchMethodException java17) {
            return false;
        }
    }

    /**
     * A blocking call the test steers: it says when it starts and on which thread, waits until
     * released, and notes whether it was interrupted. One that ignores interrupts keeps waiting,
     * then returns with its thread's interrupt status restored, as well-behaved code does.
     */
    static final class BlockingCall implements Callable<String> {

        final CompletableFuture<Thread> started = new CompletableFuture<>();
        final CompletableFuture<Boolean> interrupted = new CompletableFuture<>();
        final CompletableFuture<Void> returned = new CompletableFuture<>();
        private final CountDownLatch release = new CountDownLatch(1);
        private final boolean ignoresInterrupts;

        BlockingCall(boolean ignoresInterrupts) {
            this.ignoresInterrupts = ignoresInterrupts;
        }

        @Override
        public String call() throws InterruptedException {
            started.complete(Thread.currentThread());
            try {
                return ignoresInterrupts ? awaitIgnoringInterrupts() : awaitRelease();
            } finally {
                returned.complete(null);
            }
        }

        private String awaitRelease() throws InterruptedException {
            try {
                release.await();
                interrupted.complete(false);
                return "released";
            } catch (InterruptedException e) {
                interrupted.complete(true);
                throw e;
            }
        }

        private String awaitIgnoringInterrupts() {
            boolean wasInterrupted = false;
            while (true) {
                try {
                    release.await();
                    break;
                } catch (InterruptedException e) {
                    wasInterrupted = true;
                    interrupted.complete(true);
                }
            }
            if (wasInterrupted) {
                Thread.currentThread().interrupt();
            }
            return "released";
        }

        Thread awaitStart() throws Exception {
            return started.get(5, SECONDS);
        }

        Thread thread() {
            return started.getNow(null);
        }

        void release() {
            release.countDown();
        }
    }

    /** Records each job's outcome as {@code jobEnded} reports it, on the loop. */
    static final class Outcomes implements SchedulerListener {

        private final Map<String, CompletableFuture<JobOutcome>> ended = new ConcurrentHashMap<>();

        @Override
        public void jobEnded(Job<?> job, JobOutcome outcome, long queuedNanos, long runNanos) {
            assertTrue(job.scheduler().executor().inEventLoop());
            of(job).complete(outcome);
        }

        JobOutcome await(Job<?> job) throws Exception {
            return of(job).get(5, SECONDS);
        }

        private CompletableFuture<JobOutcome> of(Job<?> job) {
            return ended.computeIfAbsent(job.name(), name -> new CompletableFuture<>());
        }
    }

    /** Keeps what it is given, for the test to run (or not) on a thread of its choosing. */
    static final class QueueingExecutor implements Executor {

        final BlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();

        @Override
        public void execute(Runnable task) {
            tasks.add(task);
        }
    }

    /**
     * One thread that runs its tasks one after the other and, unlike a {@code ThreadPoolExecutor},
     * leaves the interrupt status as each task left it. Interrupting the thread while it waits for a
     * task stops it.
     */
    static final class SingleThreadExecutor implements Executor {

        private final BlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
        final Thread thread = new Thread(this::work, "single-blocking-thread");

        SingleThreadExecutor() {
            thread.setDaemon(true);
            thread.start();
        }

        private void work() {
            while (true) {
                Runnable task = tasks.poll();
                if (task == null) {
                    try {
                        task = tasks.take();
                    } catch (InterruptedException stopped) {
                        return;
                    }
                }
                task.run();
            }
        }

        @Override
        public void execute(Runnable task) {
            tasks.add(task);
        }
    }
}
