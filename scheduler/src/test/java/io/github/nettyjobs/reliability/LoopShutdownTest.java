package io.github.nettyjobs.reliability;

import io.github.nettyjobs.Job;
import io.github.nettyjobs.Scheduler;
import io.github.nettyjobs.testing.EventLoops;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scheduler's loop shuts down while spawns come in or wait for room: every spawn future must
 * still complete, either with its job or failed with a {@link RejectedExecutionException}
 * (as Scheduler.spawn documents: a loop that is shut down gives a failed future, never a hang).
 */
class LoopShutdownTest {

    @RegisterExtension
    static final EventLoops LOOPS = new EventLoops();
    private static final long WAIT_SECONDS = 10;

    /** Regression: a spawn that waits for room when the loop shuts down used to stay incomplete forever. */
    @Test
    @Timeout(value = 1, unit = TimeUnit.MINUTES)
    void spawnWaitingForRoom_whenTheLoopShutsDown_failsInsteadOfHanging() throws Exception {
        EventLoop loop = LOOPS.newLoop();
        Scheduler scheduler = Scheduler.builder().limit(1).pendingLimit(1).build(loop);
        Future<Job<Object>> active = scheduler.spawn(() -> loop.newPromise());
        Future<Job<Object>> pending = scheduler.spawn(() -> loop.newPromise());
        Future<Job<Object>> waiting = scheduler.spawn(() -> loop.newPromise());
        loop.submit(() -> { }).get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertTrue(active.isSuccess() && pending.isSuccess(), "admitted: " + active + ", " + pending);
        assertTrue(!waiting.isDone(), "the third spawn waits for room: " + waiting);

        assertTrue(loop.shutdownGracefully(0, 0, TimeUnit.SECONDS).await(WAIT_SECONDS, TimeUnit.SECONDS),
                "loop stopped");

        assertTrue(waiting.isDone(), "the waiting spawn never completes after its loop terminated: " + waiting);
        assertTrue(waiting.cause() instanceof RejectedExecutionException, "waiting spawn: " + waiting + " "
                + waiting.cause());
    }

    /**
     * Jobs with deadlines still armed when the loop shuts down end at once; nothing waits for a timer that will never
     * fire.
     */
    @Test
    @Timeout(value = 1, unit = TimeUnit.MINUTES)
    void timersPending_whenTheLoopShutsDown_everyJobAndSpawnEnds() throws Exception {
        EventLoop loop = LOOPS.newLoop();
        List<String> outcomes = new java.util.concurrent.CopyOnWriteArrayList<>();
        Scheduler scheduler = Scheduler.builder().limit(1).pendingLimit(1)
                .jobTimeout(java.time.Duration.ofHours(1)).pendingTimeout(java.time.Duration.ofHours(1))
                .listener(new io.github.nettyjobs.SchedulerListener() {
                    @Override
                    public void jobEnded(Job<?> job, io.github.nettyjobs.JobOutcome outcome, long queued, long run) {
                        outcomes.add(job.name() + " " + outcome);
                    }
                })
                .build(loop);
        Job<Object> active = scheduler.spawn("active", () -> loop.newPromise()).get(WAIT_SECONDS, TimeUnit.SECONDS);
        Job<Object> pending = scheduler.spawn("pending", () -> loop.newPromise()).get(WAIT_SECONDS, TimeUnit.SECONDS);
        Future<Job<Object>> waiting = scheduler.spawn("waiting", () -> loop.newPromise());

        assertTrue(loop.shutdownGracefully(0, 0, TimeUnit.SECONDS).await(WAIT_SECONDS, TimeUnit.SECONDS),
                "loop stopped");

        assertTrue(active.isClosed() && pending.isClosed(), active + " " + pending);
        assertTrue(waiting.cause() instanceof RejectedExecutionException, "waiting spawn: " + waiting);
        assertEquals(List.of("pending CANCELLED", "active CANCELLED"), outcomes);
    }

