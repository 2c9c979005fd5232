package io.github.nettyjobs.benchmarks.load;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpUtil;

/**
 * The baseline route: a plain Netty handler that answers every request at once with
 * {@link HelloResponses#hello}, honouring keep-alive as the atomic route does. Stateless, so shared.
 */
@Sharable
final class PlainHttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    static final PlainHttpHandler INSTANCE = new PlainHttpHandler();

    private PlainHttpHandler() {
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        FullHttpResponse response = HelloResponses.hello(ctx.alloc());
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        HttpUtil.setKeepAlive(response, keepAlive);
        if (keepAlive) {
            ctx.writeAndFlush(response, ctx.voidPromise());
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
