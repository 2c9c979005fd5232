package io.github.nettyjobs.testing;

import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * An asynchronous handler whose answers the test gives, call by call, through promises: each call
 * returns a new promise of the handler's loop, and the test takes the calls in order with
 * {@link #next()}. A subclass implements the handler interface of its protocol, which
 * {@link #handle} fits, and makes the calls, which may keep what they need of the request.
 *
 * @param <Q> the request type
 * @param <R> the response type
 * @param <C> the type of a call
 */
public abstract class PromisedCalls<Q, R, C extends PromisedCall<Q, R>> {

    private final BlockingQueue<C> calls = new LinkedBlockingQueue<>();
    private final AtomicInteger count = new AtomicInteger();

    /** A call with {@code request} on {@code ctx}, answered through {@code promise}. */
    protected abstract C newCall(ChannelHandlerContext ctx, Q request, Promise<R> promise);

    /** Records the call and returns its promise, which the test completes. */
    public Future<R> handle(ChannelHandlerContext ctx, Q request) {
        Promise<R> promise = ctx.executor().newPromise();
        count.incrementAndGet();
        calls.add(newCall(ctx, request, promise));
        return promise;
    }

    /** The next call, waiting at most 5 seconds for it. */
    public C next() throws InterruptedException {
        C call = calls.poll(5, TimeUnit.SECONDS);
        assertNotNull(call, "the handler was not called");
        return call;
    }

    /** How many times the handler was called. */
    public int count() {
        return count.get();
    }
}
