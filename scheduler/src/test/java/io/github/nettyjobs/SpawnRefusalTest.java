package io.github.nettyjobs;

import io.github.nettyjobs.testing.EventLoops;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.concurrent.RejectedExecutionException;

import static io.github.nettyjobs.FutureAssertions.assertFailedWith;
import static io.github.nettyjobs.FutureAssertions.assertSucceeded;
import static io.github.nettyjobs.FutureAssertions.awaitFailure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Refused spawns are cheap: every {@link RejectedExecutionException} the scheduler creates for a
 * refusal fills in no stack trace, and keeps its message. (A spawn that times out waiting for room:
 * see {@code PendingTimeoutTest}.)
 */
class SpawnRefusalTest {

    @RegisterExtension
    static final EventLoops LOOPS = new EventLoops();
    @RegisterExtension
    final SchedulerFixture fixture = new SchedulerFixture();
    private final EventLoop loop = fixture.loop();

    private static RejectedExecutionException assertStackless(RejectedExecutionException refusal) {
        assertEquals(0, refusal.getStackTrace().length, () -> "a stack trace was filled in: " + refusal);
        return refusal;
    }

    @Test
    void spawnAfterClose_isRefusedWithoutAStackTrace() {
        Scheduler scheduler = fixture.scheduler();
        assertSucceeded(fixture.close(scheduler));

        RejectedExecutionException refusal = assertFailedWith(RejectedExecutionException.class,
                scheduler.spawn(loop::newPromise));

        assertEquals(Scheduler.CLOSED_MESSAGE, assertStackless(refusal).getMessage());
    }

    @Test
    void waitingSpawn_failedByClose_isRefusedWithoutAStackTrace() {
        Scheduler scheduler = fixture.builder().limit(1).pendingLimit(1).build(loop);
        fixture.spawnJob(scheduler, loop.<Void>newPromise());
        fixture.spawnJob(scheduler, loop.<Void>newPromise());
        Future<Job<Void>> waiting = fixture.spawn(scheduler, loop::<Void>newPromise);

        fixture.close(scheduler);

        RejectedExecutionException refusal = assertFailedWith(RejectedExecutionException.class, waiting);
        assertEquals(Scheduler.CLOSED_MESSAGE, assertStackless(refusal).getMessage());
    }

    @Test
    void spawnFindingTheQueueFull_isRefusedWithoutAStackTrace() {
        Scheduler scheduler = fixture.builder().limit(1).pendingLimit(1).rejectWhenFull(true).build(loop);
        fixture.spawnJob(scheduler, loop.<Void>newPromise());
        fixture.spawnJob(scheduler, loop.<Void>newPromise());

        RejectedExecutionException refusal = assertFailedWith(RejectedExecutionException.class,
                fixture.spawn(scheduler, loop::<Void>newPromise));

        assertTrue(assertStackless(refusal).getMessage().contains("full"), refusal.getMessage());
    }

    @Test
    @Timeout(10)
    void spawnOnAShutDownLoop_isRefusedWithoutAStackTrace() throws Exception {
        EventLoop dead = LOOPS.newLoop();
        Scheduler scheduler = Scheduler.create(dead);
        EventLoops.shutDown(dead);

        RejectedExecutionException refusal = awaitFailure(RejectedExecutionException.class,
                scheduler.spawn(dead::newPromise));

        assertTrue(assertStackless(refusal).getMessage().contains("shut down"), refusal.getMessage());
    }
}
