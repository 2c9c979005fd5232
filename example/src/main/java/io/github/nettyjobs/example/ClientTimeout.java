package io.github.nettyjobs.example;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection that sends no complete request for a while, unless one of its requests is
 * still being answered; per connection, confined to its event loop. Placed behind the codec, where
 * only whole requests are read, it also closes a client that trickles a request one byte at a time
 * (an idle timeout in front of the codec would see each byte as activity). A client waiting for a
 * long atomic job is not idle: its request is unanswered.
 */
final class ClientTimeout extends IdleStateHandler {

    private final Class<?> requestType;
    private final Class<?> responseType;
    /** Requests read and not answered yet. */
    private int unanswered;

    ClientTimeout(Duration timeout, Class<?> requestType, Class<?> responseType) {
        super(timeout.toNanos(), 0, 0, TimeUnit.NANOSECONDS);
        this.requestType = requestType;
        this.responseType = responseType;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (requestType.isInstance(msg)) {
            unanswered++;
        }
        super.channelRead(ctx, msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (responseType.isInstance(msg) && unanswered > 0) {
            unanswered--;
        }
        super.write(ctx, msg, promise);
    }

    @Override
    protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent evt) {
        if (unanswered == 0) {
            ctx.close();
        }
    }

    @Override
    public String toString() {
        return "ClientTimeout{" + getReaderIdleTimeInMillis() + " ms, unanswered=" + unanswered + '}';
    }
}
