package io.github.nettyjobs.benchmarks.load;

import io.github.nettyjobs.channel.AsyncHandler;
import io.github.nettyjobs.channel.AtomicHandler;
import io.github.nettyjobs.channel.AtomicProtocol;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.string.StringDecoder;
import io.netty.handler.codec.string.StringEncoder;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A line protocol, for servers that speak their own: each request is a line ({@code PING}), each
 * answer a line ({@code PONG}). The plain route answers from a {@link SimpleChannelInboundHandler};
 * the atomic route from {@link AtomicHandler} over {@code ByteBuf} lines, whose handler returns
 * {@code ctx.executor().newSucceededFuture(answer)}. Both pipelines frame lines with the same
 * {@link LineBasedFrameDecoder}.
 */
final class LineLoadProtocol implements LoadProtocol {

    private static final int MAX_LINE = 1024;
    private static final byte[] PONG = "PONG\n".getBytes(StandardCharsets.US_ASCII);
    private static final AsyncHandler<ByteBuf, ByteBuf> ANSWER =
            (ctx, line) -> ctx.executor().newSucceededFuture(pong(ctx));
    /** Errors close the connection: the load never provokes one. */
    private static final AtomicProtocol<ByteBuf, ByteBuf> PROTOCOL = AtomicProtocol.closeOnError();

    private static ByteBuf pong(ChannelHandlerContext ctx) {
        return ctx.alloc().buffer(PONG.length).writeBytes(PONG);
    }

    @Override
    public String name() {
        return "line";
    }

    @Override
    public void initServer(ChannelPipeline pipeline, Route route) {
        pipeline.addLast(new LineBasedFrameDecoder(MAX_LINE));
        if (route == Route.PLAIN) {
            pipeline.addLast(PlainLineHandler.INSTANCE);
        } else {
            pipeline.addLast(AtomicHandler.builder(ByteBuf.class, ANSWER).protocol(PROTOCOL).build());
        }
    }

    @Override
    public void initClient(ChannelPipeline pipeline) {
        pipeline.addLast(new LineBasedFrameDecoder(MAX_LINE), new StringDecoder(StandardCharsets.US_ASCII),
                new StringEncoder(StandardCharsets.US_ASCII));
    }

    @Override
    public Object newRequest(InetSocketAddress server) {
        return "PING\n";
    }

    @Override
    public boolean isSuccess(Object response) {
        return "PONG".equals(response);
    }

    /** The baseline: answers each line at once, on the connection's loop. */
    @Sharable
    static final class PlainLineHandler extends SimpleChannelInboundHandler<ByteBuf> {

        static final PlainLineHandler INSTANCE = new PlainLineHandler();

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf line) {
            ctx.writeAndFlush(pong(ctx));
        }
    }
}
