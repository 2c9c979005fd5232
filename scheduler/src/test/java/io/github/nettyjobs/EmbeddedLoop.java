package io.github.nettyjobs;

import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * An {@link EmbeddedChannel}'s event loop with frozen time, for deterministic scheduler tests; it
 * uses only what Netty 4.1 and 4.2 both offer ({@code freezeTime}, {@code advanceTimeBy}).
 *
 * <p>Every call runs on the test thread, which the loop treats as its own ({@code inEventLoop()}
 * is always true), so work the scheduler defers with {@code execute} or {@code schedule} runs only
 * when a test calls {@link #runTasks()} or {@link #advance(Duration)}.
 */
final class EmbeddedLoop implements AutoCloseable {

    /** Past this many rounds a task is taken to re-queue itself forever, and the test fails. */
    private static final int MAX_ROUNDS = 10_000;

    private final EmbeddedChannel channel = new EmbeddedChannel();

    EmbeddedLoop() {
        channel.freezeTime();
    }

    /** The channel's event loop, on which schedulers under test live. */
    EventLoop loop() {
        return channel.eventLoop();
    }

    /**
     * Runs queued tasks and due scheduled tasks, and what they queue in turn, until none is left;
     * rethrows what they threw.
     *
     * @throws AssertionError if the loop is still busy after {@value #MAX_ROUNDS} rounds
     */
    void runTasks() {
        for (int round = 0; channel.hasPendingTasks(); round++) {
            if (round == MAX_ROUNDS) {
                throw new AssertionError("the embedded loop still has tasks after " + MAX_ROUNDS
                        + " rounds: something re-queues itself forever");
            }
            channel.runPendingTasks();
        }
        channel.checkException();
    }

    /** Whether a timer is still scheduled on the loop, once what is due has run. */
    boolean hasTimers() {
        runTasks();
        return channel.runScheduledPendingTasks() != -1; // -1: nothing scheduled
    }

    /** Moves the frozen clock forward, then runs what became due. */
    void advance(Duration duration) {
        channel.advanceTimeBy(duration.toNanos(), TimeUnit.NANOSECONDS);
        runTasks();
    }

    /** As {@link #advance(Duration)}, by {@code millis} milliseconds. */
    void advanceMillis(long millis) {
        advance(Duration.ofMillis(millis));
    }

    @Override
    public void close() {
        runTasks();
        channel.finishAndReleaseAll();
    }
}
