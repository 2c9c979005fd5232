package io.github.nettyjobs.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/** An {@link AsyncHttpHandler} whose responses the test gives, request by request, through promises. */
final class ControlledHandler implements AsyncHttpHandler {

    private final BlockingQueue<Call> calls = new LinkedBlockingQueue<>();
    private final AtomicInteger count = new AtomicInteger();

    @Override
    public Future<FullHttpResponse> handle(ChannelHandlerContext ctx, FullHttpRequest request) {
        Promise<FullHttpResponse> promise = ctx.executor().newPromise();
        count.incrementAndGet();
        calls.add(new Call(ctx, request, promise));
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
        final FullHttpRequest request;
        final Promise<FullHttpResponse> promise;

        Call(ChannelHandlerContext ctx, FullHttpRequest request, Promise<FullHttpResponse> promise) {
            this.ctx = ctx;
            this.request = request;
            this.promise = promise;
        }

        String uri() {
            return request.uri();
        }

        /** Answers with 200 and {@code body}. */
        void respond(String body) {
            promise.setSuccess(Messages.ok(body));
        }
    }
}
