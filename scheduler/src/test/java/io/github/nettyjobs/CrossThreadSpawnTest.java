package io.github.nettyjobs;

import io.github.nettyjobs.testing.EventLoops;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Spawns from other threads: each hops onto the loop in the order it was made, ahead of later tasks from the same
 * thread.
 */
@Timeout(30)
class CrossThreadSpawnTest {

    @RegisterExtension
    static final EventLoops LOOPS = new EventLoops();
    private static final EventLoop loop = LOOPS.loop();

    @Test
    void spawnFromAnotherThread_isAdmittedBeforeTasksThatThreadExecutesAfterwards() throws Exception {
        Scheduler scheduler = Scheduler.builder().limit(0).build(loop);
        for (int i = 0; i < 2_000; i++) {
            Future<Job<Object>> spawned = scheduler.spawn(() -> loop.newPromise());
            Future<Boolean> admittedFirst = loop.submit(spawned::isSuccess);
            assertTrue(admittedFirst.get(5, SECONDS), "spawn " + i + " was not admitted before the next task");
        }
        assertEquals(2_000, scheduler.activeCount());
        scheduler.close().get(5, SECONDS);
    }

    @Test
    void spawnsFromManyThreads_startInEachThreadsOrder() throws Exception {
        int threads = 4;
        int perThread = 5_000;
        Scheduler scheduler = Scheduler.builder().limit(0).build(loop);
        List<List<Integer>> started = new ArrayList<>();
        List<List<Future<Job<Object>>>> spawned = new ArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> spawners = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            List<Integer> order = new ArrayList<>(); // written only on the loop
            List<Future<Job<Object>>> futures = new ArrayList<>();
            started.add(order);
            spawned.add(futures);
            Thread spawner = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    int sequence = i;
                    futures.add(scheduler.spawn(() -> {
                        assertTrue(loop.inEventLoop());
                        order.add(sequence);
                        return loop.newSucceededFuture(null);
                    }));
                }
            }, "spawner-" + t);
            spawners.add(spawner);
            spawner.start();
        }
        go.countDown();
        for (Thread spawner : spawners) {
            spawner.join(TimeUnit.SECONDS.toMillis(20));
            assertTrue(!spawner.isAlive(), spawner.getName() + " is stuck");
        }
        for (List<Future<Job<Object>>> futures : spawned) {
            for (Future<Job<Object>> future : futures) {
                assertTrue(future.await(5, SECONDS) && future.isSuccess(), "spawn: " + future);
            }
        }
        List<List<Integer>> snapshot = loop.submit(() -> {
            List<List<Integer>> copy = new ArrayList<>();
            for (List<Integer> order : started) {
                copy.add(new ArrayList<>(order));
            }
            return copy;
        }).get(5, SECONDS);
        for (List<Integer> order : snapshot) {
            assertEquals(perThread, order.size());
            for (int i = 0; i < perThread; i++) {
                assertEquals(i, order.get(i), "a thread's spawns started out of order");
            }
        }
        assertEquals(0, scheduler.size());
        scheduler.close().get(5, SECONDS);
    }
}
