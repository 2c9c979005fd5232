package io.github.nettyjobs;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static io.github.nettyjobs.FutureAssertions.assertCancelled;
import static io.github.nettyjobs.FutureAssertions.assertNotDone;
import static io.github.nettyjobs.FutureAssertions.assertSameCause;
import static io.github.nettyjobs.FutureAssertions.assertSucceeded;
import static io.github.nettyjobs.SchedulerAssertions.assertRejected;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Scheduler#shield}: the result passes through, cancellation does not, the scheduler tracks it. */
@Timeout(10)
class ShieldTest {

    @RegisterExtension
    final SchedulerFixture fixture = new SchedulerFixture();
    private final EventLoop loop = fixture.loop();
    private final RecordingHandler handler = fixture.handler();
    private final Scheduler scheduler = fixture.scheduler();

    @Test
    void shield_completesWithTheFuturesResult() {
        Promise<String> inner = loop.newPromise();

        Future<String> shielded = scheduler.shield(inner);
        fixture.runTasks();
        assertNotDone(shielded);
        inner.setSuccess("TEST");
        fixture.runTasks();

        assertEquals("TEST", assertSucceeded(shielded));
    }

    @Test
    void shield_alreadyCompletedFuture_completesWithItsResult() {
        Future<String> shielded = scheduler.shield(loop.newSucceededFuture("done"));
        fixture.runTasks();

        assertEquals("done", assertSucceeded(shielded));
        assertSucceeded(fixture.close(scheduler));
    }

    @Test
    void shield_failingFuture_failsWithSameException() {
        Promise<String> inner = loop.newPromise();
        RuntimeException failure = new RuntimeException("boom");

        Future<String> shielded = scheduler.shield(inner);
        inner.setFailure(failure);
        fixture.runTasks();

        assertSameCause(failure, shielded);
    }

    @Test
    void shield_returnedFutureCancelled_innerFutureKeepsRunning() {
        Promise<String> inner = loop.newPromise();
        Future<String> shielded = scheduler.shield(inner);

        shielded.cancel(false);
        fixture.runTasks();

        assertTrue(shielded.isCancelled());
        assertFalse(inner.isDone(), "cancelling the shield must not cancel the shielded future");
        inner.setSuccess("finished");
        fixture.runTasks();
        assertEquals("finished", assertSucceeded(inner));
    }

    @Test
    void shield_returnedFutureCancelled_waitAndCloseStillWaitsForInner() {
        Promise<String> inner = loop.newPromise();
        scheduler.shield(inner).cancel(false);

        Future<Void> closed = scheduler.waitAndClose();
        fixture.advanceMillis(1000);
        assertNotDone(closed);
        assertFalse(scheduler.isClosed());

        inner.setSuccess("finished");
        fixture.runTasks();
        assertSucceeded(closed);
        assertTrue(scheduler.isClosed());
    }

    @Test
    void shield_doneFuture_isNoLongerTracked() {
        Promise<String> inner = loop.newPromise();
        scheduler.shield(inner);
        inner.setSuccess("done");
        fixture.runTasks();

        Future<Void> closed = scheduler.waitAndClose();
        fixture.runTasks();

        assertSucceeded(closed);
    }

    @Test
    void close_cancelsShieldedFuture() {
        Promise<String> inner = loop.newPromise();
        Future<String> shielded = scheduler.shield(inner);

        Future<Void> closed = fixture.close(scheduler);

        assertSucceeded(closed);
        assertTrue(inner.isCancelled());
        assertCancelled(shielded);
        handler.assertNotCalled();
    }

    @Test
    void close_uncancellableShieldedFuture_waitsUpToCloseTimeout() {
        Scheduler scheduler = fixture.builder().closeTimeout(Duration.ofMillis(20)).build(loop);
        Promise<String> inner = loop.newPromise();
        inner.setUncancellable();
        scheduler.shield(inner);

        Future<Void> closed = scheduler.close();
        fixture.advanceMillis(19);
        assertNotDone(closed);
        fixture.advanceMillis(1);

        assertSucceeded(closed);
    }

    @Test
    void close_uncancellableShieldedFuture_completesWhenItEnds() {
        Scheduler scheduler = fixture.builder().closeTimeout(Duration.ofMillis(20)).build(loop);
        Promise<String> inner = loop.newPromise();
        inner.setUncancellable();
        Future<String> shielded = scheduler.shield(inner);

        Future<Void> closed = scheduler.close();
        fixture.advanceMillis(10);
        assertNotDone(closed);
        inner.setSuccess("finished");
        fixture.runTasks();

        assertSucceeded(closed);
        assertEquals("finished", assertSucceeded(shielded));
    }

    @Test
    void shield_insideJob_jobAndShieldBothFinish() {
        Promise<String> inner = loop.newPromise();
        Promise<String> outer = loop.newPromise();
        Job<String> job = fixture.spawnJob(scheduler, () -> {
            scheduler.shield(inner).addListener(f -> outer.trySuccess("outer:" + f.getNow()));
            return outer;
        });

        inner.setSuccess("inner");
        fixture.runTasks();

        assertEquals("outer:inner", assertSucceeded(job.join()));
    }

    @Test
    void shield_null_throwsNpeNamingFuture() {
        assertRejected(NullPointerException.class, "future", () -> scheduler.shield(null));
    }
}
