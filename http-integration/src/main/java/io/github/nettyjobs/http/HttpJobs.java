package io.github.nettyjobs.http;

import io.github.nettyjobs.channel.AtomicHandler;
import io.github.nettyjobs.channel.AtomicProtocol;
import io.netty.channel.ChannelHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;

import static java.util.Objects.requireNonNull;

/**
 * Static factories, callable from any thread, for HTTP on top of the channel integration: the
 * atomic handler of aiojobs' aiohttp {@code @atomic}, HTTP's answers to what goes wrong, and an
 * aggregator that keeps those answers in request order. Finding a channel's scheduler, spawning
 * and shielding are {@link io.github.nettyjobs.channel.ChannelJobs}' (they do not depend on HTTP).
 *
 * <pre>{@code
 * ch.pipeline().addLast(new HttpServerCodec(),
 *         HttpJobs.aggregator(65536),
 *         HttpJobs.atomic((ctx, request) -> answer(ctx, request)));   // new handlers for each channel
 * }</pre>
 */
public final class HttpJobs {

    private HttpJobs() {
    }

    /**
     * An ordered atomic handler with {@link #protocol()} that answers each {@link FullHttpRequest}
     * by running {@code handler} as a job of the channel's scheduler, allowing
     * {@value AtomicHandler#DEFAULT_MAX_IN_FLIGHT} pipelined requests per connection.
     *
     * @param handler answers each request
     * @return a new handler, for one channel only
     * @see #atomic(AsyncHttpHandler, int)
     * @throws NullPointerException if {@code handler} is {@code null}
     */
    public static AtomicHandler<FullHttpRequest, FullHttpResponse> atomic(AsyncHttpHandler handler) {
        return atomic(handler, AtomicHandler.DEFAULT_MAX_IN_FLIGHT);
    }

    /**
     * An ordered atomic handler with {@link #protocol()} that answers each {@link FullHttpRequest}
     * by running {@code handler} as a job of the channel's scheduler (the {@code @atomic} of aiojobs'
     * aiohttp). It keeps per-connection state, so each call returns a new, non-sharable handler:
     * call this in {@code initChannel}, after an {@link io.netty.handler.codec.http.HttpServerCodec}
     * and {@link #aggregator(int)} (or an {@link HttpObjectAggregator}), or on each HTTP/2 stream
     * after an {@code Http2StreamFrameToHttpObjectCodec} and an aggregator.
     *
     * <p>{@link AtomicHandler} describes what every atomic handler guarantees: jobs that survive
     * their client, responses in request order, backpressure through {@code autoRead} with at most
     * {@code maxInFlight} requests unanswered, release of requests and unwritten responses.
     * {@link #protocol()} lists HTTP's answers. Requests pipelined behind one that asks to close the
     * connection are not processed. The HTTP codec bounds one pipelined burst too: Netty's
     * {@code HttpServerCodec} closes a connection with more than 128 requests unanswered unless
     * configured otherwise.
     *
     * @param handler     answers each request
     * @param maxInFlight how many received requests may wait for their response before the channel
     *                    stops reading
     * @return a new handler, for one channel only
     * @throws NullPointerException     if {@code handler} is {@code null}
     * @throws IllegalArgumentException if {@code maxInFlight} is less than 1
     */
    public static AtomicHandler<FullHttpRequest, FullHttpResponse> atomic(AsyncHttpHandler handler, int maxInFlight) {
        return AtomicHandler.<FullHttpRequest, FullHttpResponse>builder(FullHttpRequest.class,
                        requireNonNull(handler, "handler"))
                .protocol(HttpProtocol.INSTANCE)
                .maxInFlight(maxInFlight)
                .build();
    }

