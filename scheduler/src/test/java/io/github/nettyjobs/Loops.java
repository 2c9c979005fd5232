package io.github.nettyjobs;

import io.netty.util.concurrent.EventExecutor;

import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/** Hops onto a real event loop with a bounded wait. */
final class Loops {

    private Loops() {
    }

    /** Runs {@code action} on {@code loop} and returns its result, waiting at most 5 seconds. */
    static <T> T onLoop(EventExecutor loop, Callable<T> action) throws Exception {
        return onLoop(loop, FutureAssertions.WAIT_SECONDS, action);
    }

    static <T> T onLoop(EventExecutor loop, long seconds, Callable<T> action) throws Exception {
        return loop.submit(action).get(seconds, TimeUnit.SECONDS);
    }

    /**
     * Waits until everything queued on {@code loop} so far has run; afterwards the test thread
     * sees every write the loop made before.
     */
    static void sync(EventExecutor loop) throws Exception {
        onLoop(loop, () -> null);
    }
}
