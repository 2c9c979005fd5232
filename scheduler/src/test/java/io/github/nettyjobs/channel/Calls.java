package io.github.nettyjobs.channel;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/** An {@link AsyncHandler} of lines whose answers the test gives, call by call, through promises. */
final class Calls implements AsyncHandler<ByteBuf, ByteBuf> {

    private final BlockingQueue<Call> calls = new LinkedBlockingQueue<>();
    private final AtomicInteger count = new AtomicInteger();

    @Override
    public Future<ByteBuf> handle(ChannelHandlerContext ctx, ByteBuf request) {
        Promise<ByteBuf> promise = ctx.executor().newPromise();
        count.incrementAndGet();
        calls.add(new Call(ctx, request, Lines.text(request), promise));
        return promise;
    }

    /** The next call, waiting at most 5 seconds for it. */
    Call next() throws InterruptedException {
        Call call = calls.poll(5, TimeUnit.SECONDS);
        assertNotNull(call, "the handler was not called");
        return call;
    }

    /** How many times the handler was called. */
    int count() {
        return count.get();
    }

    /** One call of the handler. */
    static final class Call {
        final ChannelHandlerContext ctx;
        final ByteBuf request;
        final String line;
        final Promise<ByteBuf> promise;

        Call(ChannelHandlerContext ctx, ByteBuf request, String line, Promise<ByteBuf> promise) {
            this.ctx = ctx;
            this.request = request;
            this.line = line;
            this.promise = promise;
        }

        /** Answers with {@code text} (the protocol adds the line end). */
        void respond(String text) {
            promise.setSuccess(Lines.buffer(text));
        }
    }
}
