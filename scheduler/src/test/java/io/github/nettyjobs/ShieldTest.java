package io.github.nettyjobs;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static io.github.nettyjobs.FutureAssertions.assertCancelled;
import static io.github.nettyjobs.FutureAssertions.assertNotDone;
import static io.github.nettyjobs.FutureAssertions.assertSameCause;
import static io.github.nettyjobs.FutureAssertions.assertSucceeded;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Scheduler#shield}: the result passes through, cancellation does not, the scheduler tracks it. */
@Timeout(10)
class ShieldTest {

    private final EmbeddedLoop embedded = new EmbeddedLoop();
    private final EventLoop loop = embedded.loop();
    private final RecordingHandler handler = new RecordingHandler();
    private final Scheduler scheduler = Scheduler.builder().exceptionHandler(handler).build(loop);

    @AfterEach
    void tearDown() {
        embedded.close();
    }

    @Test
    void shield_completesWithTheFuturesResult() {
        Promise<String> inner = loop.newPromise();

        Future<String> shielded = scheduler.shield(inner);
        embedded.runTasks();
        assertNotDone(shielded);
        inner.setSuccess("TEST");
        embedded.runTasks();

        assertEquals("TEST", assertSucceeded(shielded));
    }

    @Test
    void shield_alreadyCompletedFuture_completesWithItsResult() {
        Future<String> shielded = scheduler.shield(loop.newSucceededFuture("done"));
        embedded.runTasks();

        assertEquals("done", assertSucceeded(shielded));
        assertSucceeded(closeAndWait());
    }

    @Test
    void shield_failingFuture_failsWithSameException() {
        Promise<String> inner = loop.newPromise();
        RuntimeException failure = new RuntimeException("boom");

        Future<String> shielded = scheduler.shield(inner);
        inner.setFailure(failure);
        embedded.runTasks();

        assertSameCause(failure, shielded);
    }

    @Test
    void shield_returnedFutureCancelled_innerFutureKeepsRunning() {
        Promise<String> inner = loop.newPromise();
        Future<String> shielded = scheduler.shield(inner);

        shielded.cancel(false);
        embedded.runTasks();

        assertTrue(shielded.isCancelled());
        assertFalse(inner.isDone(), "cancelling the shield must not cancel the shielded future");
        inner.setSuccess("finished");
        embedded.runTasks();
        assertEquals("finished", assertSucceeded(inner));
    }

    @Test
    void shield_returnedFutureCancelled_waitAndCloseStillWaitsForInner() {
        Promise<String> inner = loop.newPromise();
        scheduler.shield(inner).cancel(false);

        Future<Void> closed = scheduler.waitAndClose();
        embedded.advanceMillis(1000);
        assertNotDone(closed);
        assertFalse(scheduler.isClosed());

        inner.setSuccess("finished");
        embedded.runTasks();
        assertSucceeded(closed);
        assertTrue(scheduler.isClosed());
    }

    @Test
    void shield_doneFuture_isNoLongerTracked() {
        Promise<String> inner = loop.newPromise();
        scheduler.shield(inner);
        inner.setSuccess("done");
        embedded.runTasks();

        Future<Void> closed = scheduler.waitAndClose();
        embedded.runTasks();

        assertSucceeded(closed);
    }

    @Test
    void close_cancelsShieldedFuture() {
        Promise<String> inner = loop.newPromise();
        Future<String> shielded = scheduler.shield(inner);

        Future<Void> closed = closeAndWait();

        assertSucceeded(closed);
        assertTrue(inner.isCancelled());
        assertCancelled(shielded);
        handler.assertNotCalled();
    }

    @Test
    void close_uncancellableShieldedFuture_waitsUpToCloseTimeout() {
        Scheduler scheduler = Scheduler.builder().closeTimeout(Duration.ofMillis(20)).exceptionHandler(handler)
                .build(loop);
        Promise<String> inner = loop.newPromise();
        inner.setUncancellable();
        scheduler.shield(inner);

        Future<Void> closed = scheduler.close();
        embedded.advanceMillis(19);
        assertNotDone(closed);
        embedded.advanceMillis(1);

        assertSucceeded(closed);
    }

    @Test
    void close_uncancellableShieldedFuture_completesWhenItEnds() {
        Scheduler scheduler = Scheduler.builder().closeTimeout(Duration.ofMillis(20)).exceptionHandler(handler)
                .build(loop);
        Promise<String> inner = loop.newPromise();
        inner.setUncancellable();
        Future<String> shielded = scheduler.shield(inner);

        Future<Void> closed = scheduler.close();
        embedded.advanceMillis(10);
        assertNotDone(closed);
        inner.setSuccess("finished");
        embedded.runTasks();

        assertSucceeded(closed);
        assertEquals("finished", assertSucceeded(shielded));
    }

    @Test
    void shield_insideJob_jobAndShieldBothFinish() {
        Promise<String> inner = loop.newPromise();
        Promise<String> outer = loop.newPromise();
        Future<Job<String>> spawned = scheduler.spawn(() -> {
            scheduler.shield(inner).addListener(f -> outer.trySuccess("outer:" + f.getNow()));
            return outer;
        });
        embedded.runTasks();
        Job<String> job = assertSucceeded(spawned);

        inner.setSuccess("inner");
        embedded.runTasks();

        assertEquals("outer:inner", assertSucceeded(job.join()));
    }

    @Test
    void shield_null_throwsNpeNamingFuture() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> scheduler.shield(null));
        assertTrue(String.valueOf(e.getMessage()).contains("future"), e::getMessage);
    }

    private Future<Void> closeAndWait() {
        Future<Void> closed = scheduler.close();
        embedded.runTasks();
        return closed;
    }
}
