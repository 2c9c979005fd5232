package io.github.nettyjobs;

import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * An {@link EmbeddedChannel}'s event loop with mock time, for deterministic scheduler tests.
 *
 * <p>Every call runs on the test thread, which the loop treats as its own ({@code inEventLoop()}
 * is always true), so work the scheduler defers with {@code execute} or {@code schedule} runs only
 * when a test calls {@link #runTasks()} or {@link #advance(Duration)}.
 */
final class EmbeddedLoop implements AutoCloseable {

    /** Enough rounds for tasks that queue further tasks from scheduled tasks and listeners. */
    private static final int ROUNDS = 8;

    private final MockTicker ticker = Ticker.newMockTicker();
    private final EmbeddedChannel channel = EmbeddedChannel.builder().ticker(ticker).build();

    /** The channel's event loop, on which schedulers under test live. */
    EventLoop loop() {
        return channel.eventLoop();
    }

    /** Runs every queued task and every scheduled task that is due, and rethrows what they threw. */
    void runTasks() {
        for (int i = 0; i < ROUNDS; i++) {
            channel.runPendingTasks();
        }
        channel.checkException();
    }

    /** Moves the mock clock forward, then runs what became due. */
    void advance(Duration duration) {
        ticker.advance(duration.toNanos(), TimeUnit.NANOSECONDS);
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
