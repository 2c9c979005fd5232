package io.github.nettyjobs.reliability;

import io.github.nettyjobs.Job;
import io.github.nettyjobs.Scheduler;
import io.github.nettyjobs.SchedulerGroup;
import io.github.nettyjobs.testing.EventLoops;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Concurrency storms: several threads spawn hundreds of thousands of jobs at one scheduler and
 * at a {@link SchedulerGroup} while the jobs' futures complete on other loops, and closes race
 * in. Every spawn future must complete, every job must have run once, or been dropped, cancelled
 * or rejected, and every failure must have been delivered exactly once ({@link StormLedger}).
 */
class SchedulerStormTest {

    /** Bounded waits; bigger storms (the stress profile) get longer ones. */
    private static final long WAIT_SECONDS = 30 + StressKnobs.stormJobs() / 20_000;
    /** Spawns a thread may have waiting for room at once; more than the pending limit, so spawns do wait. */
    private static final int IN_FLIGHT_PER_THREAD = 2_048;

    @RegisterExtension
    static final EventLoops LOOPS = new EventLoops();
    private static final EventLoopGroup completers = LOOPS.newGroup(2);
    private EventLoop loop;
    private final List<Thread> threads = new ArrayList<>();

    @BeforeEach
    void startLoop() {
        loop = LOOPS.newLoop();
    }

    @AfterEach
    void stopLoop() throws InterruptedException {
        for (Thread thread : threads) {
            thread.interrupt();
            thread.join(TimeUnit.SECONDS.toMillis(10));
        }
        EventLoops.shutDown(loop);
    }

