package io.github.nettyjobs.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.TooLongHttpContentException;

/**
 * {@link HttpJobs#aggregator(int)}, per connection and confined to its event loop as its superclass:
 * an {@link HttpObjectAggregator} that does not answer a request whose body is too large itself,
 * but hands it on as an undecodable request (its decoder result a
 * {@link TooLongHttpContentException}), so that the atomic handler behind it answers {@code 413} in
 * request order.
 */
final class HttpJobsAggregator extends HttpObjectAggregator {

    HttpJobsAggregator(int maxContentLength) {
        super(maxContentLength);
    }

    /** No {@code 413} in place of {@code 100 Continue}: the oversized path below answers it, in order. */
    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        if (start instanceof HttpRequest && HttpUtil.is100ContinueExpected(start)
                && HttpUtil.getContentLength(start, -1L) > maxContentLength) {
            return null;
        }
        return super.newContinueResponse(start, maxContentLength, pipeline);
    }

    /**
     * Passes the request's head on without its body, marked undecodable; the body still arriving is
     * discarded by the superclass. The superclass releases {@code oversized} after this returns.
     */
    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) throws Exception {
        if (!(oversized instanceof HttpRequest)) {
            super.handleOversizedMessage(ctx, oversized);
            return;
        }
        HttpRequest head = (HttpRequest) oversized;
        FullHttpRequest rejected = new DefaultFullHttpRequest(head.protocolVersion(), head.method(), head.uri(),
                Unpooled.EMPTY_BUFFER);
        rejected.headers().set(head.headers());
        rejected.setDecoderResult(DecoderResult.failure(
                new TooLongHttpContentException("content length exceeded " + maxContentLength() + " bytes")));
        ctx.fireChannelRead(rejected);
    }

    @Override
    public String toString() {
        return "HttpJobs.aggregator(" + maxContentLength() + ')';
    }
}