    /**
     * HTTP's answers, for {@link AtomicHandler.Builder#protocol(AtomicProtocol)}; one shared,
     * stateless instance.
     * <ul>
     *   <li>Every response gets {@code Content-Length} from its content, whatever the handler set
     *       ({@code HEAD} and {@code 304} keep the handler's if it is one valid length; {@code 1xx},
     *       {@code 204} and chunked responses get none), and keep-alive as the request
     *       asks: {@code Connection: close} from either side, and HTTP/1.0 without keep-alive, close
     *       the connection after the response; an HTTP/1.0 client that asked for keep-alive is told
     *       {@code Connection: keep-alive}.</li>
     *   <li>A handler that throws, fails its future or completes it with {@code null}:
     *       {@code 500 Internal Server Error} (the atomic handler logs the failure once, with the
     *       method and URI escaped; the scheduler's exception handler does not see it). A handler
     *       whose own future fails with a {@code TimeoutException} is such a failure.</li>
     *   <li>A job the scheduler refused (full, or timed out waiting for room), dropped from its
     *       pending queue, timed out, or closed while the scheduler stays open:
     *       {@code 503 Service Unavailable} with {@code Retry-After: 1}, and the connection stays
     *       open. A closed scheduler (or one whose loop shuts down), and a job cancelled by its
     *       scheduler's close: {@code 503}, and the connection closes.</li>
     *   <li>A request the codec could not decode: {@code 400 Bad Request} ({@code 414} and
     *       {@code 431} for too long a line or headers, {@code 413} for too large a body and
     *       {@code 417} for an unmet {@code Expect} from {@link #aggregator(int)}), and the connection
     *       closes. A client that went away in the
     *       middle of its request gets nothing, quietly.</li>
     *   <li>While the connection's {@link io.github.nettyjobs.channel.JobsHandler JobsHandler}
     *       {@linkplain io.github.nettyjobs.channel.JobsHandler#drain drains}, the answer that leaves
     *       the connection with nothing in flight says {@code Connection: close}, and the connection
     *       closes after it.</li>
     * </ul>
     *
     * @return the shared instance
     */
    public static AtomicProtocol<FullHttpRequest, FullHttpResponse> protocol() {
        return HttpProtocol.INSTANCE;
    }

    /**
     * A new handler (per-connection state: one per HTTP/2 connection) that drains an HTTP/2
     * connection when its {@link io.github.nettyjobs.channel.JobsHandler JobsHandler}
     * {@linkplain io.github.nettyjobs.channel.JobsHandler#drain drains}, with the two-step
     * {@code GOAWAY} of RFC 9113, section 6.8: first with the last stream id 2<sup>31</sup>-1 and a
     * {@code PING}; once the {@code PING} is answered, or the quiet period ends, with the real last
     * stream id. The streams already open are answered; the connection closes once they have ended.
     * Put it in the connection's pipeline after the {@code Http2FrameCodec} (before or after the
     * {@code Http2MultiplexHandler}). An HTTP/1.1 connection needs nothing of the kind: its atomic
     * handler says {@code Connection: close} on its last answer.
     *
     * <pre>{@code
     * ch.pipeline().addLast(Http2FrameCodecBuilder.forServer().build(),
     *         new Http2MultiplexHandler(streamInitializer),
     *         HttpJobs.goAwayOnDrain());
     * }</pre>
     *
     * @return a new handler, for one HTTP/2 connection only
     */
    public static ChannelHandler goAwayOnDrain() {
        return new Http2Drain();
    }

    /**
     * A new {@link HttpObjectAggregator} (per-connection state: one per channel) that never answers
     * ahead of the atomic handler behind it, so that every answer on the wire stays paired with its
     * request when requests are pipelined:
     * <ul>
     *   <li>a request whose body is too large (by its {@code Content-Length}, also one that
     *       {@code Expect}s {@code 100-continue}, or as it arrives) reaches the atomic handler as an
     *       undecodable request: its {@code 413 Request Entity Too Large} goes out in request order
     *       and closes the connection;</li>
     *   <li>a request with an {@code Expect} other than {@code 100-continue} is answered
     *       {@code 417 Expectation Failed} the same way;</li>
     *   <li>a request that {@code Expect}s {@code 100-continue} gets its {@code 100 Continue} once
     *       every earlier request's final response has been written, never before (the client would
     *       take it for an answer to an earlier request); the handler does not see the
     *       {@code Expect}.</li>
     * </ul>
     * It watches the final responses go out on their way through it; put nothing that writes its own
     * final responses between it and the atomic handler.
     *
     * @param maxContentLength the largest body aggregated, in bytes
     * @return a new aggregator, for one channel only
     * @throws IllegalArgumentException if {@code maxContentLength} is negative
     */
    public static HttpObjectAggregator aggregator(int maxContentLength) {
        return new HttpJobsAggregator(maxContentLength);
    }
}
