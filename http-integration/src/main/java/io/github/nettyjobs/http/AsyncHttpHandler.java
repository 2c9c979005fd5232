package io.github.nettyjobs.http;

import io.github.nettyjobs.channel.AsyncHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;

/**
 * Answers one HTTP request with a future response; called on the event loop of the channel's
 * scheduler by the handler that {@link HttpJobs#atomic(AsyncHttpHandler)} returns, as
 * {@link AsyncHandler} explains.
 *
 * <p>The request stays readable until the returned future is done and is released after that: the
 * handler must not release it, and must {@code retain()} what it keeps for later. The response
 * becomes nettyjobs' to frame ({@code Content-Length}, {@code Connection}), write or release; the
 * handler must not write it itself. A failed future, a {@code null} response, or a thrown exception
 * gives {@code 500 Internal Server Error}.
 */
@FunctionalInterface
public interface AsyncHttpHandler extends AsyncHandler<FullHttpRequest, FullHttpResponse> {
}
