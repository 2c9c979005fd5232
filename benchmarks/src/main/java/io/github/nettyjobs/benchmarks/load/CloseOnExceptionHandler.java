package io.github.nettyjobs.benchmarks.load;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * The last handler of both routes of the load harness: closes a connection whose socket failed
 * (load generators reset their connections when they stop) instead of logging it. Stateless, so
 * shared.
 */
@Sharable
final class CloseOnExceptionHandler extends ChannelInboundHandlerAdapter {

    static final CloseOnExceptionHandler INSTANCE = new CloseOnExceptionHandler();

    private CloseOnExceptionHandler() {
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