    private static Scheduler.Builder config(StormLedger ledger) {
        // The close timeout only has to outlast a hop between loops; a busy machine may take long.
        return Scheduler.builder().limit(128).pendingLimit(512).closeTimeout(Duration.ofSeconds(30))
                .exceptionHandler(ledger);
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void spawnsFromManyThreads_everyJobRunsExactlyOnce() throws Exception {
        StormLedger ledger = new StormLedger(StressKnobs.stormJobs(), completers);
        Scheduler scheduler = config(ledger).build(loop);

        runSpawners(ledger, i -> scheduler, null);
        ledger.awaitSpawns(WAIT_SECONDS);
        assertTrue(scheduler.waitAndClose().await(WAIT_SECONDS, TimeUnit.SECONDS), "waitAndClose never completed");

        StormLedger.Counts counts = ledger.verify(false, false, WAIT_SECONDS);
        System.out.println("storm, one scheduler: " + counts);
        assertEquals(ledger.total, ledger.ran());
        assertCountsZero(scheduler);
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void closeRacesSpawns_nothingIsLost() throws Exception {
        StormLedger ledger = new StormLedger(StressKnobs.stormJobs(), completers, true);
        Scheduler scheduler = config(ledger).build(loop);
        AtomicReference<Future<Void>> closeFuture = new AtomicReference<>();

        runSpawners(ledger, i -> scheduler, () -> closeFuture.set(scheduler.close()));
        assertTrue(closeFuture.get().await(WAIT_SECONDS, TimeUnit.SECONDS), "close never completed");

        StormLedger.Counts counts = ledger.verify(true, true, WAIT_SECONDS);
        System.out.println("storm, close racing: " + counts);
        assertTrue(counts.cancelled() > 0, "no lingering job was cancelled by close: " + counts);
        assertTrue(closeFuture.get().isSuccess(), "close failed: " + closeFuture.get().cause());
        assertTrue(scheduler.isClosed());
        assertCountsZero(scheduler);
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void schedulerGroup_spawnsFromManyThreads_everyJobRunsExactlyOnce() throws Exception {
        EventLoopGroup loops = LOOPS.newGroup(2);
        try {
            StormLedger ledger = new StormLedger(StressKnobs.stormJobs(), completers);
            SchedulerGroup group = SchedulerGroup.create(loops, config(ledger));

            runSpawners(ledger, i -> group.next(), null);
            ledger.awaitSpawns(WAIT_SECONDS);
            assertTrue(group.waitAndClose().await(WAIT_SECONDS, TimeUnit.SECONDS), "waitAndClose never completed");

            StormLedger.Counts counts = ledger.verify(false, false, WAIT_SECONDS);
            System.out.println("storm, scheduler group: " + counts);
            assertEquals(ledger.total, ledger.ran());
            assertGroupClosed(group);
        } finally {
            EventLoops.shutDown(loops);
        }
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void schedulerGroup_closeRacesSpawns_nothingIsLost() throws Exception {
        EventLoopGroup loops = LOOPS.newGroup(2);
        try {
            StormLedger ledger = new StormLedger(StressKnobs.stormJobs(), completers, true);
            SchedulerGroup group = SchedulerGroup.create(loops, config(ledger));
            AtomicReference<Future<Void>> closeFuture = new AtomicReference<>();

            runSpawners(ledger, i -> group.next(), () -> closeFuture.set(group.close()));
            assertTrue(closeFuture.get().await(WAIT_SECONDS, TimeUnit.SECONDS), "close never completed");

            StormLedger.Counts counts = ledger.verify(true, true, WAIT_SECONDS);
            System.out.println("storm, scheduler group, close racing: " + counts);
            assertTrue(counts.cancelled() > 0, "no lingering job was cancelled by close: " + counts);
            assertTrue(closeFuture.get().isSuccess(), "close failed: " + closeFuture.get().cause());
            assertGroupClosed(group);
        } finally {
            EventLoops.shutDown(loops);
        }
    }

    /**
     * Spawns into a small scheduler while some spawn futures are cancelled at once (racing the
     * admission from another thread) or later by another thread (racing the wait for room), and
     * that thread also closes admitted jobs: a withdrawn spawn never runs, a closed job ends
     * cancelled or dropped (or with the failure its close returns), and the rest run once.
     */
    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void withdrawAndJobCloseRaces_neverRunWithdrawnTasks() throws Exception {
        int total = Math.max(1_000, StressKnobs.stormJobs() / 4);
        StormLedger ledger = new StormLedger(total, completers);
        Scheduler scheduler = Scheduler.builder().limit(4).pendingLimit(4).closeTimeout(Duration.ofSeconds(30))
                .exceptionHandler(ledger).build(loop);
        BlockingQueue<Runnable> chores = new LinkedBlockingQueue<>();
        AtomicInteger withdrawn = new AtomicInteger();
        int threadCount = StressKnobs.stormThreads();
        AtomicInteger spawnersLeft = new AtomicInteger(threadCount);
        Thread meddler = new Thread(() -> {
            try {
                while (spawnersLeft.get() > 0 || !chores.isEmpty()) {
                    Runnable chore = chores.poll(10, TimeUnit.MILLISECONDS);
                    if (chore != null) {
                        chore.run();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "storm-meddler");
        threads.add(meddler);
        meddler.start();

        CountDownLatch start = new CountDownLatch(1);
        for (int t = 0; t < threadCount; t++) {
            int first = t;
            Thread spawner = new Thread(() -> {
                try {
                    start.await();
                    // Few spawns in flight: some are admitted before their cancellation comes.
                    Semaphore inFlight = new Semaphore(8);
                    for (int i = first; i < total; i += threadCount) {
                        if (!inFlight.tryAcquire(WAIT_SECONDS, TimeUnit.SECONDS)) {
                            ledger.violation(Thread.currentThread().getName() + ": spawn futures stayed incomplete for "
                                    + WAIT_SECONDS + " s; stopped spawning");
                            return;
                        }
                        int index = i;
                        Future<Job<Integer>> future = ledger.spawn(scheduler, i);
                        future.addListener(f -> {
                            inFlight.release();
                            if (f.isSuccess() && index % 5 == 4) {
                                chores.add(() -> ledger.close(index));
                            }
                        });
                        Runnable withdraw = () -> {
                            if (ledger.withdraw(index, future)) {
                                withdrawn.incrementAndGet();
                            }
                        };
                        if (i % 6 == 0) {
                            withdraw.run();
                        } else if (i % 6 == 3) {
                            chores.add(withdraw);
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    spawnersLeft.decrementAndGet();
                }
            }, "storm-spawner-" + t);
            threads.add(spawner);
            spawner.start();
        }
        start.countDown();
        ledger.awaitSpawns(WAIT_SECONDS);
        meddler.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        assertTrue(scheduler.waitAndClose().await(WAIT_SECONDS, TimeUnit.SECONDS), "waitAndClose never completed");

        StormLedger.Counts counts = ledger.verify(true, false, WAIT_SECONDS);
        System.out.println("storm, withdrawals and job closes: " + counts);
        assertEquals(withdrawn.get(), counts.withdrawn(), "spawn futures cancelled successfully vs withdrawn spawns");
        assertTrue(counts.withdrawn() > 0, "no spawn was withdrawn: " + counts);
        assertCountsZero(scheduler);
    }

    /**
     * Starts the spawning threads (every seventh job is spawned on its scheduler's loop and joined
     * at once) and waits for them; {@code closeMidway}, if given, runs once half the jobs are
     * spawned, and the threads go on spawning into the closed scheduler.
     */
    private void runSpawners(StormLedger ledger, IntFunction<Scheduler> schedulerFor,
            Runnable closeMidway) throws InterruptedException {
        int total = ledger.total;
        int threadCount = StressKnobs.stormThreads();
        CountDownLatch start = new CountDownLatch(1);
        CountDownLatch halfway = new CountDownLatch(total / 2);
        List<Thread> spawners = new ArrayList<>();
        for (int t = 0; t < threadCount; t++) {
            int first = t;
            Thread spawner = new Thread(() -> {
                try {
                    start.await();
                    Semaphore inFlight = new Semaphore(IN_FLIGHT_PER_THREAD);
                    for (int i = first; i < total; i += threadCount) {
                        Scheduler scheduler = schedulerFor.apply(i);
                        if (i % 7 == 0) {
                            ledger.spawnOnLoopAndJoin(scheduler, i);
                        } else {
                            if (!inFlight.tryAcquire(WAIT_SECONDS, TimeUnit.SECONDS)) {
                                ledger.violation(Thread.currentThread().getName() + ": " + IN_FLIGHT_PER_THREAD
                                        + " spawn futures stayed incomplete for " + WAIT_SECONDS
                                                + " s; stopped spawning");
                                return;
                            }
                            ledger.spawn(scheduler, i).addListener(f -> inFlight.release());
                        }
                        halfway.countDown();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "storm-spawner-" + t);
            spawners.add(spawner);
            threads.add(spawner);
            spawner.start();
        }
        if (closeMidway != null) {
            Thread closer = new Thread(() -> {
                try {
                    halfway.await();
                    closeMidway.run();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "storm-closer");
            threads.add(closer);
            closer.start();
            start.countDown();
            closer.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        } else {
            start.countDown();
        }
        for (Thread spawner : spawners) {
            spawner.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            assertTrue(!spawner.isAlive(), spawner.getName() + " is still spawning after " + WAIT_SECONDS + " s");
        }
    }

    private static void assertCountsZero(Scheduler scheduler) throws Exception {
        int[] counts = scheduler.executor().submit(() -> new int[] {scheduler.size(), scheduler.activeCount(),
                scheduler.pendingCount(), scheduler.jobs().size()}).get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertEquals(0, counts[0], "size");
        assertEquals(0, counts[1], "activeCount");
        assertEquals(0, counts[2], "pendingCount");
        assertEquals(0, counts[3], "jobs()");
        assertTrue(scheduler.isClosed(), "closed");
    }

    private static void assertGroupClosed(SchedulerGroup group) throws Exception {
        assertTrue(group.isClosed(), "group closed");
        assertEquals(0, group.size(), "group size");
        assertEquals(0, group.activeCount(), "group activeCount");
        assertEquals(0, group.pendingCount(), "group pendingCount");
        for (Scheduler scheduler : group) {
            assertCountsZero(scheduler);
        }
    }
}
