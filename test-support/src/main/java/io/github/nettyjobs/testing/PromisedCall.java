package io.github.nettyjobs.testing;

import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.Promise;

/**
 * One call of a {@link PromisedCalls} handler: what it was given, and the promise of its answer,
 * which the test completes.
 *
 * @param <Q> the request type
 * @param <R> the response type
 */
public class PromisedCall<Q, R> {

    /** The context the handler was called with. */
    public final ChannelHandlerContext ctx;
    /** The request the handler was given. */
    public final Q request;
    /** The handler's answer, for the test to complete. */
    public final Promise<R> promise;

    /** A call with {@code request} on {@code ctx}, answered through {@code promise}. */
    protected PromisedCall(ChannelHandlerContext ctx, Q request, Promise<R> promise) {
        this.ctx = ctx;
        this.request = request;
        this.promise = promise;
    }
}
