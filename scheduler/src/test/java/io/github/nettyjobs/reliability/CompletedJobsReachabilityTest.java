package io.github.nettyjobs.reliability;

import io.github.nettyjobs.Job;
import io.github.nettyjobs.Scheduler;
import io.github.nettyjobs.testing.EventLoops;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Jobs that ended leave nothing reachable: with the scheduler itself still referenced (open, or
 * closed), only weak references are kept to each job, its task, the future its task returned and
 * the futures handed out for it, and the garbage collector must clear them all.
 */
class CompletedJobsReachabilityTest {

    private static final int JOBS_PER_KIND = 50;
    private static final long WAIT_SECONDS = 10;

    @RegisterExtension
    static final EventLoops LOOPS = new EventLoops();
    private EventLoop loop;
    private EventLoop other;
    private final AtomicInteger reports = new AtomicInteger();

    @BeforeEach
    void startLoops() {
        loop = LOOPS.newLoop();
        other = LOOPS.newLoop();
    }

    @AfterEach
    void stopLoops() throws InterruptedException {
        EventLoops.shutDown(loop);
        EventLoops.shutDown(other);
    }

    private Scheduler newScheduler(boolean debug) {
        return Scheduler.builder().limit(4).pendingLimit(4).closeTimeout(Duration.ofMillis(20)).debug(debug)
                // Counts only: a handler that kept the context would keep the job.
                .exceptionHandler((s, context) -> reports.incrementAndGet())
                .build(loop);
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void endedJobs_ofOpenScheduler_areCollected() throws Exception {
        Scheduler scheduler = newScheduler(false);
        Tracker tracker = new Tracker();
        runEveryKind(scheduler, tracker);
        assertHoldsNoJobs(scheduler);
        tracker.assertAllCollected();
        // The scheduler still works afterwards: the references were dropped, not the state broken.
        assertEquals(42, scheduler.spawn(() -> loop.newSucceededFuture(42)).get(WAIT_SECONDS, TimeUnit.SECONDS)
                .join().get(WAIT_SECONDS, TimeUnit.SECONDS));
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void endedJobs_withSpawnTraces_areCollected() throws Exception {
        Scheduler scheduler = newScheduler(true);
        Tracker tracker = new Tracker();
        runEveryKind(scheduler, tracker);
        assertHoldsNoJobs(scheduler);
        tracker.assertAllCollected();
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void jobsEndedByClose_areCollected_whileSchedulerIsReferenced() throws Exception {
        Scheduler scheduler = newScheduler(false);
        Tracker tracker = new Tracker();
        spawnUnfinished(scheduler, tracker);
        assertTrue(scheduler.close().await(WAIT_SECONDS, TimeUnit.SECONDS), "close never completed");
        assertHoldsNoJobs(scheduler);
        tracker.assertAllCollected();
        assertTrue(scheduler.isClosed());
    }

    /** Spawns jobs of every kind, waits until each has ended, and keeps only weak references. */
    private void runEveryKind(Scheduler scheduler, Tracker tracker) throws Exception {
        List<Future<?>> ends = new ArrayList<>();
        for (int i = 0; i < JOBS_PER_KIND; i++) {
            ends.add(spawnTracked(scheduler, tracker, () -> loop.newSucceededFuture("sync")));
            ends.add(spawnTracked(scheduler, tracker, () -> completedLater(loop, "later")));
            ends.add(spawnTracked(scheduler, tracker, () -> completedLater(other, "elsewhere")));
            ends.add(spawnTracked(scheduler, tracker, () -> loop.newFailedFuture(new IllegalStateException("fails"))));
            ends.add(spawnTracked(scheduler, tracker, () -> {
                throw new IllegalStateException("throws");
            }));
            ends.add(spawnTracked(scheduler, tracker, () -> null));
            ends.add(spawnTracked(scheduler, tracker, () -> scheduler.shield(completedLater(loop, "shielded"))));
            // Joined with a timeout that never fires: its timer must go with the job.
            Future<Job<Object>> joined = scheduler.spawn(tracker.task(() -> completedLater(loop, "joined")));
            Job<Object> job = joined.get(WAIT_SECONDS, TimeUnit.SECONDS);
            tracker.track(job);
            Future<Object> join = job.join(Duration.ofHours(1));
            tracker.track(join);
            ends.add(join);
            // Closed by the caller: dropped while pending or cancelled while active.
            Future<Job<Object>> closed = scheduler.spawn(tracker.task(() -> loop.newPromise()));
            Job<Object> closing = closed.get(WAIT_SECONDS, TimeUnit.SECONDS);
            tracker.track(closing);
            Future<Void> close = closing.close();
            tracker.track(close);
            ends.add(close);
            // A join that times out closes its job.
            Future<Job<Object>> timing = scheduler.spawn(tracker.task(() -> loop.newPromise()));
            Job<Object> timed = timing.get(WAIT_SECONDS, TimeUnit.SECONDS);
            tracker.track(timed);
            Future<Object> timedJoin = timed.join(Duration.ofMillis(1));
            tracker.track(timedJoin);
            ends.add(timedJoin);
        }
        // A spawn withdrawn while it waited for room.
        List<Promise<Object>> blockers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Promise<Object> blocker = loop.newPromise();
            blockers.add(blocker);
            ends.add(spawnTracked(scheduler, tracker, () -> blocker));
        }
        for (int i = 0; i < JOBS_PER_KIND; i++) {
            Future<Job<Object>> waiting = scheduler.spawn(tracker.task(() -> loop.newSucceededFuture("never")));
            tracker.track(waiting);
            waiting.cancel(false);
            ends.add(waiting);
        }
        for (Promise<Object> blocker : blockers) {
            loop.execute(() -> blocker.trySuccess("unblocked"));
        }
        for (Future<?> end : ends) {
            assertTrue(end.await(WAIT_SECONDS, TimeUnit.SECONDS), "a job never ended: " + end);
        }
        waitUntilEmpty(scheduler);
    }

    /** Spawns jobs that never end on their own, in every state: active, pending, waiting for room. */
    private void spawnUnfinished(Scheduler scheduler, Tracker tracker) throws Exception {
        for (int i = 0; i < 4 + 4 + JOBS_PER_KIND; i++) {
            Future<Job<Object>> spawn = scheduler.spawn(tracker.task(() -> loop.newPromise()));
            tracker.track(spawn);
        }
        Promise<Object> shielded = loop.newPromise();
        tracker.track(shielded);
        tracker.track(scheduler.shield(shielded));
        waitUntil(scheduler, () -> scheduler.activeCount() == 4 && scheduler.pendingCount() == 4);
    }

    private Future<Object> spawnTracked(Scheduler scheduler, Tracker tracker, Callable<? extends Future<Object>> task)
            throws Exception {
        Future<Job<Object>> spawn = scheduler.spawn(tracker.task(task));
        Job<Object> job = spawn.get(WAIT_SECONDS, TimeUnit.SECONDS);
        tracker.track(job);
        return job.join();
    }

    private static Promise<Object> completedLater(EventLoop executor, Object value) {
        Promise<Object> promise = executor.newPromise();
        executor.execute(() -> promise.trySuccess(value));
        return promise;
    }

    private void waitUntilEmpty(Scheduler scheduler) throws Exception {
        waitUntil(scheduler, () -> scheduler.size() == 0);
    }

    /** Polls a condition on the loop; each poll is one loop turn, so jobs in progress move on. */
    private static void waitUntil(Scheduler scheduler, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!scheduler.executor().submit(condition).get(WAIT_SECONDS, TimeUnit.SECONDS)) {
            assertTrue(System.nanoTime() < deadline, "condition not met in time: " + scheduler);
        }
    }

    /** The scheduler holds no job once all ended: size, and the jobs snapshot on its loop. */
    private static void assertHoldsNoJobs(Scheduler scheduler) throws Exception {
        int held = scheduler.executor().submit(() -> scheduler.jobs().size() + scheduler.size())
                .get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertEquals(0, held, "jobs still held by " + scheduler);
    }

    /** Weak references to everything of the jobs, and a wait for the garbage collector to clear them. */
    private static final class Tracker {
        private final ReferenceQueue<Object> queue = new ReferenceQueue<>();
        /** Written on the loop (tasks) and by the test thread; references compare by identity. */
        private final Map<Reference<?>, String> live = new ConcurrentHashMap<>();

        void track(Object object) {
            live.put(new WeakReference<>(object, queue), object.getClass().getSimpleName());
        }

        /** Wraps a task so that the task and the future it returns are tracked too. */
        Callable<Future<Object>> task(Callable<? extends Future<Object>> body) {
            Callable<Future<Object>> task = new Callable<>() {
                @Override
                public Future<Object> call() throws Exception {
                    Future<Object> future = body.call();
                    if (future != null) {
                        track(future);
                    }
                    return future;
                }
            };
            track(task);
            return task;
        }

        /** Collects garbage until every tracked object is gone, or fails naming the survivors. */
        void assertAllCollected() throws InterruptedException {
            int tracked = live.size();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            while (!live.isEmpty() && System.nanoTime() < deadline) {
                System.gc();
                for (Reference<?> cleared; (cleared = queue.remove(50)) != null; ) {
                    live.remove(cleared);
                }
            }
            List<String> survivors = new ArrayList<>();
            for (Map.Entry<Reference<?>, String> entry : live.entrySet()) {
                Object survivor = entry.getKey().get();
                survivors.add(survivor == null ? entry.getValue() : survivor.getClass().getSimpleName() + ": "
                        + survivor);
            }
            assertTrue(survivors.isEmpty(), survivors.size() + " of " + tracked + " objects still reachable, e.g. "
                    + survivors.subList(0, Math.min(10, survivors.size())));
        }
    }
}
