package io.github.nettyjobs.channel;

import io.github.nettyjobs.Scheduler;
import io.github.nettyjobs.internal.LogText;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.internal.logging.InternalLogger;

import java.io.IOException;
import java.util.ArrayDeque;

import static java.util.Objects.requireNonNull;

/**
 * Runs each request of one channel as a job of the channel's scheduler and writes the answers;
 * not sharable, and confined to the channel's event loop (the jobs themselves run on the
 * scheduler's). The counterpart of aiojobs' aiohttp {@code @atomic} for any protocol: put it
 * behind the codec that decodes whole requests of type {@code I}, and bind the channel, or a parent
 * channel, with a {@link JobsHandler}.
 *
 * <ul>
 *   <li>Each inbound message of the request type runs the {@link AsyncHandler} as a job; other
 *       messages pass on unchanged.</li>
 *   <li>The job runs to its end even if the connection goes away, and the scheduler's
 *       {@code waitAndClose()} waits for it. A spawn still waiting for room when the connection
 *       goes away is withdrawn: no job had started. (With NIO a connection whose reading is paused
 *       notices a disconnect only once it reads again, after its spawn was admitted, so that job
 *       runs.) A {@link JobsHandler#perChannel(Scheduler.Builder) per-channel} scheduler closes with
 *       the connection and so cancels its jobs: bind atomic connections to a shared scheduler.</li>
 *   <li>Ordered (the default), responses go out in request order however the jobs finish;
 *       unordered, each goes out as its job ends, for protocols whose responses carry request
 *       ids.</li>
 *   <li>Backpressure: the channel stops reading ({@code autoRead} off) while a spawn waits for
 *       room or {@code maxInFlight} requests are unanswered (a response held back for ordering
 *       still counts), and reads again once neither holds. {@code maxInFlight} is a hard bound:
 *       requests decoded beyond it (one read can decode many) wait here, unspawned, until an answer
 *       goes out; they are never refused for it. Responses wait while the channel is not
 *       writable.</li>
 *   <li>An answer that closes the connection (an undecodable request's, a last request's, one that
 *       {@link AtomicProtocol#closesConnection closes}, or "close without answering") goes out after
 *       the answers to every request before it, in both modes. No request behind it is processed
 *       any more: those received later, or still waiting here or for room in the scheduler, never
 *       start a job; the jobs the scheduler has already admitted run to their end, their answers
 *       released.</li>
 *   <li>What went wrong is answered by the {@link AtomicProtocol}: a failing handler (logged here,
 *       once, at WARN), a refused or cut-short job, an undecodable request (the connection closes
 *       after its answer). Every response, error answers included, is
 *       {@linkplain AtomicProtocol#prepare prepared} by the protocol before it goes out.</li>
 *   <li>A reference-counted request is released once its job has ended and its answer is made; a
 *       response that cannot be written (the connection is gone or closing) is released.</li>
 *   <li>A connection-level I/O error, or an exception once the connection is gone (a client that
 *       vanished mid-message), closes the connection quietly, at DEBUG; other exceptions pass on.</li>
 *   <li>While its {@link JobsHandler} {@linkplain JobsHandler#drain drains}
 *       ({@link DrainEvent}), the answer that leaves the connection with nothing in flight is its
 *       last ({@linkplain AtomicProtocol#lastResponse marked} by the protocol), and an idle
 *       connection closes at the end of the quiet period, after the protocol's
 *       {@linkplain AtomicProtocol#goodbye goodbye} if it has one.</li>
 * </ul>
 *
 * <pre>{@code
 * ch.pipeline().addLast(new LineBasedFrameDecoder(1024),
 *         AtomicHandler.builder(ByteBuf.class, (ctx, line) -> answer(ctx, line))
 *                 .protocol(myProtocol)
 *                 .build());                         // a new handler for each channel
 * }</pre>
 *
 * @param <I> the type of the requests
 * @param <O> the type of the responses
 */
public final class AtomicHandler<I, O> extends ChannelInboundHandlerAdapter {

    /** The default of {@link Builder#maxInFlight(int)}: requests unanswered per connection before it stops reading. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 16;

    private static final InternalLogger logger = ProtocolAnswers.logger;

    // The input's states, in the only order it moves through them (IN_OPEN may jump to IN_DESTROYED).
    /** Requests are taken in. */
    private static final int IN_OPEN = 0;
    /**
     * An undecodable request, a last request, or an answer that closes the connection came: later
     * requests are released unanswered.
     */
    private static final int IN_SHUT = 1;
    /** The channel is inactive or this handler was removed. */
    private static final int IN_DESTROYED = 2;
    /** How deep a cause chain is searched for an I/O error. */
    private static final int MAX_CAUSE_DEPTH = 8;

