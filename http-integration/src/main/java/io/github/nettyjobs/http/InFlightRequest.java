package io.github.nettyjobs.http;

import io.github.nettyjobs.Job;
import io.github.nettyjobs.Scheduler;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;
import io.netty.util.concurrent.ImmediateEventExecutor;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;

/**
 * One request of an {@link AtomicHttpHandler}, from its arrival to its response. To keep the hot
 * path to one allocation of its own it is the job's task, the listener of the spawn and join
 * futures, and the {@link Runnable} that carries the work between the two event loops involved.
 *
 * <p>Threads: the spawn, {@link #call()} and the listener run on the scheduler's loop, which is the
 * channel's own in the common case. When it is not, the spawn travels there first, so that the
 * listener is attached in the loop turn the job is admitted in: a job that fails at once reports
 * its failure only a turn later, and the listener's {@code join()} claims it before that. The
 * scheduler's loop writes {@link #handlerFuture} and {@link #joined} before it dispatches
 * {@link #run()} to the channel's loop, which owns the response and the admission bookkeeping.
 */
final class InFlightRequest implements Callable<Future<FullHttpResponse>>, GenericFutureListener<Future<Object>>,
        Runnable {

    private static final VarHandle ENDED;

    static {
        try {
            ENDED = MethodHandles.lookup().findVarHandle(InFlightRequest.class, "ended", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final AtomicHttpHandler owner;
    private final FullHttpRequest request;
    final boolean keepAlive;
    private final boolean http10;
    /** A HEAD response describes a body it does not carry: its headers stay as the handler set them. */
    private final boolean head;
    private Scheduler scheduler;

    // Written on the scheduler's loop, read on the channel's loop after a dispatch.
    private Future<FullHttpResponse> handlerFuture;
    private Future<FullHttpResponse> joined;

    // Shared by both loops: the spawn future is cancelled from the channel's loop.
    private volatile Future<Job<FullHttpResponse>> spawned;
    /** The channel is gone or the handler removed; a spawn not admitted yet is withdrawn. */
    private volatile boolean abandoned;

    // The channel's loop.
    private boolean unadmitted;
    private FullHttpResponse response;
    private boolean closeAfter;
    /** The outcome has been handled; claimed with a compare-and-set (see operationComplete). */
    private boolean ended;

    InFlightRequest(AtomicHttpHandler owner, FullHttpRequest request) {
        this.owner = owner;
        this.request = request;
        this.keepAlive = HttpUtil.isKeepAlive(request);
        this.http10 = HttpVersion.HTTP_1_0.equals(request.protocolVersion());
        this.head = HttpMethod.HEAD.equals(request.method());
    }

    // ---- channel's loop ----

    /**
     * Spawns the job on {@code scheduler}. On the scheduler's own loop this may admit the job, run
     * it and end it before it returns; from another loop the spawn is handed over there.
     */
    void spawn(Scheduler scheduler) {
        this.scheduler = scheduler;
        EventExecutor schedulerLoop = scheduler.executor();
        if (schedulerLoop.inEventLoop()) {
            spawnOnSchedulerLoop();
            if (!spawned.isDone() && !abandoned) {
                waitForAdmission(); // the listener fires later, on this loop
            }
            return;
        }
        waitForAdmission();
        try {
            schedulerLoop.execute(this); // run() spawns there
        } catch (RejectedExecutionException schedulerLoopShutDown) {
            spawned = ImmediateEventExecutor.INSTANCE.newFailedFuture(schedulerLoopShutDown);
            run();
        }
    }

    private void waitForAdmission() {
        unadmitted = true;
        owner.spawnWaiting();
    }

    /** Answers without a job: a request the codec rejected, or a channel without a scheduler. */
    void respondNow(HttpResponseStatus status, boolean close) {
        request.release();
        respond(errorResponse(status), close);
    }

    /**
     * The channel is gone or the handler removed: the response is released instead of written, a
     * spawn not admitted yet is withdrawn, an admitted job runs on.
     */
    void abandon() {
        abandoned = true;
        unadmitted = false;
        FullHttpResponse response = this.response;
        if (response != null) {
            this.response = null;
            response.release();
        }
        Future<Job<FullHttpResponse>> spawned = this.spawned;
        if (spawned != null && !spawned.isDone()) {
            spawned.cancel(false); // fails once the scheduler has admitted the job
        }
    }

    boolean hasResponse() {
        return response != null;
    }

    boolean closesConnection() {
        return closeAfter;
    }

    FullHttpResponse takeResponse() {
        FullHttpResponse response = this.response;
        this.response = null;
        return response;
    }

    /**
     * On the scheduler's loop, before the spawn: spawns. On the channel's loop: brings the spawn's
     * and the job's progress over; a stale call does nothing.
     */
    @Override
    public void run() {
        Future<Job<FullHttpResponse>> spawned = this.spawned;
        if (spawned == null) {
            spawnOnSchedulerLoop();
            return;
        }
        if (!spawned.isDone()) {
            return;
        }
        if (unadmitted) {
            unadmitted = false;
            owner.spawnAdmitted();
        }
        if (spawned.isSuccess()) {
            Future<FullHttpResponse> joined = this.joined;
            if (joined == null || !joined.isDone()) {
                return; // the job is running
            }
        }
        if (ENDED.compareAndSet(this, false, true)) {
            end(true);
        }
    }

    // ---- scheduler's loop ----

    private void spawnOnSchedulerLoop() {
        Future<Job<FullHttpResponse>> spawned;
        if (abandoned) {
            spawned = ImmediateEventExecutor.INSTANCE.newPromise(); // withdrawn on its way here
            spawned.cancel(false);
        } else {
            spawned = scheduler.spawn(this); // admitted at once, or waiting for room
        }
        this.spawned = spawned;
        if (abandoned && !spawned.isDone()) {
            spawned.cancel(false); // withdrawn meanwhile: abandon() may not have seen the future
        }
        spawned.addListener(this); // in the admission's loop turn: see the class comment
    }

    /** The job's task. */
    @Override
    public Future<FullHttpResponse> call() throws Exception {
        Future<FullHttpResponse> future = owner.handler.handle(owner.ctx, request);
        handlerFuture = future;
        return future;
    }

    /** Listener of the spawn future and of the join future; runs on the scheduler's loop. */
    @Override
    @SuppressWarnings("unchecked")
    public void operationComplete(Future<Object> future) {
        boolean spawnDone = (Object) future == spawned;
        if (spawnDone && future.isSuccess()) {
            // Joined before the job could report a failure to the scheduler's exception handler, so
            // the failure comes here, exactly once, and this handler alone logs it.
            Future<FullHttpResponse> joined = ((Job<FullHttpResponse>) future.getNow()).join();
            this.joined = joined;
            joined.addListener(this); // may call back at once
        }
        EventExecutor loop = owner.ctx.executor();
        if (loop.inEventLoop()) {
            run();
            return;
        }
        try {
            loop.execute(this);
        } catch (RejectedExecutionException channelLoopShutDown) {
            // Nobody will write: release what is held here. Only the job's end, or a failed spawn,
            // is the last event; ENDED guards against a run() already queued on the channel's loop.
            boolean last = !spawnDone || !future.isSuccess();
            if (last && ENDED.compareAndSet(this, false, true)) {
                end(false);
            }
        }
    }

    // ---- the outcome, once ----

    /**
     * Turns the outcome into a response and hands it to the owner, or only releases what is held
     * when {@code deliver} is false (the channel's loop is gone).
     */
    private void end(boolean deliver) {
        Future<Job<FullHttpResponse>> spawned = this.spawned;
        if (!spawned.isSuccess()) {
            request.release(); // the task was never called
            if (deliver && !spawned.isCancelled()) {
                // Rejected: the scheduler is closed, or its loop is shut down.
                respond(errorResponse(HttpResponseStatus.SERVICE_UNAVAILABLE), true);
            }
            return;
        }
        Future<FullHttpResponse> joined = this.joined;
        FullHttpResponse response;
        boolean close = false;
        if (joined.isSuccess()) {
            response = joined.getNow();
            if (response == null) {
                logFailure(new NullPointerException("the handler's future completed with a null response"));
                response = errorResponse(HttpResponseStatus.INTERNAL_SERVER_ERROR);
            }
            request.release(); // the job ended with its handler's future
        } else if (joined.isCancelled()) {
            // Closed by its scheduler: dropped while pending, cancelled, or abandoned after the close
            // timeout with its handler still running.
            releaseWhenHandlerDone();
            response = errorResponse(HttpResponseStatus.SERVICE_UNAVAILABLE);
            close = true;
        } else {
            logFailure(joined.cause());
            request.release();
            response = errorResponse(HttpResponseStatus.INTERNAL_SERVER_ERROR);
        }
        if (deliver) {
            respond(response, close);
        } else {
            ReferenceCountUtil.release(response);
        }
    }

    /** After a cancelled join: the handler may still be using the request, and may still produce a response. */
    private void releaseWhenHandlerDone() {
        Future<FullHttpResponse> future = handlerFuture;
        if (future == null) {
            request.release(); // never called, or threw
        } else if (future.isDone()) {
            releaseLate(future);
        } else {
            future.addListener(done -> releaseLate(future));
        }
    }

    private void releaseLate(Future<FullHttpResponse> future) {
        request.release();
        if (future.isSuccess()) {
            ReferenceCountUtil.release(future.getNow());
        }
    }

    private void logFailure(Throwable cause) {
        AtomicHttpHandler.logger.warn("{} {} {}: the atomic handler failed (500 Internal Server Error)",
                owner.ctx.channel(), request.method(), request.uri(), cause);
    }

    /** Sets the framing headers and queues the response, or releases it if it cannot go out. */
    private void respond(FullHttpResponse response, boolean forceClose) {
        if (abandoned || owner.isDestroyed() || owner.isOutputShutdown()) {
            response.release();
            return;
        }
        HttpHeaders headers = response.headers();
        boolean close = forceClose || !keepAlive
                || headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE, true);
        setContentLength(response, headers);
        if (close) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (http10) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        this.response = response;
        this.closeAfter = close;
        owner.writeResponses();
    }

    private void setContentLength(FullHttpResponse response, HttpHeaders headers) {
        int code = response.status().code();
        if (code < 200 || code == 204) {
            // Never a body, never a length (RFC 9110, 8.6).
            headers.remove(HttpHeaderNames.CONTENT_LENGTH);
        } else if (!head && code != 304 && !HttpUtil.isTransferEncodingChunked(response)) {
            HttpUtil.setContentLength(response, response.content().readableBytes());
        }
    }

    static FullHttpResponse errorResponse(HttpResponseStatus status) {
        byte[] body = (status + "\n").getBytes(StandardCharsets.US_ASCII);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN);
        return response;
    }

    @Override
    public String toString() {
        return "InFlightRequest{" + request.method() + ' ' + request.uri() + (hasResponse() ? ", answered}" : "}");
    }
}
