package io.github.nettyjobs.http;

import io.github.nettyjobs.Job;
import io.github.nettyjobs.Scheduler;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.Future;

import java.util.concurrent.Callable;

import static java.util.Objects.requireNonNull;

/**
 * Static helpers that find a channel's scheduler and spawn on it from channel handlers: the
 * counterparts of aiojobs' aiohttp {@code get_scheduler}, {@code spawn}, {@code shield} and
 * {@code @atomic}. Every method may be called from any thread.
 *
 * <p>A channel's scheduler is the one its own {@link JobsHandler} bound, else the one bound by the
 * nearest ancestor channel's (for an accepted connection, the server channel's), else none.
 */
public final class HttpJobs {

    /** The default of {@link #atomic(AsyncHttpHandler, int)}: pipelined requests per connection. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 16;

    private HttpJobs() {
    }

    /**
     * The scheduler of {@code channel}: its own, else its nearest ancestor's, else {@code null}.
     *
     * @throws NullPointerException if {@code channel} is {@code null}
     */
    public static Scheduler schedulerOrNull(Channel channel) {
        ChannelBinding own = binding(requireNonNull(channel, "channel"));
        if (own != null) {
            return own.scheduler;
        }
        for (Channel ancestor = channel.parent(); ancestor != null; ancestor = ancestor.parent()) {
            ChannelBinding binding = binding(ancestor);
            if (binding != null) {
                return binding.schedulerForDescendant(channel);
            }
        }
        return null;
    }

    private static ChannelBinding binding(Channel channel) {
        // hasAttr first: attr() would create an empty attribute on every channel looked at.
        return channel.hasAttr(JobsHandler.BINDING) ? channel.attr(JobsHandler.BINDING).get() : null;
    }

    /**
     * The scheduler of {@code ctx}'s channel, as {@link #schedulerOrNull(Channel)}.
     *
     * @throws NullPointerException  if {@code ctx} is {@code null}
     * @throws IllegalStateException if neither the channel nor an ancestor has a {@link JobsHandler}
     */
    public static Scheduler scheduler(ChannelHandlerContext ctx) {
        Channel channel = requireNonNull(ctx, "ctx").channel();
        Scheduler scheduler = schedulerOrNull(channel);
        if (scheduler == null) {
            throw new IllegalStateException("No nettyjobs scheduler for " + channel
                    + ": add a JobsHandler to its pipeline, or to its server channel with ServerBootstrap.handler(...)");
        }
        return scheduler;
    }

    /**
     * Spawns {@code task} as a job of the channel's scheduler under a default name.
     *
     * @see Scheduler#spawn(Callable)
     * @throws NullPointerException  if an argument is {@code null}
     * @throws IllegalStateException if the channel has no scheduler
     */
    public static <T> Future<Job<T>> spawn(ChannelHandlerContext ctx, Callable<? extends Future<T>> task) {
        requireNonNull(task, "task");
        return scheduler(ctx).spawn(task);
    }

    /**
     * Spawns {@code task} as a job named {@code name} of the channel's scheduler.
     *
     * @see Scheduler#spawn(String, Callable)
     * @throws NullPointerException  if an argument is {@code null}
     * @throws IllegalStateException if the channel has no scheduler
     */
    public static <T> Future<Job<T>> spawn(ChannelHandlerContext ctx, String name, Callable<? extends Future<T>> task) {
        requireNonNull(name, "name");
        requireNonNull(task, "task");
        return scheduler(ctx).spawn(name, task);
    }

    /**
     * Shields {@code future} with the channel's scheduler: cancelling the returned future never
     * cancels {@code future}, and the scheduler's {@code waitAndClose()} waits for it.
     *
     * @see Scheduler#shield(Future)
     * @throws NullPointerException  if an argument is {@code null}
     * @throws IllegalStateException if the channel has no scheduler
     */
    public static <T> Future<T> shield(ChannelHandlerContext ctx, Future<T> future) {
        requireNonNull(future, "future");
        return scheduler(ctx).shield(future);
    }

