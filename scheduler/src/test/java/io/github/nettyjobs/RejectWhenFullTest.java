package io.github.nettyjobs;

import io.github.nettyjobs.testing.EventLoops;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

import static io.github.nettyjobs.FutureAssertions.assertFailedWith;
import static io.github.nettyjobs.FutureAssertions.assertSucceeded;
import static io.github.nettyjobs.FutureAssertions.awaitFailure;
import static io.github.nettyjobs.FutureAssertions.awaitSuccess;
import static io.github.nettyjobs.Loops.onLoop;
import static io.github.nettyjobs.SchedulerAssertions.assertCounts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code rejectWhenFull}: a full pending queue fails the spawn at once; nothing waits. */
class RejectWhenFullTest {

    @RegisterExtension
    static final EventLoops LOOPS = new EventLoops();
    @RegisterExtension
    final SchedulerFixture fixture = new SchedulerFixture();
    private final EventLoop loop = fixture.loop();
    private final RecordingListener listener = new RecordingListener();

    @Test
    void rejectWhenFull_default_isFalse() {
        assertFalse(Scheduler.create(loop).rejectWhenFull());
    }

    @Test
    void spawn_withTheQueueFull_failsAtOnceAndNeverCallsTheTask() {
        Scheduler scheduler = fixture.builder().limit(1).pendingLimit(1).rejectWhenFull(true).listener(listener)
                .build(loop);
        fixture.spawnJob(scheduler, loop.<Void>newPromise());
        fixture.spawnJob(scheduler, loop.<Void>newPromise());
        AtomicInteger calls = new AtomicInteger();

        Future<Job<Void>> refused = scheduler.spawn(() -> {
            calls.incrementAndGet();
            return loop.newPromise();
        });

        RejectedExecutionException rejected = assertFailedWith(RejectedExecutionException.class, refused);
        assertTrue(rejected.getMessage().contains("full"), rejected.getMessage());
        assertEquals(0, calls.get());
        assertCounts(scheduler, 1, 1);
        fixture.handler().assertNotCalled();
        listener.assertCalls("started job-1", "rejected " + rejected.getMessage());
    }

    @Test
    void spawn_withRoomOrWithoutLimit_isAdmittedAsUsual() {
        Scheduler bounded = fixture.builder().limit(1).pendingLimit(1).rejectWhenFull(true).build(loop);
        Scheduler unbounded = fixture.builder().limit(1).pendingLimit(0).rejectWhenFull(true).build(loop);

        fixture.spawnJob(bounded, loop.<Void>newPromise());
        assertTrue(fixture.spawnJob(bounded, loop.<Void>newPromise()).isPending());
        for (int i = 0; i < 100; i++) {
            assertSucceeded(fixture.spawn(unbounded, loop::<Void>newPromise));
        }
        assertCounts(unbounded, 1, 99);
    }

    @Test
    @Timeout(10)
    void spawnFromAnotherThread_withTheQueueFull_failsWithoutWaiting() throws Exception {
        EventLoop real = LOOPS.loop();
        Scheduler scheduler = Scheduler.builder().limit(1).pendingLimit(1).rejectWhenFull(true).build(real);
        awaitSuccess(scheduler.spawn(real::newPromise));
        awaitSuccess(scheduler.spawn(real::newPromise));

        RejectedExecutionException rejected = awaitFailure(RejectedExecutionException.class,
                scheduler.spawn(real::newPromise));

        assertTrue(rejected.getMessage().contains("full"));
        assertEquals(2, (int) onLoop(real, scheduler::size));
    }
}
