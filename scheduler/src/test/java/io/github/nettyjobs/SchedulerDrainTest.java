package io.github.nettyjobs;

import io.github.nettyjobs.testing.EventLoops;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;

import static io.github.nettyjobs.FutureAssertions.awaitSuccess;
import static io.github.nettyjobs.Loops.onLoop;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Jobs that complete synchronously must drain iteratively, never by unbounded recursion. */
@Timeout(60)
class SchedulerDrainTest {

    private static final int JOBS = 1_000_000;
    @RegisterExtension
    static final EventLoops LOOPS = new EventLoops();
    private static final EventLoop LOOP = LOOPS.loop();

    @Test
    void millionPendingJobsCompletingSynchronously_drainWithoutStackOverflow() throws Exception {
        RecordingHandler handler = new RecordingHandler();
        Scheduler scheduler = Scheduler.builder().limit(1).pendingLimit(0).exceptionHandler(handler).build(LOOP);
        Promise<Void> first = onLoop(LOOP, LOOP::newPromise);
        AtomicInteger calls = new AtomicInteger();
        Callable<Future<Void>> task = () -> {
            calls.incrementAndGet();
            return LOOP.newSucceededFuture(null);
        };

        Future<Job<Void>> lastSpawned = onLoop(LOOP, 30, () -> {
            scheduler.spawn(() -> first);
            Future<Job<Void>> last = null;
            for (int i = 0; i < JOBS; i++) {
                last = scheduler.spawn(task);
            }
            return last;
        });
        Job<Void> lastJob = awaitSuccess(lastSpawned, 30);
        assertEquals(JOBS, (int) onLoop(LOOP, scheduler::pendingCount));
        assertEquals(0, calls.get());
        LOOP.execute(() -> first.setSuccess(null));

        awaitSuccess(lastJob.join(), 50);
        assertEquals(JOBS, calls.get());
        assertEquals(0, (int) onLoop(LOOP, scheduler::size));
        handler.assertNotCalled();
    }
}
