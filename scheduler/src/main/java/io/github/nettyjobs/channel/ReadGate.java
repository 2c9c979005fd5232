package io.github.nettyjobs.channel;

import io.netty.channel.Channel;

/**
 * Admission and backpressure of one {@link AtomicHandler}, confined to the channel's event loop:
 * the channel stops reading ({@code autoRead} off) while a spawn waits for the scheduler to admit
 * it or {@code maxInFlight} requests are unanswered, and reads again once neither holds. It only
 * turns back on an {@code autoRead} it turned off itself, so a user's own choice stands.
 *
 * <p>States: {@link #ST_OPEN} and {@link #ST_SUSPENDED} alternate; {@link #ST_DESTROYED} is final.
 */
final class ReadGate {

    /** The gate leaves {@code autoRead} as it is (on, or off by the user's choice). */
    private static final int ST_OPEN = 0;
    /** This gate turned {@code autoRead} off and owes turning it back on. */
    private static final int ST_SUSPENDED = 1;
    /** The channel is gone or the handler removed: the gate does nothing more. */
    private static final int ST_DESTROYED = 2;

    private final int maxInFlight;
    private Channel channel;
    /** Spawns the scheduler has not admitted yet. */
    private int unadmitted;
    private int state = ST_OPEN;

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
        boolean full = unadmitted > 0 || unanswered >= maxInFlight;
        if (state == ST_OPEN && full && channel.config().isAutoRead()) {
            state = ST_SUSPENDED;
            channel.config().setAutoRead(false);
        } else if (state == ST_SUSPENDED && !full) {
            state = ST_OPEN;
            channel.config().setAutoRead(true);
        }
    }

    /**
     * The channel is gone or the handler removed: nothing waits for admission any more, and reading
     * is switched back on, which matters when the handler leaves a live pipeline.
     */
    void destroy() {
        boolean owesAutoRead = state == ST_SUSPENDED;
        state = ST_DESTROYED;
        unadmitted = 0;
        if (owesAutoRead) {
            channel.config().setAutoRead(true);
        }
    }

    @Override
    public String toString() {
        return "ReadGate{maxInFlight=" + maxInFlight + ", unadmitted=" + unadmitted
                + (state == ST_SUSPENDED ? ", suspended}" : state == ST_DESTROYED ? ", destroyed}" : "}");
    }
}