    /**
     * A handler that answers each {@link io.netty.handler.codec.http.FullHttpRequest} by running
     * {@code handler} as a job of the channel's scheduler, allowing {@value #DEFAULT_MAX_IN_FLIGHT}
     * pipelined requests per connection.
     *
     * @see #atomic(AsyncHttpHandler, int)
     * @throws NullPointerException if {@code handler} is {@code null}
     */
    public static ChannelHandler atomic(AsyncHttpHandler handler) {
        return atomic(handler, DEFAULT_MAX_IN_FLIGHT);
    }

    /**
     * A handler that answers each {@link io.netty.handler.codec.http.FullHttpRequest} by running
     * {@code handler} as a job of the channel's scheduler (the {@code @atomic} of aiojobs' aiohttp).
     * It keeps per-connection state, so each call returns a new, non-sharable handler: call this in
     * {@code initChannel}, after an {@link io.netty.handler.codec.http.HttpServerCodec} and an
     * {@link io.netty.handler.codec.http.HttpObjectAggregator}.
     *
     * <ul>
     *   <li>The job runs to its end even if the client disconnects, and the scheduler's
     *       {@code waitAndClose()} waits for it. (A spawn still waiting for room in the scheduler's
     *       pending queue when the disconnect is noticed is withdrawn: no job was started for it.
     *       With NIO, a connection whose reading is paused notices a disconnect only once it reads
     *       again, after its spawn was admitted, so that job runs.) A
     *       {@link JobsHandler#perChannel(Scheduler.Builder) per-channel} scheduler closes with the
     *       connection and so cancels its jobs: bind atomic connections to a shared scheduler.</li>
     *   <li>Responses go out in request order, also when pipelined requests finish out of order,
     *       each with {@code Content-Length} set and with keep-alive as the request asked for:
     *       {@code Connection: close}, from the client or in the handler's response, and HTTP/1.0
     *       without keep-alive close the connection after the response.</li>
     *   <li>A handler that throws, fails its future or completes it with {@code null} gives
     *       {@code 500 Internal Server Error}, and the error is logged once, here (the scheduler's
     *       exception handler does not see it). A closed scheduler, or a job cancelled by its
     *       scheduler's close, gives {@code 503 Service Unavailable} and closes the connection. A
     *       request the codec could not decode gives {@code 400 Bad Request} ({@code 414} and
     *       {@code 431} for too long a line or headers) and closes the connection.</li>
     *   <li>Backpressure: the channel stops reading ({@code autoRead} off) while a spawn waits to be
     *       admitted by the scheduler, or while {@code maxInFlight} requests are unanswered, and reads
     *       again once neither holds. Requests already decoded from the last read are still taken,
     *       so one pipelined burst is bounded by the codec's pipeline depth ({@code HttpServerCodec}
     *       closes a connection with more than 128 requests unanswered unless configured otherwise).</li>
     *   <li>Responses are not written while the channel is not writable; they wait, in order, for
     *       {@code channelWritabilityChanged}.</li>
     *   <li>Each request is released once its job has ended; a response that cannot be written
     *       (the connection is gone or closing) is released.</li>
     * </ul>
     *
     * <p>Messages other than {@code FullHttpRequest} pass on unchanged. Responses written by handlers
     * in front of this one, such as the {@code 413} of an {@code HttpObjectAggregator}, do not wait
     * for the answers to earlier pipelined requests.
     *
     * @param handler     answers each request
     * @param maxInFlight how many received requests may wait for their response before the channel
     *                    stops reading
     * @throws NullPointerException     if {@code handler} is {@code null}
     * @throws IllegalArgumentException if {@code maxInFlight} is less than 1
     */
    public static ChannelHandler atomic(AsyncHttpHandler handler, int maxInFlight) {
        requireNonNull(handler, "handler");
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight: " + maxInFlight + " (expected: >= 1)");
        }
        return new AtomicHttpHandler(handler, maxInFlight);
    }
}
