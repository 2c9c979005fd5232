package io.github.nettyjobs.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.util.concurrent.Future;

/**
 * Answers one HTTP request with a future response; run as a job by the handler that
 * {@link HttpJobs#atomic(AsyncHttpHandler)} returns.
 *
 * <p>It is called on the event loop of the channel's scheduler (the channel's own loop when the
 * scheduler is a per-channel one or comes from a {@link io.github.nettyjobs.SchedulerGroup} that
 * holds that loop). The request stays readable until the returned future is done and is released
 * after that: the handler must not release it, and must {@code retain()} what it keeps for later.
 * The response becomes nettyjobs' to write or release; the handler must not write it itself.
 */
@FunctionalInterface
public interface AsyncHttpHandler {

    /**
     * Starts answering {@code request}.
     *
     * @param ctx     the context of the atomic handler in the channel's pipeline
     * @param request the request; nettyjobs releases it once the returned future is done
     * @return the future response, never {@code null}; a failed future or a {@code null} response
     *         gives {@code 500 Internal Server Error}
     * @throws Exception to answer {@code 500 Internal Server Error}
     */
    Future<FullHttpResponse> handle(ChannelHandlerContext ctx, FullHttpRequest request) throws Exception;
}