    /** The loop's shutdown closes the scheduler at once: a job that ignores cancellation is abandoned and reported. */
    @Test
    @Timeout(value = 1, unit = TimeUnit.MINUTES)
    void loopShutdown_closesTheScheduler_abandoningJobsThatIgnoreCancellation() throws Exception {
        EventLoop loop = LOOPS.newLoop();
        List<String> reports = new java.util.concurrent.CopyOnWriteArrayList<>();
        Scheduler scheduler = Scheduler.builder().limit(1).pendingLimit(0)
                .closeTimeout(java.time.Duration.ofHours(1))
                .exceptionHandler((s, context) -> reports.add(context.message() + " " + context.job().name()))
                .build(loop);
        io.netty.util.concurrent.Promise<Object> stubborn = loop.newPromise();
        stubborn.setUncancellable();
        Job<Object> active = scheduler.spawn("stubborn", () -> stubborn).get(WAIT_SECONDS, TimeUnit.SECONDS);
        Job<Object> pending = scheduler.spawn("pending", () -> loop.newPromise()).get(WAIT_SECONDS, TimeUnit.SECONDS);
        Future<Void> waitAndClose = scheduler.waitAndClose();

        assertTrue(loop.shutdownGracefully(0, 0, TimeUnit.SECONDS).await(WAIT_SECONDS, TimeUnit.SECONDS),
                "loop stopped");

        assertTrue(scheduler.isClosed(), scheduler.toString());
        assertEquals(0, scheduler.size());
        assertTrue(waitAndClose.isSuccess(), "waitAndClose: " + waitAndClose);
        assertTrue(active.isClosed() && pending.isClosed(), active + " " + pending);
        assertEquals(List.of("Job closing timed out stubborn"), reports);
    }

    /** Threads spawn into a saturated scheduler while its loop shuts down; no spawn future may hang. */
    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void spawnsRacingTheLoopsShutdown_everySpawnFutureCompletes() throws Exception {
        EventLoop loop = LOOPS.newLoop();
        Scheduler scheduler = Scheduler.builder().limit(8).pendingLimit(32).build(loop);
        int threads = StressKnobs.stormThreads();
        int total = Math.max(1_000, StressKnobs.stormJobs() / 10);
        AtomicReferenceArray<Future<Job<Integer>>> futures = new AtomicReferenceArray<>(total);
        CountDownLatch halfway = new CountDownLatch(total / 2);
        List<Thread> spawners = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int first = t;
            Thread spawner = new Thread(() -> {
                for (int i = first; i < total; i += threads) {
                    int value = i;
                    // Half never complete on their own, so that slots fill and spawns wait for room.
                    futures.set(i, scheduler.spawn(() -> value % 2 == 0 ? loop.newPromise()
                            : loop.newSucceededFuture(value)));
                    halfway.countDown();
                }
            }, "shutdown-spawner-" + t);
            spawners.add(spawner);
            spawner.start();
        }
        assertTrue(halfway.await(WAIT_SECONDS, TimeUnit.SECONDS), "spawning stalled");
        loop.shutdownGracefully(0, 0, TimeUnit.SECONDS);
        for (Thread spawner : spawners) {
            spawner.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            assertTrue(!spawner.isAlive(), spawner.getName() + " is stuck");
        }
        assertTrue(loop.terminationFuture().await(WAIT_SECONDS, TimeUnit.SECONDS), "loop stopped");

        int admitted = 0;
        int rejected = 0;
        List<String> hanging = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            Future<Job<Integer>> future = futures.get(i);
            if (!future.isDone()) {
                if (hanging.size() < 10) {
                    hanging.add(i + ": " + future);
                }
                continue;
            }
            if (future.isSuccess()) {
                admitted++;
            } else if (future.cause() instanceof RejectedExecutionException) {
                rejected++;
            } else {
                throw new AssertionError(i + ": spawn failed with " + future.cause());
            }
        }
        System.out.println("loop shutdown racing " + total + " spawns: " + admitted + " admitted, " + rejected
                + " rejected, "
                + (total - admitted - rejected) + " hanging");
        assertEquals(total, admitted + rejected, "spawn futures that never complete, e.g. " + hanging);
    }
}
