package io.github.nettyjobs.channel;

import io.github.nettyjobs.Job;
import io.github.nettyjobs.JobOutcome;
import io.github.nettyjobs.internal.LogText;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

/**
 * The protocol's answers for one {@link AtomicHandler}, asked on the channel's event loop: every
 * call into the {@link AtomicProtocol} is guarded (one that throws is logged and counts as "close
 * without answering"), and a failing handler is logged here, once, at WARN.
 *
 * @param <I> the type of the requests
 * @param <O> the type of the responses
 */
final class ProtocolAnswers<I, O> {

    /** The atomic handler's logger: what users configure, whichever class logs. */
    static final InternalLogger logger = InternalLoggerFactory.getInstance(AtomicHandler.class);

    private final AtomicProtocol<I, O> protocol;

    ProtocolAnswers(AtomicProtocol<I, O> protocol) {
        this.protocol = protocol;
    }

    AtomicProtocol<I, O> protocol() {
        return protocol;
    }

    /**
     * Whether a job whose {@code join()} did not succeed failed on its own (the handler threw or
     * failed its future: a failure) rather than being cut short by its scheduler (cancelled, timed
     * out, dropped or abandoned: unavailable). Decided by the job's outcome, not by the exception,
     * so that a handler failing with its own {@code TimeoutException} is still a failure.
     */
    static boolean failedOnItsOwn(Job<?> job, Future<?> joined) {
        JobOutcome outcome = job.outcome();
        if (outcome == null) {
            return !joined.isCancelled(); // a closed job always has its outcome; never reached
        }
        return outcome == JobOutcome.FAILED;
    }

    /** The request's decoding failure, or {@code null}; a protocol that throws makes it undecodable. */
    Throwable decodeFailure(ChannelHandlerContext ctx, I request) {
        try {
            return protocol.decodeFailure(request);
        } catch (Throwable t) {
            protocolFailed(ctx, "decodeFailure", t);
            return t;
        }
    }

    boolean isLastRequest(ChannelHandlerContext ctx, I request) {
        try {
            return protocol.isLastRequest(request);
        } catch (Throwable t) {
            protocolFailed(ctx, "isLastRequest", t);
            return true;
        }
    }

    /** Logs a failure of the handler, once per request, at WARN. */
    void logFailure(ChannelHandlerContext ctx, I request, Throwable cause) {
        logger.warn("{} {}: the atomic handler failed", ctx.channel(), describe(request), cause);
    }

    /** The answer to a failure, logged by the caller. */
    O failureResponse(ChannelHandlerContext ctx, I request, Throwable cause) {
        try {
            return protocol.failureResponse(ctx, request, cause);
        } catch (Throwable t) {
            protocolFailed(ctx, "failureResponse", t);
            return null;
        }
    }

    O unavailable(ChannelHandlerContext ctx, I request, Throwable cause) {
        if (logger.isDebugEnabled()) {
            logger.debug("{} {}: the job did not run to its end: {}", ctx.channel(), describe(request),
                    LogText.escape(cause.toString())); // a job's name is in its timeout's message
        }
        try {
            return protocol.unavailableResponse(ctx, request, cause);
        } catch (Throwable t) {
            protocolFailed(ctx, "unavailableResponse", t);
            return null;
        }
    }

    O malformed(ChannelHandlerContext ctx, I request, Throwable cause) {
        if (logger.isDebugEnabled()) {
            logger.debug("{} {}: undecodable request: {}", ctx.channel(), describe(request),
                    LogText.escape(cause.toString()));
        }
        try {
            return protocol.malformedResponse(ctx, request, cause);
        } catch (Throwable t) {
            protocolFailed(ctx, "malformedResponse", t);
            return null;
        }
    }

    /** The response to write, or {@code null} (close without answering) if the protocol failed to prepare it. */
    O prepare(ChannelHandlerContext ctx, I request, O response) {
        try {
            return protocol.prepare(request, response);
        } catch (Throwable t) {
            protocolFailed(ctx, "prepare", t);
            ReferenceCountUtil.safeRelease(response);
            return null;
        }
    }

    /** The connection's last response, or {@code null} (close without answering) if the protocol failed. */
    O lastResponse(ChannelHandlerContext ctx, O response) {
        try {
            return protocol.lastResponse(ctx, response);
        } catch (Throwable t) {
            protocolFailed(ctx, "lastResponse", t);
            ReferenceCountUtil.safeRelease(response);
            return null;
        }
    }

    /** The goodbye before a drain closes an idle connection, or {@code null}. */
    O goodbye(ChannelHandlerContext ctx) {
        try {
            return protocol.goodbye(ctx);
        } catch (Throwable t) {
            protocolFailed(ctx, "goodbye", t);
            return null;
        }
    }

    boolean closesConnection(ChannelHandlerContext ctx, I request, O response) {
        try {
            return protocol.closesConnection(request, response);
        } catch (Throwable t) {
            protocolFailed(ctx, "closesConnection", t);
            return true;
        }
    }

    /** The protocol's description of {@code request}, safe for a log line. */
    String describe(I request) {
        String description;
        try {
            description = protocol.describe(request);
        } catch (Throwable t) {
            description = request.getClass().getSimpleName();
        }
        return LogText.escape(description);
    }

    private void protocolFailed(ChannelHandlerContext ctx, String method, Throwable t) {
        logger.warn("{}: {}.{} threw; closing the connection", ctx.channel(), protocol.getClass().getName(), method, t);
    }

    @Override
    public String toString() {
        return "ProtocolAnswers{" + protocol + '}';
    }
}