    private final Class<? extends I> requestType;
    private final AsyncHandler<I, O> handler;
    private final ProtocolAnswers<I, O> answers;
    private final ResponseQueue<I, O> responses;
    private final ReadGate gate;
    /** Requests received beyond maxInFlight, in arrival order: not spawned until an answer goes out. */
    private final ArrayDeque<I> deferred = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    /** The channel's scheduler, as last looked up; see {@link #scheduler(ChannelHandlerContext)}. */
    private Scheduler scheduler;
    /** The input's state ({@code IN_*}), forward only. */
    private int input = IN_OPEN;
    private boolean warnedNoScheduler;
    /** The handler whose drains this connection takes part in, once looked up; see {@link #drainStarted()}. */
    private JobsHandler drainer;
    private boolean drainerLookedUp;
    private boolean takingDeferred;

    private AtomicHandler(Builder<I, O> config) {
        this.requestType = config.requestType;
        this.handler = config.handler;
        this.answers = new ProtocolAnswers<>(config.protocol);
        this.responses = new ResponseQueue<>(config.ordered, answers, () -> !deferred.isEmpty(), this::drainStarted);
        this.gate = new ReadGate(config.maxInFlight);
    }

    /**
     * A builder of atomic handlers that run {@code handler} for each inbound message of
     * {@code requestType}, with the defaults: {@link AtomicProtocol#closeOnError()}, at most
     * {@value #DEFAULT_MAX_IN_FLIGHT} requests in flight, ordered.
     *
     * @param requestType the class of the requests; inbound messages of other types pass on unchanged
     * @param handler     answers each request, as the task of its job
     * @param <I>         the type of the requests
     * @param <O>         the type of the responses
     * @return a new builder
     * @throws NullPointerException if an argument is {@code null}
     */
    public static <I, O> Builder<I, O> builder(Class<? extends I> requestType, AsyncHandler<I, O> handler) {
        return new Builder<>(requireNonNull(requestType, "requestType"), requireNonNull(handler, "handler"));
    }

    // ---- channel events ----

