package io.github.nettyjobs;

import io.github.nettyjobs.testing.EventLoops;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;
import io.netty.util.concurrent.Promise;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static io.github.nettyjobs.FutureAssertions.assertCancelled;
import static io.github.nettyjobs.FutureAssertions.assertNotDone;
import static io.github.nettyjobs.FutureAssertions.assertSameCause;
import static io.github.nettyjobs.FutureAssertions.assertSucceeded;
import static io.github.nettyjobs.FutureAssertions.awaitSuccess;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The waiters of {@link Job#join()} and {@link Job#close()}: a cancelled join leaves the job
 * alone and leaves its chain at once, and a failure reaches exactly one of a join and the
 * exception handler, even when Netty defers listeners of a deep stack.
 */
class JoinWaitersTest {

    /** Past this depth Netty hands listener notifications to the loop instead of calling them. */
    private static final int DEEPER_THAN_NETTY_NOTIFIES = 16;

    @RegisterExtension
    static final EventLoops LOOPS = new EventLoops();
    @RegisterExtension
    final SchedulerFixture fixture = new SchedulerFixture();
    private final EventLoop loop = fixture.loop();
    private final RecordingHandler handler = fixture.handler();

    @Test
    void cancelledTimedJoin_leavesTheJobRunningWhenItsTimeoutPasses() {
        Scheduler scheduler = fixture.scheduler();
        Promise<String> running = loop.newPromise();
        Job<String> job = fixture.spawnJob(scheduler, running);
        Future<String> joined = job.join(Duration.ofSeconds(5));

        assertTrue(joined.cancel(false));
        fixture.advance(Duration.ofSeconds(6));

        assertTrue(job.isActive(), job::toString);
        assertFalse(running.isDone(), "its work goes on");
        assertFalse(fixture.hasTimers(), "the join's timer left with it");
        running.setSuccess("done");
        fixture.runTasks();
        assertEquals(JobOutcome.SUCCEEDED, job.outcome());
        handler.assertNotCalled();
    }

    @Test
    void cancelledJoins_leaveTheChain_andTheLiveOnesGetTheOutcome() {
        Scheduler scheduler = fixture.scheduler();
        Promise<String> running = loop.newPromise();
        DefaultJob<String> job = (DefaultJob<String>) fixture.spawnJob(scheduler, running);
        Future<String> first = job.join();
        for (int i = 0; i < 10_000; i++) {
            assertTrue(job.join(i % 2 == 0 ? null : Duration.ofHours(1)).cancel(false));
        }
        Future<String> last = job.join();

        assertEquals(2, job.waiterCount(), "only the two live joins are left");
        assertFalse(fixture.hasTimers(), "no timer of a cancelled join is left");
        running.setSuccess("done");
        fixture.runTasks();
        assertEquals("done", assertSucceeded(first));
        assertEquals("done", assertSucceeded(last));
        assertEquals(0, job.waiterCount());
    }

    @Test
    void cancelledJoins_inAnyOrder_unlinkAtOnce() {
        Scheduler scheduler = fixture.scheduler();
        DefaultJob<String> job = (DefaultJob<String>) fixture.spawnJob(scheduler, loop.<String>newPromise());
        List<Future<String>> joins = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            joins.add(job.join());
        }

        joins.get(2).cancel(false); // the middle
        joins.get(0).cancel(false); // the head
        joins.get(4).cancel(false); // the tail

        assertEquals(2, job.waiterCount());
        Future<Void> closed = job.close();
        fixture.runTasks();
        assertSucceeded(closed);
        assertCancelled(joins.get(1));
        assertCancelled(joins.get(3));
        assertEquals(0, job.waiterCount());
    }

    @Test
    @Timeout(10)
    void cancelledJoins_fromAnotherThread_leaveTheChainOnTheLoop() throws Exception {
        EventLoop real = LOOPS.loop();
        Scheduler scheduler = Scheduler.builder().exceptionHandler(handler).build(real);
        Promise<String> running = Loops.onLoop(real, real::newPromise);
        DefaultJob<String> job = (DefaultJob<String>) awaitSuccess(scheduler.spawn(() -> running));
        for (int i = 0; i < 1_000; i++) {
            job.join(Duration.ofHours(1)).cancel(false);
        }
        Future<String> live = job.join();

        assertEquals(1, Loops.onLoop(real, job::waiterCount).intValue());
        real.execute(() -> running.setSuccess("done"));
        assertEquals("done", awaitSuccess(live));
        awaitSuccess(scheduler.close());
        handler.assertNotCalled();
    }

    @Test
    void closeFuture_cannotBeCancelled_theCloseGoesOn() {
        Scheduler scheduler = fixture.builder().closeTimeout(Duration.ofMillis(10)).build(loop);
        Job<Void> stubborn = fixture.spawnJob(scheduler, fixture.uncancellable());
        Future<Void> closed = stubborn.close();

        assertFalse(closed.cancel(false));
        fixture.advanceMillis(10);

        assertEquals(JobOutcome.ABANDONED, stubborn.outcome());
        assertTrue(closed.cause() instanceof java.util.concurrent.TimeoutException, String.valueOf(closed.cause()));
    }

    // ---- a failure delivered once, however deep the listener stack ----

    /** Runs {@code action} inside a chain of listeners deeper than Netty notifies in place. */
    private void deepInAListenerChain(Runnable action) {
        Promise<Void> first = loop.newPromise();
        Promise<Void> last = first;
        for (int i = 0; i < DEEPER_THAN_NETTY_NOTIFIES; i++) {
            Promise<Void> next = loop.newPromise();
            last.addListener(done -> next.setSuccess(null));
            last = next;
        }
        last.addListener(done -> action.run());
        first.setSuccess(null);
        fixture.runTasks();
    }

    @Test
    void jobFailingInsideSpawn_deepInAListenerChain_goesOnlyToTheJoinOfTheSpawnListener() {
        Scheduler scheduler = fixture.scheduler();
        IllegalStateException boom = new IllegalStateException("boom");
        AtomicReference<Future<String>> joined = new AtomicReference<>();

        deepInAListenerChain(() -> scheduler.<String>spawn(() -> loop.newFailedFuture(boom))
                .addListener(joinInto(joined)));

        assertNotNull(joined.get(), "the spawn listener ran");
        assertSameCause(boom, joined.get());
        handler.assertNotCalled();
    }

    @Test
    void jobFailingInsideSpawn_deepInAListenerChain_withoutJoin_isReportedOnce() {
        Scheduler scheduler = fixture.scheduler();
        IllegalStateException boom = new IllegalStateException("boom");
        AtomicReference<Future<String>> spawned = new AtomicReference<>();

        deepInAListenerChain(() -> scheduler.<String>spawn(() -> loop.newFailedFuture(boom))
                .addListener(done -> spawned.set(null)));

        assertEquals(1, handler.contexts().size());
        assertEquals(boom, handler.contexts().get(0).exception());
        assertSucceeded(fixture.close(scheduler));
    }

    @Test
    void waitingSpawnAdmittedAndFailingDeepInAListenerChain_goesOnlyToTheJoinOfItsListener() {
        Scheduler scheduler = fixture.builder().limit(1).pendingLimit(1).build(loop);
        Promise<Void> occupant = loop.newPromise();
        fixture.spawnJob(scheduler, occupant);
        Job<Void> queued = fixture.spawnJob(scheduler, loop.<Void>newPromise());
        IllegalStateException boom = new IllegalStateException("boom");
        AtomicReference<Future<String>> joined = new AtomicReference<>();
        Future<Job<String>> waiting = scheduler.spawn(() -> loop.newFailedFuture(boom));
        waiting.addListener(joinInto(joined));
        assertNotDone(waiting);

        deepInAListenerChain(() -> {
            queued.close(); // the waiting spawn enters the queue
            occupant.setSuccess(null); // and starts, and fails, in the same turn
        });

        assertNotNull(joined.get(), "the spawn listener ran");
        assertSameCause(boom, joined.get());
        handler.assertNotCalled();
    }

    private static <T> GenericFutureListener<Future<Job<T>>> joinInto(
            AtomicReference<Future<T>> joined) {
        return spawned -> joined.set(spawned.getNow().join());
    }
}
