package io.github.nettyjobs.example;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;

/**
 * Tells HTTP/2 with prior knowledge (h2c, as a load balancer speaks it to its servers) from
 * HTTP/1.1 by the first bytes of a connection, then puts the handlers of that protocol in its place
 * and hands them what it has read. Per connection: not sharable, on the connection's event loop.
 */
final class CleartextProtocols extends ByteToMessageDecoder {

    /** What an HTTP/2 client sends first (RFC 9113, section 3.4); no HTTP/1.1 request starts so. */
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final Supplier<List<ChannelHandler>> http1;
    private final Supplier<List<ChannelHandler>> http2;

    /**
     * @param http1 the handlers of an HTTP/1.1 connection, new for each
     * @param http2 the handlers of an HTTP/2 connection, new for each
     */
    CleartextProtocols(Supplier<List<ChannelHandler>> http1, Supplier<List<ChannelHandler>> http2) {
        this.http1 = http1;
        this.http2 = http2;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int n = Math.min(in.readableBytes(), PREFACE.length);
        for (int i = 0; i < n; i++) {
            if (in.getByte(in.readerIndex() + i) != PREFACE[i]) {
                become(ctx, http1.get());
                return;
            }
        }
        if (n == PREFACE.length) {
            become(ctx, http2.get());
        }
    }

    /** Puts {@code handlers} after this one and leaves; the bytes read so far go on to them. */
    private void become(ChannelHandlerContext ctx, List<ChannelHandler> handlers) {
        ChannelPipeline pipeline = ctx.pipeline();
        String after = ctx.name();
        for (int i = 0; i < handlers.size(); i++) {
            String name = after + '-' + i;
            pipeline.addAfter(after, name, handlers.get(i));
            after = name;
        }
        pipeline.remove(this);
    }
}