    /** Remembers the context the exchanges answer through. */
    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        responses.attach(ctx);
        gate.attach(ctx.channel());
    }

    /**
     * Runs a request of the request type as a job (or answers it at once if it is undecodable or the
     * channel has no scheduler); passes anything else on.
     */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!requestType.isInstance(msg)) {
            ctx.fireChannelRead(msg);
            return;
        }
        @SuppressWarnings("unchecked")
        I request = (I) msg;
        if (input != IN_OPEN || responses.isOutputShutdown()) {
            // Behind an undecodable or a last request, a closing answer, or after teardown: never answered.
            ReferenceCountUtil.release(request);
            return;
        }
        if (!deferred.isEmpty() || responses.size() >= gate.maxInFlight()) {
            // maxInFlight is a hard bound: one read can decode more requests than it allows.
            deferred.addLast(request);
        } else {
            accept(ctx, request);
        }
        gate.update(unanswered());
    }

    /** Requests received and not answered yet, those waiting unspawned beyond maxInFlight included. */
    private int unanswered() {
        return responses.size() + deferred.size();
    }

    /** Takes a request in: answers it at once if undecodable, else runs it as a job. */
    private void accept(ChannelHandlerContext ctx, I request) {
        Throwable undecodable = answers.decodeFailure(ctx, request);
        if (undecodable != null) {
            acceptUndecodable(ctx, request, undecodable);
        } else {
            boolean last = answers.isLastRequest(ctx, request);
            if (last) {
                shutInput();
            }
            Exchange<I, O> exchange = new Exchange<>(this, request, last);
            responses.add(exchange);
            Scheduler scheduler = scheduler(ctx);
            if (scheduler != null) {
                exchange.spawn(scheduler); // on the scheduler's loop, may run the whole job right here
            } else {
                warnNoScheduler();
                exchange.answerNoScheduler(new IllegalStateException(ChannelJobs.noSchedulerMessage(ctx.channel())));
            }
        }
    }

    /** Answers an undecodable request, in its turn, and takes no more: the codec cannot be trusted after it. */
    private void acceptUndecodable(ChannelHandlerContext ctx, I request, Throwable undecodable) {
        shutInput();
        if (!ctx.channel().isActive()) {
            if (logger.isDebugEnabled()) {
                logger.debug("{}: the client went away in the middle of a request: {}", ctx.channel(),
                        LogText.escape(undecodable.toString()));
            }
            ReferenceCountUtil.release(request);
            return;
        }
        Exchange<I, O> exchange = new Exchange<>(this, request, true);
        responses.add(exchange);
        exchange.answerMalformed(undecodable);
    }

    /**
     * Takes the requests that waited beyond maxInFlight while there is room. Reentrancy: a request
     * taken here may be answered at once and call back through {@link #answered()}; the nested call
     * leaves the work to this loop.
     */
    private void takeDeferred() {
        if (takingDeferred) {
            return;
        }
        takingDeferred = true;
        try {
            while (input == IN_OPEN && !deferred.isEmpty() && responses.size() < gate.maxInFlight()) {
                accept(ctx, deferred.pollFirst());
            }
        } finally {
            takingDeferred = false;
        }
        if (input != IN_OPEN) {
            releaseDeferred();
        }
    }

    /** Open → shut: later requests are released unanswered; a shut or destroyed input stays as it is. */
    private void shutInput() {
        if (input == IN_OPEN) {
            input = IN_SHUT;
        }
    }

    private void releaseDeferred() {
        for (I request; (request = deferred.pollFirst()) != null; ) {
            ReferenceCountUtil.release(request);
        }
    }

    /**
     * The channel's scheduler, looked up for the first request and again only once it is closed
     * (the lookup walks channel attributes and the parent's group; a closed scheduler may have been
     * replaced, and a spawn on it fails as it should if not).
     */
    private Scheduler scheduler(ChannelHandlerContext ctx) {
        Scheduler scheduler = this.scheduler;
        if (scheduler == null || scheduler.isClosed()) {
            this.scheduler = scheduler = ChannelJobs.schedulerOrNull(ctx.channel());
        }
        return scheduler;
    }

    private void warnNoScheduler() {
        if (!warnedNoScheduler) {
            warnedNoScheduler = true;
            logger.warn("{}: answering with the protocol's failure response",
                    ChannelJobs.noSchedulerMessage(ctx.channel()));
        }
    }

    /**
     * Whether the {@link JobsHandler} whose drains this connection takes part in has started one:
     * from that moment the answer that leaves the connection idle is its last, even while the
     * drain's event is still on its way here.
     */
    private boolean drainStarted() {
        if (!drainerLookedUp) {
            drainer = JobsHandler.drainerOf(ctx.channel());
            drainerLookedUp = drainer != null; // bound later, perhaps: looked up again
        }
        return drainer != null && drainer.isDraining();
    }

    /**
     * Acts on a {@link DrainEvent} (the answer that leaves the connection with nothing in flight
     * becomes its last; at the end of the quiet period an idle connection closes), and passes every
     * event on.
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof DrainEvent && input != IN_DESTROYED) {
            responses.startDraining();
            if (evt == DrainEvent.QUIET_PERIOD_ENDED && responses.closeIfIdle()) {
                shutInput();
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    /** Writes the responses that waited for the channel to become writable. */
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            answered();
        }
        ctx.fireChannelWritabilityChanged();
    }

    /**
     * A connection-level I/O error, or any exception once the connection is gone (a codec noticing
     * that the client vanished in the middle of a message), closes the connection quietly: logged
     * at DEBUG, and the admitted jobs run on. Anything else goes on down the pipeline.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!ctx.channel().isActive() || isIoError(cause)) {
            if (logger.isDebugEnabled()) {
                logger.debug("{}: the connection failed or its client went away; closing it", ctx.channel(), cause);
            }
            ctx.close();
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    private static boolean isIoError(Throwable cause) {
        Throwable t = cause;
        for (int depth = 0; t != null && depth < MAX_CAUSE_DEPTH; depth++, t = t.getCause()) {
            if (t instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    /** Tears down (see {@link #destroy()}); the admitted jobs run on. */
    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        destroy();
        ctx.fireChannelInactive();
    }

    /** Tears down (see {@link #destroy()}), and reading goes on if this handler had paused it. */
    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        destroy();
    }

    /**
     * The one teardown, from channelInactive and handlerRemoved alike: responses not written yet
     * are released, spawns still waiting for room are withdrawn, and jobs already admitted run on
     * (each releases its request and response when it ends). Reading is switched back on if this
     * handler had switched it off.
     */
    private void destroy() {
        if (input == IN_DESTROYED) {
            return;
        }
        input = IN_DESTROYED;
        releaseDeferred();
        responses.destroy();
        gate.destroy();
    }

    // ---- for the exchanges, on the channel's loop ----

    ChannelHandlerContext ctx() {
        return ctx;
    }

    AsyncHandler<I, O> handler() {
        return handler;
    }

    ProtocolAnswers<I, O> answers() {
        return answers;
    }

    boolean isOutputShutdown() {
        return responses.isOutputShutdown();
    }

    /** A spawn had to wait for the scheduler to admit it. */
    void spawnWaiting() {
        gate.spawnWaiting();
    }

    /** A spawn that had to wait is admitted, or failed. */
    void spawnAdmitted() {
        gate.spawnAdmitted();
        gate.update(unanswered());
    }

    /**
     * {@code closer}'s answer closes the connection: no request behind it is processed any more.
     * Those received later or still waiting beyond maxInFlight are released, spawns waiting for
     * room are withdrawn, and the answers of admitted jobs behind it are released.
     */
    void closing(Exchange<I, O> closer) {
        shutInput();
        releaseDeferred();
        for (int withdrawn = responses.abandonBehind(closer); withdrawn > 0; withdrawn--) {
            gate.spawnAdmitted();
        }
    }

    /** An exchange has its answer, or the channel became writable: write what may go out. */
    void answered() {
        if (input == IN_DESTROYED) {
            return;
        }
        if (responses.flush()) {
            takeDeferred();
            gate.update(unanswered());
        }
    }

    /** The request type, the mode, the requests unanswered, the limit, and whether it is torn down. */
    @Override
    public String toString() {
        return "AtomicHandler{" + requestType.getSimpleName() + ", " + (responses.isOrdered() ? "ordered" : "unordered")
                + ", unanswered=" + responses.size() + ", maxInFlight=" + gate.maxInFlight()
                + (deferred.isEmpty() ? "" : ", waiting=" + deferred.size())
                + (gate.unadmitted() > 0 ? ", unadmitted=" + gate.unadmitted() : "")
                + (input == IN_DESTROYED ? ", closed}" : "}");
    }

    /**
     * Reusable configuration of {@link AtomicHandler}s; not thread-safe, so configure it on one
     * thread, then {@link #build()} from any.
     *
     * @param <I> the type of the requests
     * @param <O> the type of the responses
     */
    public static final class Builder<I, O> {

        private final Class<? extends I> requestType;
        private final AsyncHandler<I, O> handler;
        private AtomicProtocol<I, O> protocol = AtomicProtocol.closeOnError();
        private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;
        private boolean ordered = true;

        private Builder(Class<? extends I> requestType, AsyncHandler<I, O> handler) {
            this.requestType = requestType;
            this.handler = handler;
        }

        /**
         * How the handlers answer what went wrong and frame their responses; default
         * {@link AtomicProtocol#closeOnError()}.
         *
         * @param protocol the protocol, which may be shared by any number of handlers if it has no state
         * @return this builder
         * @throws NullPointerException if {@code protocol} is {@code null}
         */
        public Builder<I, O> protocol(AtomicProtocol<I, O> protocol) {
            this.protocol = requireNonNull(protocol, "protocol");
            return this;
        }

        /**
         * How many received requests may be unanswered (running, waiting for room, or answered but
         * held back for ordering or writability) before the channel stops reading; default
         * {@value AtomicHandler#DEFAULT_MAX_IN_FLIGHT}. A hard bound: requests decoded beyond it wait
         * in the handler, unspawned, until an answer goes out.
         *
         * @param maxInFlight the most requests unanswered per connection while it keeps reading; at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code maxInFlight} is less than 1
         */
        public Builder<I, O> maxInFlight(int maxInFlight) {
            if (maxInFlight < 1) {
                throw new IllegalArgumentException("maxInFlight: " + maxInFlight + " (expected: >= 1)");
            }
            this.maxInFlight = maxInFlight;
            return this;
        }

        /**
         * Whether responses go out in request order (default {@code true}); {@code false} writes each
         * as its job ends, for protocols whose responses carry request ids.
         *
         * @param ordered {@code true} for request order, {@code false} for completion order
         * @return this builder
         */
        public Builder<I, O> ordered(boolean ordered) {
            this.ordered = ordered;
            return this;
        }

        /**
         * A new handler with this configuration; each channel needs its own.
         *
         * @return a new, non-sharable handler
         */
        public AtomicHandler<I, O> build() {
            return new AtomicHandler<>(this);
        }

        /** The request type, the protocol and the settings. */
        @Override
        public String toString() {
            return "AtomicHandler.Builder{" + requestType.getSimpleName() + ", " + protocol
                    + ", maxInFlight=" + maxInFlight + (ordered ? ", ordered}" : ", unordered}");
        }
    }
}
