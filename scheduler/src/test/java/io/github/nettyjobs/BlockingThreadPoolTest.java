package io.github.nettyjobs;

import io.github.nettyjobs.testing.EventLoops;
import io.netty.channel.EventLoop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.github.nettyjobs.FutureAssertions.awaitSuccess;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link BlockingThreadPool}, the platform threads of blocking calls where there are no virtual
 * threads: a thread per call running at once, reused as soon as its call has returned, ended
 * after its keep-alive.
 */
@Timeout(20)
class BlockingThreadPoolTest {

    @RegisterExtension
    static final EventLoops LOOPS = new EventLoops();
    private static final EventLoop loop = LOOPS.loop();

    @Test
    void callsOneAfterTheOther_reuseOneThread_evenWhenTheLoopStartsTheNextAtOnce() throws Exception {
        BlockingThreadPool pool = new BlockingThreadPool("test-blocking-");
        Scheduler scheduler = Scheduler.builder().limit(1).blockingExecutor(pool).build(loop);
        List<Job<String>> jobs = new ArrayList<>();
        // Limit 1: each call starts on the loop the moment the one before has ended.
        for (int i = 0; i < 200; i++) {
            jobs.add(awaitSuccess(scheduler.spawnBlocking(() -> Thread.currentThread().getName())));
        }
        Set<String> threads = new HashSet<>();
        for (Job<String> job : jobs) {
            threads.add(awaitSuccess(job.join()));
        }

        assertEquals(Set.of("test-blocking-1"), threads);
        assertEquals(1, pool.threadCount());
        awaitSuccess(scheduler.close());
    }

    @Test
    void callsAtOnce_getAThreadEach_andLaterCallsReuseThem() throws Exception {
        BlockingThreadPool pool = new BlockingThreadPool("test-blocking-");
        Scheduler scheduler = Scheduler.builder().blockingExecutor(pool).build(loop);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(3);
        List<Job<String>> blocked = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            blocked.add(awaitSuccess(scheduler.spawnBlocking(() -> {
                started.countDown();
                release.await();
                return Thread.currentThread().getName();
            })));
        }
        assertTrue(started.await(5, TimeUnit.SECONDS));
        assertEquals(3, pool.threadCount());
        release.countDown();
        for (Job<String> job : blocked) {
            awaitSuccess(job.join());
        }

        for (int i = 0; i < 20; i++) {
            Job<String> job = awaitSuccess(scheduler.spawnBlocking(() -> Thread.currentThread().getName()));
            assertTrue(awaitSuccess(job.join()).matches("test-blocking-[123]"));
        }
        assertEquals(3, pool.threadCount());
        awaitSuccess(scheduler.close());
    }

    @Test
    void anIdleThread_endsAfterItsKeepAlive_andTheNextCallStartsAnother() throws Exception {
        BlockingThreadPool pool = new BlockingThreadPool("test-blocking-", TimeUnit.MILLISECONDS.toNanos(10));
        CompletableFuture<Thread> first = new CompletableFuture<>();
        pool.execute(() -> first.complete(Thread.currentThread()));
        Thread thread = first.get(5, TimeUnit.SECONDS);

        thread.join(TimeUnit.SECONDS.toMillis(5));

        assertFalse(thread.isAlive(), "an idle thread must end after its keep-alive");
        assertTrue(thread.isDaemon());
        assertEquals(0, pool.threadCount());
        CompletableFuture<String> second = new CompletableFuture<>();
        pool.execute(() -> second.complete(Thread.currentThread().getName()));
        assertEquals("test-blocking-2", second.get(5, TimeUnit.SECONDS));
    }

    @Test
    void aTaskThatThrows_doesNotEndItsThread() throws Exception {
        BlockingThreadPool pool = new BlockingThreadPool("test-blocking-");
        CompletableFuture<Thread> first = new CompletableFuture<>();
        CountDownLatch thrown = new CountDownLatch(1);
        Thread.UncaughtExceptionHandler quiet = (t, e) -> thrown.countDown();
        pool.execute(() -> {
            Thread.currentThread().setUncaughtExceptionHandler(quiet);
            first.complete(Thread.currentThread());
            throw new IllegalStateException("a bug in a task");
        });
        Thread thread = first.get(5, TimeUnit.SECONDS);
        assertTrue(thrown.await(5, TimeUnit.SECONDS));

        assertTrue(thread.isAlive());
        assertEquals(1, pool.threadCount());
    }
}
