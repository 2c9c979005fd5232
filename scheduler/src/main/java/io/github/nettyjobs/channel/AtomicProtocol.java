package io.github.nettyjobs.channel;

import io.netty.channel.ChannelHandlerContext;

/**
 * What an {@link AtomicHandler} must know of a protocol, asked on the channel's event loop one
 * request at a time: how to answer what went wrong, whether an answer ends the connection, and the
 * last touches every response gets. An implementation without state of its own (the usual case)
 * can serve every connection.
 *
 * <p>Each method that makes a response may return {@code null}, which means "close the connection
 * without answering": in ordered mode the answers to earlier requests still go out first. A method
 * that throws is a bug of the protocol: the atomic handler logs it and closes the connection
 * without answering. A response a method returns becomes the atomic handler's to write or release.
 *
 * @param <I> the type of the requests
 * @param <O> the type of the responses
 */
public interface AtomicProtocol<I, O> {

    /**
     * The answer when the handler threw, failed its future, or completed it with {@code null} (the
     * atomic handler has logged the failure, once).
     *
     * @param ctx     the context of the atomic handler in the channel's pipeline
     * @param request the request the handler failed on; readable during this call
     * @param cause   what the handler failed with
     * @return the response, or {@code null} to close the connection without answering
     */
    O failureResponse(ChannelHandlerContext ctx, I request, Throwable cause);

    /**
     * The answer when the job could not run to its end: the scheduler refused it (closed, full, or
     * timed out waiting for room: a {@link java.util.concurrent.RejectedExecutionException}), or the
     * job was cancelled, timed out, dropped from the pending queue, or abandoned after its close
     * timeout. Whether the scheduler is closed tells a server going away
     * ({@link ChannelJobs#schedulerOrNull(io.netty.channel.Channel)}{@code .isClosed()}) from one
     * that is only busy.
     *
     * @param ctx     the context of the atomic handler in the channel's pipeline
     * @param request the request whose job did not run to its end; readable during this call
     * @param cause   the spawn's failure, or what the job's {@code join()} failed with
     * @return the response, or {@code null} to close the connection without answering
     */
    O unavailableResponse(ChannelHandlerContext ctx, I request, Throwable cause);

    /**
     * Whether the codec could not decode {@code request}: a non-null cause makes it an undecodable
     * request, answered with {@link #malformedResponse} instead of running a job. Default: never.
     *
     * @param request a request just received, before any job runs for it
     * @return why the request is undecodable, or {@code null} if it is fine
     */
    default Throwable decodeFailure(I request) {
        return null;
    }

    /**
     * The answer to an undecodable request; the connection closes after it, and requests that
     * arrive behind it are released unanswered (the codec cannot be trusted any more). Default:
     * {@code null}, close without answering. Not called when the client has already gone.
     *
     * @param ctx     the context of the atomic handler in the channel's pipeline
     * @param request the undecodable request
     * @param cause   what {@link #decodeFailure} returned
     * @return the response, or {@code null} to close the connection without answering
     */
    default O malformedResponse(ChannelHandlerContext ctx, I request, Throwable cause) {
        return null;
    }

    /**
     * Whether the connection closes once {@code response} (already {@linkplain #prepare prepared})
     * has been written. Default: {@code false}.
     *
     * @param request  the request answered
     * @param response the response about to be written
     * @return {@code true} to close the connection after {@code response}, {@code false} to keep it open
     */
    default boolean closesConnection(I request, O response) {
        return false;
    }

    /**
     * Whether {@code request}, as it arrives, is the last the connection will answer (HTTP's
     * {@code Connection: close}): requests behind it are released unanswered and start no job, and
     * the connection closes after its response. Default: {@code false}.
     *
     * @param request a request just received
     * @return {@code true} if the connection answers {@code request} and then closes
     */
    default boolean isLastRequest(I request) {
        return false;
    }

    /**
     * Last touches before {@code response} is written (framing headers, a line terminator), applied
     * to every response: the handler's, and this protocol's own error answers. Returns the response
     * to write, which may be another object; the one it replaces is then this method's to release.
     * Default: {@code response} unchanged.
     *
     * @param request  the request answered
     * @param response the handler's response or one of this protocol's error answers
     * @return the response to write, or {@code null} to close the connection without answering
     */
    default O prepare(I request, O response) {
        return response;
    }

    /**
     * Marks {@code response} (already {@linkplain #prepare prepared}) as the connection's last:
     * while its {@link JobsHandler} {@linkplain JobsHandler#drain drains}, the answer that leaves the
     * connection with nothing in flight is the last, and the connection closes once it is written.
     * HTTP/1.1 says {@code Connection: close} here. Returns the response to write, which may be
     * another object; the one it replaces is then this method's to release. Default:
     * {@code response} unchanged.
     *
     * @param ctx      the context of the atomic handler in the channel's pipeline
     * @param response the response about to be written, the connection's last
     * @return the response to write, or {@code null} to close the connection without answering
     */
    default O lastResponse(ChannelHandlerContext ctx, O response) {
        return response;
    }

    /**
     * The message a connection with nothing in flight gets before a
     * {@linkplain JobsHandler#drain drain} closes it at the end of its quiet period, for protocols
     * whose clients understand an unsolicited goodbye (a line such as {@code BYE}). Default:
     * {@code null}, close without a word (HTTP/1.1 has no such message).
     *
     * @param ctx the context of the atomic handler in the channel's pipeline
     * @return the goodbye to write before closing, or {@code null} to just close
     */
    default O goodbye(ChannelHandlerContext ctx) {
        return null;
    }

    /**
     * A short description of {@code request} for log lines, such as {@code GET /path}; the atomic
     * handler escapes control characters in it. Default: the request's class name, never its content,
     * which may carry secrets.
     *
     * @param request the request to describe
     * @return the description, leaving out anything secret
     */
    default String describe(I request) {
        return request.getClass().getSimpleName();
    }

    /**
     * A protocol whose every error closes the connection without answering: the default of
     * {@link AtomicHandler.Builder#protocol(AtomicProtocol)}, for protocols that cannot say "error".
     *
     * @param <I> the type of the requests
     * @param <O> the type of the responses
     * @return the shared, stateless instance
     */
    @SuppressWarnings("unchecked")
    static <I, O> AtomicProtocol<I, O> closeOnError() {
        return (AtomicProtocol<I, O>) CloseOnErrorProtocol.INSTANCE;
    }
}
