package io.github.nettyjobs.testing;

import io.netty.channel.embedded.EmbeddedChannel;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Drives an {@link EmbeddedChannel}'s event loop in tests, with what Netty 4.1 and 4.2 both offer:
 * tasks run until none is left (not a fixed number of rounds that a longer chain of tasks would
 * outlast), and frozen time moved on by hand ({@code freezeTime}, {@code advanceTimeBy}).
 */
public final class EmbeddedChannels {

    /** Past this many rounds a task is taken to re-queue itself forever, and the test fails. */
    private static final int MAX_ROUNDS = 10_000;

    private EmbeddedChannels() {
    }

    /**
     * Runs queued tasks and due scheduled tasks, and what they queue in turn, until none is left.
     * What the tasks threw stays for {@link EmbeddedChannel#checkException()}.
     *
     * @throws AssertionError if the loop is still busy after {@value #MAX_ROUNDS} rounds
     */
    public static void runUntilQuiet(EmbeddedChannel channel) {
        for (int round = 0; channel.hasPendingTasks(); round++) {
            if (round == MAX_ROUNDS) {
                throw new AssertionError("the embedded loop still has tasks after " + MAX_ROUNDS
                        + " rounds: something re-queues itself forever");
            }
            channel.runPendingTasks();
        }
    }

    /** Moves the channel's (frozen) clock forward, then runs what became due. */
    public static void advance(EmbeddedChannel channel, Duration duration) {
        channel.advanceTimeBy(duration.toNanos(), TimeUnit.NANOSECONDS);
        runUntilQuiet(channel);
    }

    /** Whether a timer is still scheduled on the channel's loop, once what is due has run. */
    public static boolean hasTimers(EmbeddedChannel channel) {
        runUntilQuiet(channel);
        return channel.runScheduledPendingTasks() != -1; // -1: nothing scheduled
    }
}
