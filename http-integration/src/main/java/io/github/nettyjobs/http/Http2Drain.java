package io.github.nettyjobs.http;

import io.github.nettyjobs.channel.DrainEvent;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.DefaultHttp2PingFrame;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2PingFrame;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

/**
 * Drains one HTTP/2 connection, {@link HttpJobs#goAwayOnDrain()}: not sharable, confined to the
 * connection's event loop. On {@link DrainEvent#STARTED} it sends the first {@code GOAWAY} of RFC
 * 9113's graceful shutdown (section 6.8), whose last stream id 2<sup>31</sup>-1 refuses nothing but
 * tells the client to open no more streams, and a {@code PING}. Once the {@code PING} is answered
 * (one round trip: streams the client opened before it saw the first {@code GOAWAY} have arrived)
 * or the drain's quiet period ends, whichever comes first, it sends the second {@code GOAWAY} with
 * the real last stream id, and closes the connection once every stream still open has ended (the
 * drain's timeout closes it if one never does).
 */
final class Http2Drain extends ChannelInboundHandlerAdapter {

    private static final InternalLogger logger = InternalLoggerFactory.getInstance(Http2Drain.class);

    /** The payload of the round-trip {@code PING}, to tell its acknowledgement from others. */
    static final long PING_CONTENT = 0x6e6a2d647261696eL; // "nj-drain"

    private static final int ST_SERVING = 0;
    private static final int ST_GOING_AWAY = 1;
    private static final int ST_CLOSING = 2;

    private int state;

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == DrainEvent.STARTED) {
            goingAway(ctx);
        } else if (evt == DrainEvent.QUIET_PERIOD_ENDED) {
            goingAway(ctx);
            close(ctx);
        }
        ctx.fireUserEventTriggered(evt);
    }

    /** Consumes the acknowledgement of its own {@code PING}; passes everything else on. */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Http2PingFrame) {
            Http2PingFrame ping = (Http2PingFrame) msg;
            if (ping.ack() && ping.content() == PING_CONTENT) {
                close(ctx);
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    private void goingAway(ChannelHandlerContext ctx) {
        if (state != ST_SERVING) {
            return;
        }
        state = ST_GOING_AWAY;
        if (logger.isDebugEnabled()) {
            logger.debug("{}: draining: GOAWAY with the last stream id 2^31-1, then a PING", ctx.channel());
        }
        ctx.write(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR).setExtraStreamIds(Integer.MAX_VALUE));
        ctx.writeAndFlush(new DefaultHttp2PingFrame(PING_CONTENT));
    }

    /**
     * The second {@code GOAWAY}, with the real last stream id; the connection closes once the
     * streams up to it have ended.
     */
    private void close(ChannelHandlerContext ctx) {
        if (state != ST_GOING_AWAY) {
            return;
        }
        state = ST_CLOSING;
        if (logger.isDebugEnabled()) {
            logger.debug("{}: draining: GOAWAY with the last stream id, closing once the streams have ended",
                    ctx.channel());
        }
        ctx.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR));
        Http2ConnectionHandler codec = ctx.pipeline().get(Http2ConnectionHandler.class);
        if (codec == null || codec.connection().numActiveStreams() == 0) {
            ctx.channel().close();
            return;
        }
        Http2Connection connection = codec.connection();
        connection.addListener(new Http2ConnectionAdapter() {
            @Override
            public void onStreamClosed(Http2Stream stream) {
                if (connection.numActiveStreams() == 0) {
                    ctx.channel().close();
                }
            }
        });
    }

    @Override
    public String toString() {
        return "Http2Drain{" + (state == ST_SERVING ? "serving}" : state == ST_GOING_AWAY ? "going away}" : "closing}");
    }
}
