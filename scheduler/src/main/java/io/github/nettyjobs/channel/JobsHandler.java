package io.github.nettyjobs.channel;

import io.github.nettyjobs.Scheduler;
import io.github.nettyjobs.SchedulerGroup;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.ServerChannel;
import io.netty.util.Attribute;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * Binds each channel it is added to to a {@link Scheduler}, on the channel's event loop; the binding
 * is readable from any thread through {@link ChannelJobs}. The counterpart of aiojobs' aiohttp
 * {@code setup()} for every protocol, with the pipeline in the role of the application.
 * {@code @Sharable}: its fields are final configuration, and the binding lives in a channel attribute.
 *
 * <ul>
 *   <li>{@link #JobsHandler(SchedulerGroup)} binds a channel to the group's scheduler of the
 *       channel's event loop (or, for a loop outside the group, to one of the group's schedulers),
 *       shared with every other channel of that loop. The group's owner closes it.</li>
 *   <li>{@link #perChannel(Scheduler.Builder)} builds a new scheduler on the channel's loop for each
 *       channel and {@linkplain Scheduler#close() closes} it, cancelling its jobs, when the channel
 *       becomes inactive or the handler is removed: connection-scoped work.</li>
 * </ul>
 *
 * <p>Added to a parent channel (a server channel through {@code ServerBootstrap.handler(...)}, or
 * an HTTP/2 connection whose streams are child channels), it also serves every descendant channel
 * that has no {@code JobsHandler} of its own, as a parent application's scheduler serves its
 * sub-applications: through a group binding, a child gets the scheduler of its own event loop
 * (or, when its loop is outside the group, one of the group's schedulers picked for it, round-robin,
 * so that connections spread over the group). A
 * per-channel scheduler of a server channel closes with it, so a graceful shutdown calls its
 * {@code waitAndClose} before closing the server channel.
 *
 * <pre>{@code
 * SchedulerGroup jobs = SchedulerGroup.create(workerGroup, Scheduler.builder().limit(100));
 * new ServerBootstrap()
 *         .group(bossGroup, workerGroup)
 *         .channel(NioServerSocketChannel.class)
 *         .handler(new JobsHandler(jobs))               // every connection, per loop
 *         .childHandler(...);
 * ...
 * jobs.waitAndClose(Duration.ofSeconds(10));            // on shutdown
 * }</pre>
 *
 * <p>A channel has at most one {@code JobsHandler}: adding a second one while the first is in its
 * pipeline fails. The binding outlives the handler, so that once a per-channel scheduler is closed,
 * spawning through its channel fails with a {@link java.util.concurrent.RejectedExecutionException}
 * instead of landing on a parent's scheduler.
 *
 * <p>For rolling deploys, {@link #drain(Duration, Duration)} takes the server out of service
 * without dropping a request: every connection it serves answers what it was asked and then closes,
 * the server channels stop accepting after a quiet period, and the jobs get what is left of a
 * timeout. A load balancer stops sending new requests once a readiness check fails; the quiet period
 * covers the time until it has noticed.
 */
@Sharable
public final class JobsHandler extends ChannelInboundHandlerAdapter {

    private static final InternalLogger logger = InternalLoggerFactory.getInstance(JobsHandler.class);

    static final AttributeKey<ChannelBinding> BINDING = AttributeKey.valueOf(JobsHandler.class, "binding");
    /** The scheduler a group binding picked for a descendant whose loop is outside the group. */
    private static final AttributeKey<Scheduler> SPREAD = AttributeKey.valueOf(JobsHandler.class, "spread");

    /** The shared schedulers, or {@code null} in per-channel mode. */
    private final SchedulerGroup group;
    /** The per-channel configuration, or {@code null} in shared mode. */
    private final Scheduler.Builder config;
    private final Drain drain;

    /**
     * A handler that binds each channel to {@code group}'s scheduler of the channel's event loop;
     * a channel (or, through a parent, a child channel) whose loop is not in the group gets one of
     * the group's schedulers picked for it, round-robin.
     *
     * @param group the shared schedulers; closing them is up to the caller
     * @throws NullPointerException if {@code group} is {@code null}
     */
    public JobsHandler(SchedulerGroup group) {
        this(requireNonNull(group, "group"), null, GlobalEventExecutor.INSTANCE);
    }

    /** {@code drainLoop} runs the steps of {@link #drain} and keeps its time (tests freeze it). */
    JobsHandler(SchedulerGroup group, Scheduler.Builder config, EventExecutor drainLoop) {
        this.group = group;
        this.config = config;
        this.drain = new Drain(this, drainLoop);
    }

    /**
     * A handler that gives each channel it is added to a scheduler of its own, built from
     * {@code config} on the channel's event loop and closed when the channel becomes inactive or the
     * handler is removed. One instance may serve any number of pipelines. It keeps a copy of
     * {@code config}: later changes to the builder do not reach it.
     *
     * @param config the configuration of each channel's scheduler
     * @return a new, sharable handler
     * @throws NullPointerException if {@code config} is {@code null}
     */
    public static JobsHandler perChannel(Scheduler.Builder config) {
        return new JobsHandler(null, requireNonNull(config, "config").copy(), GlobalEventExecutor.INSTANCE);
    }

    /**
     * Whether each channel gets a scheduler of its own ({@link #perChannel(Scheduler.Builder)}).
     *
     * @return {@code true} if made by {@code perChannel}, {@code false} if it binds to a
     *         {@link SchedulerGroup}
     */
    public boolean isPerChannel() {
        return config != null;
    }

    /**
     * Binds the channel.
     *
     * @throws IllegalStateException if the channel has another {@code JobsHandler} in its pipeline
     */
    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        Channel channel = ctx.channel();
        Attribute<ChannelBinding> attribute = channel.attr(BINDING);
        ChannelBinding bound = attribute.get();
        if (bound != null && !bound.owner.isRemoved()) {
            throw new IllegalStateException(channel + " already has a JobsHandler: " + bound.owner.name());
        }
        EventLoop loop = channel.eventLoop();
        Scheduler scheduler;
        if (config != null) {
            scheduler = config.build(loop);
        } else {
            scheduler = groupScheduler(loop);
            if (scheduler == null) {
                scheduler = group.next();
            }
        }
        attribute.set(new ChannelBinding(this, ctx, scheduler));
        if (!channel.isOpen()) {
            closeScheduler(ctx); // added too late to see channelInactive
            return;
        }
        drain.bound(channel);
    }

    /**
     * Passes the message on; a channel that a server channel accepted is one of the connections a
     * {@linkplain #drain drain} tells, once the acceptor has handed it to its loop.
     */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ctx.fireChannelRead(msg);
        if (msg instanceof Channel && ctx.channel() instanceof ServerChannel) {
            drain.accepted((Channel) msg);
        }
    }

    /** Closes a per-channel scheduler, cancelling its jobs; passes the event on. */
    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        closeScheduler(ctx);
        ctx.fireChannelInactive();
    }

    /** Closes a per-channel scheduler; the binding stays, so later spawns through the channel fail. */
    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        closeScheduler(ctx);
    }

    /**
     * The one close path of a per-channel scheduler, from channelInactive and handlerRemoved alike;
     * {@link Scheduler#close()} is idempotent, so the second call does nothing new.
     */
    private void closeScheduler(ChannelHandlerContext ctx) {
        if (config == null) {
            return; // a group's schedulers belong to the group's owner
        }
        Channel channel = ctx.channel();
        if (channel instanceof ServerChannel && drain.closesSchedulers()) {
            return; // the drain closed the server channel, and waits for its scheduler's jobs
        }
        ChannelBinding binding = channel.attr(BINDING).get();
        if (binding != null && binding.owner == ctx && !binding.scheduler.isClosed()) {
            if (logger.isDebugEnabled()) {
                logger.debug("{} closed: closing its {}", channel, binding.scheduler);
            }
            binding.scheduler.close();
        }
    }

    /**
     * Drains every channel this handler serves, for a rolling deploy; callable from any thread, and
     * returns at once. From the call on, {@link #isDraining()} is {@code true}, and:
     * <ul>
     *   <li>every connection answers the requests it has received, and the answer that leaves it with
     *       nothing in flight is its last: the connection closes after it (an {@link AtomicHandler}
     *       asks its protocol to {@linkplain AtomicProtocol#lastResponse mark} that answer, HTTP/1.1
     *       says {@code Connection: close});</li>
     *   <li>a connection with nothing in flight stays open through {@code quietPeriod}, because a
     *       load balancer that has not yet seen the readiness check fail may send one more request
     *       on it, and closes when the quiet period ends (after the protocol's
     *       {@linkplain AtomicProtocol#goodbye goodbye}, if it has one);</li>
     *   <li>a connection accepted during the quiet period is served one answer and closed;</li>
     *   <li>the server channels this handler is added to keep accepting during {@code quietPeriod},
     *       then close; the schedulers then {@link Scheduler#waitAndClose(Duration) waitAndClose}
     *       with what is left of {@code timeout} (every scheduler of the group, or the per-channel
     *       schedulers of the channels it is added to);</li>
     *   <li>at {@code timeout} (counted from the call) every job left is cancelled, its request
     *       answered as the protocol answers a closed scheduler, and every connection still open is
     *       closed.</li>
     * </ul>
     * Each connection learns of the drain through the {@link DrainEvent}s fired through its
     * pipeline; a protocol with a connection-level goodbye, such as HTTP/2's {@code GOAWAY}, has a
     * handler there that acts on them. The returned future completes, never failing, once the
     * schedulers are closed and every connection has closed. A second call returns the first's
     * future and changes nothing.
     *
     * @param quietPeriod how long idle connections stay open and the server channels keep accepting
     * @param timeout     the longest the whole drain may take, from the call; at least {@code quietPeriod}
     * @return a future that completes once everything is drained
     * @throws NullPointerException     if an argument is {@code null}
     * @throws IllegalArgumentException if {@code quietPeriod} is negative or {@code timeout} is
     *                                  shorter than {@code quietPeriod}
     */
    public Future<Void> drain(Duration quietPeriod, Duration timeout) {
        return drain.drain(quietPeriod, timeout);
    }

    /**
     * Whether {@link #drain(Duration, Duration)} has been called: {@code true} from the first moment
     * of the drain on, for a readiness check to fail. Readable from any thread.
     *
     * @return {@code true} once a drain has started
     */
    public boolean isDraining() {
        return drain.isDraining();
    }

    /**
     * The handler whose drains {@code connection} takes part in: its own, or its server channel's;
     * {@code null} for any other channel (an HTTP/2 stream drains with its connection).
     */
    static JobsHandler drainerOf(Channel connection) {
        Channel server = connection.parent();
        Channel bound = connection.hasAttr(BINDING) ? connection
                : server instanceof ServerChannel && server.hasAttr(BINDING) ? server : null;
        ChannelBinding binding = bound == null ? null : bound.attr(BINDING).get();
        return binding == null ? null : binding.handler;
    }

    /** The schedulers a drain waits for: the group's, or those of the bound channels in per-channel mode. */
    List<Scheduler> schedulersOf(Iterable<Channel> boundChannels) {
        List<Scheduler> schedulers = new ArrayList<>();
        if (group != null) {
            group.forEach(schedulers::add);
            return schedulers;
        }
        for (Channel channel : boundChannels) {
            ChannelBinding binding = channel.attr(BINDING).get();
            if (binding != null && binding.handler == this) {
                schedulers.add(binding.scheduler);
            }
        }
        return schedulers;
    }

    /**
     * The scheduler for a descendant of a channel this handler bound to {@code bound}: in group mode
     * the group's scheduler of the descendant's loop, or for a loop outside the group one of the
     * group's schedulers chosen once per descendant (round-robin, so that connections spread over
     * the group rather than all landing on the parent's).
     */
    Scheduler schedulerForDescendant(Channel descendant, Scheduler bound) {
        if (config != null) {
            return bound;
        }
        Scheduler scheduler = null;
        try {
            // Not isRegistered(): a closed, deregistered channel keeps its loop, and its scheduler.
            scheduler = groupScheduler(descendant.eventLoop());
        } catch (IllegalStateException neverRegistered) {
            // spread like a loop outside the group
        }
        return scheduler != null ? scheduler : spreadScheduler(descendant);
    }

    /** The group's scheduler picked for {@code descendant}, picked on the first call from any thread. */
    private Scheduler spreadScheduler(Channel descendant) {
        Attribute<Scheduler> picked = descendant.attr(SPREAD);
        Scheduler scheduler = picked.get();
        if (scheduler == null) {
            Scheduler raced = picked.setIfAbsent(scheduler = group.next());
            if (raced != null) {
                scheduler = raced;
            }
        }
        return scheduler;
    }

    /** The group's scheduler of {@code loop}, or {@code null} for a loop outside the group. */
    private Scheduler groupScheduler(EventLoop loop) {
        try {
            return group.schedulerFor(loop);
        } catch (IllegalArgumentException notInGroup) {
            return null;
        }
    }

    /** The mode and its group or configuration. */
    @Override
    public String toString() {
        return config != null ? "JobsHandler{perChannel, " + config + '}' : "JobsHandler{" + group + '}';
    }
}
