package io.github.nettyjobs.benchmarks.simulation;

import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;

import java.util.concurrent.TimeUnit;

/**
 * Virtual time on a real event loop: an {@link EmbeddedChannel}'s loop with its time frozen, moved
 * on by the simulation from one event to the next. Everything the scheduler and the downstream do
 * runs on that loop (timers included), and the clock they read is {@link #now()}, so a simulated
 * minute takes as long as its events take to process, and two runs with the same seed are equal.
 * Confined to the thread that drives it.
 */
final class VirtualTime {

    private final EmbeddedChannel channel = new EmbeddedChannel();
    private long now;

    VirtualTime() {
        channel.freezeTime();
    }

    /** Returns the virtual time in nanoseconds since the start. */
    long now() {
        return now;
    }

    EventLoop loop() {
        return channel.eventLoop();
    }

    /** Runs what is queued, then returns the virtual time of the next timer, or {@code Long.MAX_VALUE} if none. */
    long nextTimer() {
        runQueued();
        long delay = channel.runScheduledPendingTasks(); // -1: no timer
        runQueued();
        return delay < 0 ? Long.MAX_VALUE : now + delay;
    }

    /** Moves the time on to {@code time} and runs every task and timer due by then. */
    void advanceTo(long time) {
        if (time > now) {
            channel.advanceTimeBy(time - now, TimeUnit.NANOSECONDS);
            now = time;
        }
        runQueued();
    }

    private void runQueued() {
        while (channel.hasPendingTasks()) {
            channel.runPendingTasks();
        }
    }

    void close() {
        channel.finishAndReleaseAll();
    }
}
