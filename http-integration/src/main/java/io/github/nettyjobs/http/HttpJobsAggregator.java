package io.github.nettyjobs.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpContentException;
import io.netty.util.ReferenceCountUtil;

import java.net.SocketAddress;

/**
 * {@link HttpJobs#aggregator(int)}, per connection and confined to its event loop as its superclass:
 * an {@link HttpObjectAggregator} that never answers ahead of the atomic handler behind it. A request
 * whose body is too large, or whose {@code Expect} it cannot meet, goes on as an undecodable request
 * (answered {@code 413} or {@code 417} in request order); a {@code 100 Continue} waits until every
 * earlier request has its final response on the way, since a client pairs responses with requests by
 * their order. It sees those responses as they pass it on their way out: it is an outbound handler
 * too, and passes every outbound operation on unchanged.
 */
final class HttpJobsAggregator extends HttpObjectAggregator implements ChannelOutboundHandler {

    /** No request waits for its {@code 100 Continue}. */
    private static final long NONE = -1;

    /** Requests that reached this aggregator, whole or as a head; each is owed one final response. */
    private long requests;
    /** Final responses written through this handler to their last content. */
    private long answered;
    /** A final response's head went out and its last content has not yet. */
    private boolean inFinalResponse;
    /** The number (from 0) of the request whose {@code 100 Continue} waits for the earlier answers. */
    private long continueDue = NONE;
    /** Why the request being aggregated is turned away before its body, once its head is in. */
    private Throwable rejection;
    /** The channel went inactive or this handler was removed: nothing more is aggregated. */
    private boolean closed;

    HttpJobsAggregator(int maxContentLength) {
        super(maxContentLength);
    }

    /**
     * Counts requests, whole or as a head, before the superclass aggregates them. After the teardown
     * nothing is aggregated: what still arrives is released, and so is what the superclass started
     * while a close ran inside this call (a write's listener can close the channel, and some channels
     * fire {@code channelInactive} at once), since nothing else would release it.
     */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (closed) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest) {
            requests++;
        }
        try {
            super.channelRead(ctx, msg);
        } finally {
            if (closed) {
                releaseCurrentMessage();
            }
        }
    }

    /**
     * Never an answer from here: an unmet expectation and a too-large body are turned away below, in
     * request order, and a {@code 100 Continue} goes out once every earlier request is answered.
     */
    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        if (!(start instanceof HttpRequest) || start.decoderResult().isFailure()) {
            return null;
        }
        String expectation = start.headers().get(HttpHeaderNames.EXPECT);
        if (expectation != null && start.protocolVersion().compareTo(HttpVersion.HTTP_1_1) >= 0
                && !HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(expectation)) {
            rejection = new ExpectationFailedException(expectation);
        } else if (HttpUtil.is100ContinueExpected(start) && !isContentLengthInvalid(start, maxContentLength)) {
            // Answered here: the handler behind never sees the expectation.
            start.headers().remove(HttpHeaderNames.EXPECT);
            sendContinue(requests - 1);
        }
        return null;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        closed = true;
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) throws Exception {
        closed = true;
        super.handlerRemoved(ctx);
    }

    /** A request turned away by {@link #newContinueResponse} counts as too large: it ends up below. */
    @Override
    protected boolean isContentLengthInvalid(HttpMessage start, int maxContentLength) {
        return rejection != null || super.isContentLengthInvalid(start, maxContentLength);
    }

    /**
     * Passes the request's head on without its body, marked undecodable; the body still arriving is
     * discarded by the superclass. The superclass releases {@code oversized} after this returns.
     */
    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) throws Exception {
        Throwable cause = rejection;
        rejection = null;
        if (!(oversized instanceof HttpRequest)) {
            super.handleOversizedMessage(ctx, oversized);
            return;
        }
        if (cause == null) {
            cause = new TooLongHttpContentException("content length exceeded " + maxContentLength() + " bytes");
        }
        HttpRequest head = (HttpRequest) oversized;
        FullHttpRequest rejected = new DefaultFullHttpRequest(head.protocolVersion(), head.method(), head.uri(),
                Unpooled.EMPTY_BUFFER);
        rejected.headers().set(head.headers());
        rejected.setDecoderResult(DecoderResult.failure(cause));
        ctx.fireChannelRead(rejected);
    }

    /** Sends the {@code 100 Continue} of request {@code number} now if every earlier one is answered, else later. */
    private void sendContinue(long number) {
        if (answered >= number) {
            writeContinue().addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            ctx().flush();
        } else {
            continueDue = number;
        }
    }

    private ChannelFuture writeContinue() {
        return ctx().write(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE,
                Unpooled.EMPTY_BUFFER));
    }

    // ---- outbound: counting the final responses on their way out ----

    /**
     * Passes {@code msg} on; once it ends a final response (the last content after a head of status
     * {@code 200} or more), a {@code 100 Continue} that waited for it follows it, flushed with it.
     */
    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse && ((HttpResponse) msg).status().code() >= 200) {
            inFinalResponse = true;
        }
        boolean ends = inFinalResponse && msg instanceof LastHttpContent;
        ctx.write(msg, promise);
        if (ends) {
            inFinalResponse = false;
            answered++;
            if (continueDue != NONE && answered >= continueDue) {
                continueDue = NONE;
                writeContinue().addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            }
        }
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
        ctx.read();
    }

    @Override
    public void bind(ChannelHandlerContext ctx, SocketAddress localAddress, ChannelPromise promise) {
        ctx.bind(localAddress, promise);
    }

    @Override
    public void connect(ChannelHandlerContext ctx, SocketAddress remoteAddress, SocketAddress localAddress,
            ChannelPromise promise) {
        ctx.connect(remoteAddress, localAddress, promise);
    }

    @Override
    public void disconnect(ChannelHandlerContext ctx, ChannelPromise promise) {
        ctx.disconnect(promise);
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        ctx.close(promise);
    }

    @Override
    public void deregister(ChannelHandlerContext ctx, ChannelPromise promise) {
        ctx.deregister(promise);
    }

    @Override
    public String toString() {
        return "HttpJobs.aggregator(" + maxContentLength() + ')';
    }
}
