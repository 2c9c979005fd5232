package io.github.nettyjobs;

import io.netty.util.concurrent.Future;

import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Assertions on Netty futures.
 *
 * <p>The {@code assert*} methods check a future's state right now (for the embedded loop, where
 * waiting would deadlock); the {@code await*} methods wait a bounded time (for real loops).
 */
final class FutureAssertions {

    /** The bound of every wait on a real loop. */
    static final long WAIT_SECONDS = 5;

    private FutureAssertions() {
    }

    static void assertNotDone(Future<?> future) {
        assertFalse(future.isDone(), () -> "expected an incomplete future, got " + describe(future));
    }

    static <T> T assertSucceeded(Future<T> future) {
        assertTrue(future.isDone(), "expected a completed future, but it is still incomplete");
        if (!future.isSuccess()) {
            throw new AssertionError("expected success, got " + describe(future), future.cause());
        }
        return future.getNow();
    }

    static Throwable assertFailed(Future<?> future) {
        assertTrue(future.isDone(), "expected a failed future, but it is still incomplete");
        assertFalse(future.isSuccess(), () -> "expected a failure, got " + describe(future));
        assertNotNull(future.cause());
        return future.cause();
    }

    static <X extends Throwable> X assertFailedWith(Class<X> type, Future<?> future) {
        Throwable cause = assertFailed(future);
        if (!type.isInstance(cause)) {
            throw new AssertionError("expected " + type.getName() + ", got " + cause, cause);
        }
        return type.cast(cause);
    }

    static void assertCancelled(Future<?> future) {
        assertFailedWith(CancellationException.class, future);
    }

    static <T> T awaitSuccess(Future<T> future) throws InterruptedException {
        return awaitSuccess(future, WAIT_SECONDS);
    }

    static <T> T awaitSuccess(Future<T> future, long seconds) throws InterruptedException {
        awaitDone(future, seconds);
        return assertSucceeded(future);
    }

    static <X extends Throwable> X awaitFailure(Class<X> type, Future<?> future) throws InterruptedException {
        awaitDone(future, WAIT_SECONDS);
        return assertFailedWith(type, future);
    }

    static void awaitDone(Future<?> future, long seconds) throws InterruptedException {
        if (!future.await(seconds, TimeUnit.SECONDS)) {
            fail("future still incomplete after " + seconds + " s");
        }
    }

    /** Checks that {@code cause} is exactly {@code expected} (same instance). */
    static void assertSameCause(Throwable expected, Future<?> future) {
        Throwable cause = assertFailed(future);
        if (cause != expected) {
            throw new AssertionError("expected the instance " + expected + ", got " + cause, cause);
        }
    }

    private static String describe(Future<?> future) {
        if (!future.isDone()) {
            return "incomplete";
        }
        if (future.isSuccess()) {
            return "success(" + future.getNow() + ")";
        }
        return future.isCancelled() ? "cancelled" : "failure(" + future.cause() + ")";
    }
}
