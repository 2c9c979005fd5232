package io.github.nettyjobs;

import io.github.nettyjobs.testing.EmbeddedChannels;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;

import java.time.Duration;

/**
 * An {@link EmbeddedChannel}'s event loop with frozen time, for deterministic scheduler tests; it
 * uses only what Netty 4.1 and 4.2 both offer ({@code freezeTime}, {@code advanceTimeBy}). Its
 * {@link #clock()}, given to the schedulers under test, moves with the loop's time, so the
 * scheduler's own time readings agree with the timers it schedules on the loop.
 *
 * <p>Every call runs on the test thread, which the loop treats as its own ({@code inEventLoop()}
 * is always true), so work the scheduler defers with {@code execute} or {@code schedule} runs only
 * when a test calls {@link #runTasks()} or {@link #advance(Duration)}.
 */
final class EmbeddedLoop implements AutoCloseable {

    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final ManualClock clock = new ManualClock();

    EmbeddedLoop() {
        channel.freezeTime();
    }

    /** The channel's event loop, on which schedulers under test live. */
    EventLoop loop() {
        return channel.eventLoop();
    }

    /** The scheduler clock that moves with the loop's frozen time. */
    ManualClock clock() {
        return clock;
    }

    /**
     * Runs queued tasks and due scheduled tasks, and what they queue in turn, until none is left
     * (see {@link EmbeddedChannels#runUntilQuiet}); rethrows what they threw.
     */
    void runTasks() {
        EmbeddedChannels.runUntilQuiet(channel);
        channel.checkException();
    }

    /** Whether a timer is still scheduled on the loop, once what is due has run. */
    boolean hasTimers() {
        return EmbeddedChannels.hasTimers(channel);
    }

    /** Moves the frozen clock forward, then runs what became due. */
    void advance(Duration duration) {
        clock.advance(duration);
        EmbeddedChannels.advance(channel, duration);
        channel.checkException();
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
