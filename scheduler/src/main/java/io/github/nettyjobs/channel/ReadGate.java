package io.github.nettyjobs.channel;

import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;

/**
 * Admission and backpressure of one {@link AtomicHandler}, confined to the channel's event loop:
 * the channel stops reading ({@code autoRead} off) while a spawn waits for the scheduler to admit
 * it or {@code maxInFlight} requests are unanswered, and reads again once neither holds. It only
 * turns back on an {@code autoRead} it turned off itself, so a user's own choice stands.
 */
final class ReadGate {

    private final int maxInFlight;
    private Channel channel;
    /** Spawns the scheduler has not admitted yet. */
    private int unadmitted;
    /** This gate turned autoRead off and owes turning it back on. */
    private boolean suspended;
    private boolean destroyed;

    ReadGate(int maxInFlight) {
        this.maxInFlight = maxInFlight;
    }

    void attach(Channel channel) {
        this.channel = channel;
    }

    int maxInFlight() {
        return maxInFlight;
    }

    int unadmitted() {
        return unadmitted;
    }

    /** A spawn has to wait for the scheduler to admit it. */
    void spawnWaiting() {
        unadmitted++;
    }

    /** A spawn that had to wait is admitted, failed or withdrawn. */
    void spawnAdmitted() {
        unadmitted--;
    }

    /** Reads only while every spawn is admitted and fewer than {@code maxInFlight} requests are unanswered. */
    void update(int unanswered) {
        if (destroyed) {
            return;
        }
        ChannelConfig config = channel.config();
        if (unadmitted > 0 || unanswered >= maxInFlight) {
            if (!suspended && config.isAutoRead()) {
                suspended = true;
                config.setAutoRead(false);
            }
        } else if (suspended) {
            suspended = false;
            config.setAutoRead(true);
        }
    }

    /**
     * The channel is gone or the handler removed: nothing waits for admission any more, and reading
     * is switched back on, which matters when the handler leaves a live pipeline.
     */
    void destroy() {
        destroyed = true;
        unadmitted = 0;
        if (suspended) {
            suspended = false;
            channel.config().setAutoRead(true);
        }
    }

    @Override
    public String toString() {
        return "ReadGate{maxInFlight=" + maxInFlight + ", unadmitted=" + unadmitted + (suspended ? ", suspended}" : "}");
    }
}
