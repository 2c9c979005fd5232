package io.github.nettyjobs.channel;

import io.netty.channel.ChannelHandlerContext;

/** {@link AtomicProtocol#closeOnError()}: stateless, so one instance serves every connection and thread. */
final class CloseOnErrorProtocol implements AtomicProtocol<Object, Object> {

    static final CloseOnErrorProtocol INSTANCE = new CloseOnErrorProtocol();

    private CloseOnErrorProtocol() {
    }

    @Override
    public Object failureResponse(ChannelHandlerContext ctx, Object request, Throwable cause) {
        return null;
    }

    @Override
    public Object unavailableResponse(ChannelHandlerContext ctx, Object request, Throwable cause) {
        return null;
    }

    @Override
    public String toString() {
        return "AtomicProtocol.closeOnError()";
    }
}
