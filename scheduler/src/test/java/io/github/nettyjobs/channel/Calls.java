package io.github.nettyjobs.channel;

import io.github.nettyjobs.testing.PromisedCall;
import io.github.nettyjobs.testing.PromisedCalls;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.Promise;

/** An {@link AsyncHandler} of lines whose answers the test gives, call by call, through promises. */
final class Calls extends PromisedCalls<ByteBuf, ByteBuf, Calls.Call> implements AsyncHandler<ByteBuf, ByteBuf> {

    @Override
    protected Call newCall(ChannelHandlerContext ctx, ByteBuf request, Promise<ByteBuf> promise) {
        return new Call(ctx, request, promise);
    }

    /** One call of the handler, with its line read when it was made (the request is released later). */
    static final class Call extends PromisedCall<ByteBuf, ByteBuf> {
        final String line;

        Call(ChannelHandlerContext ctx, ByteBuf request, Promise<ByteBuf> promise) {
            super(ctx, request, promise);
            this.line = Lines.text(request);
        }

        /** Answers with {@code text} (the protocol adds the line end). */
        void respond(String text) {
            promise.setSuccess(Lines.buffer(text));
        }
    }
}
