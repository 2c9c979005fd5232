package io.github.nettyjobs.channel;

/**
 * The user events that {@link JobsHandler#drain(java.time.Duration, java.time.Duration)} fires
 * through the pipeline of every connection it serves, on the connection's event loop: the channels
 * accepted by a server channel it is added to, and the other channels it is added to. Each
 * connection gets {@link #STARTED} first, and {@link #QUIET_PERIOD_ENDED} after it; a connection
 * accepted while a drain runs gets them as soon as its pipeline is initialized.
 *
 * <p>The {@link AtomicHandler} acts on both. A handler of a protocol with a connection-level
 * goodbye acts on them too: {@link io.netty.channel.ChannelInboundHandler#userEventTriggered} sees
 * them, and passes them on.
 */
public enum DrainEvent {

    /**
     * The drain started: answer what was asked; the answer that leaves the connection with nothing
     * in flight is its last. A connection with nothing in flight stays open until
     * {@link #QUIET_PERIOD_ENDED}, since a load balancer may still send one more request on it.
     */
    STARTED,

    /**
     * The quiet period ended: the server channels stop accepting, and a connection with nothing in
     * flight closes now. What is in flight is still answered, until the drain's timeout.
     */
    QUIET_PERIOD_ENDED
}
