package io.github.nettyjobs.channel;

import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.Future;

/**
 * Answers one request with a future response; called on the event loop of the channel's scheduler,
 * as the task of the job an {@link AtomicHandler} runs for the request.
 *
 * <p>That loop is the channel's own when the scheduler is a per-channel one, or comes from a
 * {@link io.github.nettyjobs.SchedulerGroup} that holds the channel's loop; otherwise it is another
 * loop, and the handler must not touch the channel's state except through thread-safe calls. The
 * request stays usable until the returned future is done; a reference-counted request is released
 * after that, so the handler must not release it, and must {@code retain()} what it keeps for later.
 * The response becomes the atomic handler's to write or release; the handler must not write it.
 *
 * @param <I> the type of the requests
 * @param <O> the type of the responses
 */
@FunctionalInterface
public interface AsyncHandler<I, O> {

    /**
     * Starts answering {@code request}.
     *
     * @param ctx     the context of the atomic handler in the channel's pipeline
     * @param request the request; released (if reference-counted) once the returned future is done
     * @return the future response, never {@code null}; a failed future or a {@code null} response is
     *         answered with the protocol's {@link AtomicProtocol#failureResponse failure response}
     * @throws Exception to be answered with the protocol's failure response
     */
    Future<O> handle(ChannelHandlerContext ctx, I request) throws Exception;
}
