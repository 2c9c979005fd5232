package io.github.nettyjobs.http;

import io.github.nettyjobs.Scheduler;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.TooLongHttpContentException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

import java.io.IOException;
import java.util.ArrayDeque;

/**
 * The handler {@link HttpJobs#atomic(AsyncHttpHandler, int)} returns: runs each
 * {@link FullHttpRequest} as a job of the channel's scheduler and writes the responses in request
 * order. Not sharable; its state is confined to the channel's event loop, where each
 * {@link InFlightRequest} brings its outcome back from the scheduler's loop.
 */
final class AtomicHttpHandler extends ChannelInboundHandlerAdapter {

    static final InternalLogger logger = InternalLoggerFactory.getInstance(AtomicHttpHandler.class);

    final AsyncHttpHandler handler;
    private final int maxInFlight;
    /** Requests not answered yet, in arrival order: the head's response is the next to go out. */
    private final ArrayDeque<InFlightRequest> inFlight = new ArrayDeque<>();
    ChannelHandlerContext ctx;
    /** Spawns the scheduler has not admitted yet; the channel does not read while there are any. */
    private int unadmitted;
    /** This handler turned autoRead off and owes turning it back on. */
    private boolean readSuspended;
    /** A request that closes the connection came in: later ones are dropped unanswered. */
    private boolean inputShutdown;
    /** A response that closes the connection went out: nothing more is written. */
    private boolean outputShutdown;
    /** The channel is inactive or this handler was removed. */
    private boolean destroyed;
    private boolean writing;
    private boolean writeAgain;
    private boolean warnedNoScheduler;

    AtomicHttpHandler(AsyncHttpHandler handler, int maxInFlight) {
        this.handler = handler;
        this.maxInFlight = maxInFlight;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest)) {
            ctx.fireChannelRead(msg);
            return;
        }
        FullHttpRequest request = (FullHttpRequest) msg;
        if (inputShutdown || destroyed) {
            // Behind a request that closes the connection (RFC 9112, 9.6), or after teardown: never answered.
            request.release();
            return;
        }
        InFlightRequest exchange = new InFlightRequest(this, request);
        inFlight.addLast(exchange);
        DecoderResult decoded = request.decoderResult();
        if (decoded.isFailure()) {
            inputShutdown = true; // the codec discards everything after a bad request
            exchange.respondNow(statusOf(decoded.cause()), true);
        } else {
            if (!exchange.keepAlive) {
                inputShutdown = true;
            }
            Scheduler scheduler = HttpJobs.schedulerOrNull(ctx.channel());
            if (scheduler != null) {
                exchange.spawn(scheduler); // on the scheduler's loop, may run the whole job right here
            } else {
                warnNoScheduler();
                exchange.respondNow(HttpResponseStatus.INTERNAL_SERVER_ERROR, false);
            }
        }
        updateReading();
    }

    private static HttpResponseStatus statusOf(Throwable decodingFailure) {
        if (decodingFailure instanceof TooLongHttpLineException) {
            return HttpResponseStatus.REQUEST_URI_TOO_LONG;
        }
        if (decodingFailure instanceof TooLongHttpHeaderException) {
            return HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
        }
        if (decodingFailure instanceof TooLongHttpContentException) {
            return HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE;
        }
        return HttpResponseStatus.BAD_REQUEST;
    }

    private void warnNoScheduler() {
        if (!warnedNoScheduler) {
            warnedNoScheduler = true;
            logger.warn("No nettyjobs scheduler for {}: answering 500. Add a JobsHandler to its pipeline,"
                    + " or to its server channel with ServerBootstrap.handler(...)", ctx.channel());
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            writeResponses();
        }
        ctx.fireChannelWritabilityChanged();
    }

    /**
     * A connection reset or broken pipe means the client is gone: the connection closes quietly
     * (logged at debug), and its admitted jobs run on. Anything else goes on down the pipeline.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            if (logger.isDebugEnabled()) {
                logger.debug("{}: I/O error, closing the connection", ctx.channel(), cause);
            }
            ctx.close();
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        destroy();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        destroy();
    }

    /**
     * The one teardown, from channelInactive and handlerRemoved alike: responses not written yet
     * are released, spawns still waiting for room are withdrawn, and jobs already admitted run on
     * (each releases its request and response when it ends).
     */
    private void destroy() {
        if (destroyed) {
            return;
        }
        destroyed = true;
        for (InFlightRequest exchange; (exchange = inFlight.pollFirst()) != null; ) {
            exchange.abandon();
        }
        unadmitted = 0;
        if (readSuspended) {
            // Matters when the handler leaves a live pipeline: reading must not stay off for good.
            readSuspended = false;
            ctx.channel().config().setAutoRead(true);
        }
    }

    boolean isDestroyed() {
        return destroyed;
    }

    boolean isOutputShutdown() {
        return outputShutdown;
    }

    /** A spawn had to wait for the scheduler to admit it. */
    void spawnWaiting() {
        unadmitted++;
    }

    /** A spawn that had to wait is admitted, or failed. */
    void spawnAdmitted() {
        unadmitted--;
        updateReading();
    }

    /**
     * Reads only while every spawn is admitted and fewer than {@code maxInFlight} requests are
     * unanswered. Only an autoRead this handler turned off is turned back on.
     */
    private void updateReading() {
        if (destroyed) {
            return;
        }
        ChannelConfig config = ctx.channel().config();
        if (unadmitted > 0 || inFlight.size() >= maxInFlight) {
            if (!readSuspended && config.isAutoRead()) {
                readSuspended = true;
                config.setAutoRead(false);
            }
        } else if (readSuspended) {
            readSuspended = false;
            config.setAutoRead(true);
        }
    }

    /**
     * Writes the responses at the head of the queue that are ready, in order, while the channel is
     * writable. Reentrancy: a write or flush can fire channelWritabilityChanged, and so this method,
     * synchronously; the nested call only asks the running one for another pass.
     */
    void writeResponses() {
        if (writing) {
            writeAgain = true;
            return;
        }
        writing = true;
        boolean wrote = false;
        try {
            do {
                writeAgain = false;
                boolean wroteNow = false;
                InFlightRequest head;
                while (!outputShutdown && (head = inFlight.peekFirst()) != null && head.hasResponse()
                        && ctx.channel().isWritable()) {
                    inFlight.pollFirst();
                    boolean close = head.closesConnection();
                    FullHttpResponse response = head.takeResponse();
                    if (close) {
                        outputShutdown = true;
                        ctx.write(response).addListener(ChannelFutureListener.CLOSE);
                    } else {
                        ctx.write(response).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
                    }
                    wroteNow = true;
                }
                if (wroteNow) {
                    wrote = true;
                    ctx.flush();
                }
            } while (writeAgain);
        } finally {
            writing = false;
        }
        if (wrote) {
            updateReading();
        }
    }

    @Override
    public String toString() {
        return "AtomicHttpHandler{inFlight=" + inFlight.size() + ", maxInFlight=" + maxInFlight + '}';
    }
}
