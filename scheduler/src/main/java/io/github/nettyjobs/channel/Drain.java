package io.github.nettyjobs.channel;

import io.github.nettyjobs.Scheduler;
import io.github.nettyjobs.internal.VarHandles;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ServerChannel;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.PromiseCombiner;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * The channels one {@link JobsHandler} serves, and its drain. Thread-safe: channels come and go on
 * their own event loops and {@link #drain} may be called from any thread, so the two sets are
 * concurrent and the state is volatile; every step of the drain itself runs on one executor, the
 * drain's loop, whose timers set its pace (tests give it one with frozen time).
 *
 * <p>The steps: {@link DrainEvent#STARTED} through every connection; at the end of the quiet period
 * {@link DrainEvent#QUIET_PERIOD_ENDED}, the server channels closed and the schedulers'
 * {@code waitAndClose} with what is left of the timeout; at the timeout the schedulers closed, and
 * once they are, every connection still open. It is drained once the schedulers are closed and
 * every connection has closed.
 */
final class Drain {

    private static final InternalLogger logger = InternalLoggerFactory.getInstance(JobsHandler.class);

    private static final int ST_SERVING = 0;
    /** Connections are told; the server channels still accept. */
    private static final int ST_QUIET = 1;
    /** The server channels are closed and the schedulers wait for their jobs. */
    private static final int ST_CLOSING = 2;
    private static final int ST_DRAINED = 3;

    private static final VarHandle STATE = VarHandles.find(MethodHandles.lookup(), "state", int.class);

    private final JobsHandler handler;
    private final EventExecutor loop;
    /** The channels the handler is added to: server channels, and connections with a handler of their own. */
    private final Set<Channel> bound = ConcurrentHashMap.newKeySet();
    /** Accepted by a bound server channel, or bound themselves; each leaves the set when it closes. */
    private final Set<Channel> connections = ConcurrentHashMap.newKeySet();
    private final ChannelFutureListener boundClosed = future -> bound.remove(future.channel());
    private final ChannelFutureListener connectionClosed = this::connectionClosed;
    private final Promise<Void> drained;
    private volatile int state;

    // The drain's loop only.
    private long quietNanos;
    private long timeoutNanos;
    private ScheduledFuture<?> quietTimer;
    private ScheduledFuture<?> timeoutTimer;
    /** The schedulers waited for, from the end of the quiet period on. */
    private List<Scheduler> schedulers;
    private boolean schedulersClosed;
    private boolean timedOut;

    Drain(JobsHandler handler, EventExecutor loop) {
        this.handler = handler;
        this.loop = requireNonNull(loop, "loop");
        this.drained = loop.newPromise();
    }

    boolean isDraining() {
        return state != ST_SERVING;
    }

    /** Whether the schedulers are the drain's to close: a bound server channel that closes leaves its own alone. */
    boolean closesSchedulers() {
        return state >= ST_CLOSING;
    }

    // ---- channels, on their own loops ----

    /** The handler was added to {@code channel}: a server channel, or a connection of its own. */
    void bound(Channel channel) {
        bound.add(channel);
        channel.closeFuture().addListener(boundClosed);
        if (!(channel instanceof ServerChannel)) {
            track(channel);
        }
    }

    /** A bound server channel accepted {@code child}, which its acceptor has just handed to a loop. */
    void accepted(Channel child) {
        track(child);
    }

    private void track(Channel connection) {
        connections.add(connection);
        connection.closeFuture().addListener(connectionClosed);
        int state = this.state;
        if (state == ST_DRAINED) {
            connection.close(); // raced with the end of the drain
            return;
        }
        // Fired on the connection's loop after what runs there now, so its pipeline is complete: an
        // initializer that adds the handler runs in the same loop task as the registration.
        if (state >= ST_QUIET) {
            fire(connection, DrainEvent.STARTED);
        }
        if (state >= ST_CLOSING) {
            fire(connection, DrainEvent.QUIET_PERIOD_ENDED);
        }
    }

    private void connectionClosed(ChannelFuture future) {
        connections.remove(future.channel());
        if (state == ST_CLOSING) {
            onLoop(this::tryComplete);
        }
    }

    private static void fire(Channel connection, DrainEvent event) {
        try {
            connection.eventLoop().execute(() -> {
                if (connection.isActive()) {
                    connection.pipeline().fireUserEventTriggered(event);
                }
            });
        } catch (IllegalStateException | RejectedExecutionException notServed) {
            // Never registered, or its loop is shutting down: it closes without being told.
            if (logger.isDebugEnabled()) {
                logger.debug("{}: not told of the drain ({})", connection, notServed.toString());
            }
        }
    }

    // ---- the drain ----

    Future<Void> drain(Duration quietPeriod, Duration timeout) {
        requireNonNull(quietPeriod, "quietPeriod");
        requireNonNull(timeout, "timeout");
        if (quietPeriod.isNegative()) {
            throw new IllegalArgumentException("quietPeriod: " + quietPeriod + " (expected: >= 0)");
        }
        if (timeout.compareTo(quietPeriod) < 0) {
            throw new IllegalArgumentException(
                    "timeout: " + timeout + " (expected: >= quietPeriod (" + quietPeriod + "))");
        }
        if (STATE.compareAndSet(this, ST_SERVING, ST_QUIET)) {
            long quiet = nanos(quietPeriod);
            long total = nanos(timeout);
            onLoop(() -> start(quiet, total));
        }
        return drained;
    }

    private static long nanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }

    private void onLoop(Runnable step) {
        if (loop.inEventLoop()) {
            step.run();
            return;
        }
        try {
            loop.execute(step);
        } catch (RejectedExecutionException shutDown) {
            logger.warn("{}: the drain's executor {} is shut down; the drain cannot go on", handler, loop);
        }
    }

    private void start(long quiet, long total) {
        quietNanos = quiet;
        timeoutNanos = total;
        if (logger.isDebugEnabled()) {
            logger.debug("{}: draining {} connections, quiet period {} ms, timeout {} ms", handler, connections.size(),
                    TimeUnit.NANOSECONDS.toMillis(quiet), TimeUnit.NANOSECONDS.toMillis(total));
        }
        for (Channel connection : connections) {
            fire(connection, DrainEvent.STARTED);
        }
        timeoutTimer = loop.schedule(this::timeoutReached, total, TimeUnit.NANOSECONDS);
        if (quiet == 0) {
            endQuietPeriod();
        } else {
            quietTimer = loop.schedule(this::endQuietPeriod, quiet, TimeUnit.NANOSECONDS);
        }
    }

    /** Stops accepting, closes idle connections, and waits for the jobs with what is left of the timeout. */
    private void endQuietPeriod() {
        if (state != ST_QUIET) {
            return;
        }
        state = ST_CLOSING;
        for (Channel connection : connections) {
            fire(connection, DrainEvent.QUIET_PERIOD_ENDED);
        }
        List<Channel> servers = new ArrayList<>();
        for (Channel channel : bound) {
            if (channel instanceof ServerChannel) {
                servers.add(channel);
            }
        }
        schedulers = handler.schedulersOf(bound);
        Duration left = Duration.ofNanos(timeoutNanos - quietNanos);
        PromiseCombiner combiner = new PromiseCombiner(loop);
        for (Scheduler scheduler : schedulers) {
            combiner.add(scheduler.waitAndClose(left));
        }
        for (Channel server : servers) {
            combiner.add(server.close()); // a closing server channel leaves its scheduler to this drain
        }
        Promise<Void> closed = loop.newPromise();
        closed.addListener(future -> schedulersClosed());
        combiner.finish(closed);
    }

    private void schedulersClosed() {
        schedulersClosed = true;
        if (timedOut) {
            closeConnections();
        }
        tryComplete();
    }

    /** Cancels what is left: the schedulers close now, and the connections once they have. */
    private void timeoutReached() {
        if (state == ST_DRAINED) {
            return;
        }
        timedOut = true;
        endQuietPeriod(); // a quiet period as long as the timeout ends with it
        for (Scheduler scheduler : schedulers) {
            scheduler.close();
        }
        if (schedulersClosed) {
            closeConnections();
        }
    }

    /**
     * Closes every connection still open. It runs after the schedulers' close, whose cancelled jobs
     * the atomic handlers have answered by then, so each such answer is written before its close.
     */
    private void closeConnections() {
        if (!connections.isEmpty() && logger.isDebugEnabled()) {
            logger.debug("{}: the drain timed out; closing {} connections", handler, connections.size());
        }
        for (Channel connection : connections) {
            connection.close();
        }
    }

    private void tryComplete() {
        if (state != ST_CLOSING || !schedulersClosed || !connections.isEmpty()) {
            return;
        }
        state = ST_DRAINED;
        if (quietTimer != null) {
            quietTimer.cancel(false);
        }
        timeoutTimer.cancel(false);
        if (logger.isDebugEnabled()) {
            logger.debug("{}: drained", handler);
        }
        drained.trySuccess(null);
    }

    @Override
    public String toString() {
        String[] names = {"serving", "quiet", "closing", "drained"};
        return "Drain{" + names[state] + ", connections=" + connections.size() + '}';
    }
}
