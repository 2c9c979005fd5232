package io.github.nettyjobs.channel;

import io.github.nettyjobs.Job;
import io.github.nettyjobs.JobOutcome;
import io.github.nettyjobs.Scheduler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;
import io.netty.util.concurrent.ImmediateEventExecutor;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;

/**
 * One request of an {@link AtomicHandler}, from its arrival to its answer. To keep the hot path to
 * one allocation of its own it is the job's task, the listener of the spawn and join futures, and
 * the {@link Runnable} that carries the work between the two event loops involved.
 *
 * <p>Threads: the spawn, {@link #call()} and the listener run on the scheduler's loop, which is the
 * channel's own in the common case. When it is not, the spawn travels there first, so that the
 * listener is attached in the loop turn the job is admitted in: a job that fails at once reports
 * its failure only a turn later, and the listener's {@code join()} claims it before that. The
 * scheduler's loop writes {@link #job}, {@link #handlerFuture} and {@link #joined} before it
 * dispatches {@link #run()} to the channel's loop, which owns the answer and the admission
 * bookkeeping.
 *
 * @param <I> the type of the requests
 * @param <O> the type of the responses
 */
final class Exchange<I, O> implements Callable<Future<O>>, GenericFutureListener<Future<Object>>, Runnable {

    private static final VarHandle ENDED;

    static {
        try {
            ENDED = MethodHandles.lookup().findVarHandle(Exchange.class, "ended", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final AtomicHandler<I, O> owner;
    private final I request;
    /** The protocol said, as the request arrived, that the connection closes after its answer. */
    private final boolean lastRequest;
    private Scheduler scheduler;

    // Written on the scheduler's loop, read on the channel's loop after a dispatch.
    private Job<O> job;
    private Future<O> handlerFuture;
    private Future<O> joined;

    // Shared by both loops: the spawn future is cancelled from the channel's loop.
    private volatile Future<Job<O>> spawned;
    /** The channel is gone or the handler removed; a spawn not admitted yet is withdrawn. */
    private volatile boolean abandoned;

    // The channel's loop.
    private boolean unadmitted;
    private boolean answered;
    private O response;
    private boolean closeAfter;
    /** The outcome has been handled; claimed with a compare-and-set (see operationComplete). */
    private boolean ended;

    Exchange(AtomicHandler<I, O> owner, I request, boolean lastRequest) {
        this.owner = owner;
        this.request = request;
        this.lastRequest = lastRequest;
    }

    // ---- channel's loop ----

    /**
     * Spawns the job on {@code scheduler}. On the scheduler's own loop this may admit the job, run
     * it and answer before it returns; from another loop the spawn is handed over there.
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

    /** Answers an undecodable request without a job; the connection closes after the answer. */
    void answerMalformed(Throwable cause) {
        answer(owner.answers().malformed(owner.ctx(), request, cause), true);
        ReferenceCountUtil.release(request);
    }

    /** Answers without a job: the channel has no scheduler. */
    void answerNoScheduler(Throwable cause) {
        answer(owner.answers().failureResponse(owner.ctx(), request, cause), false);
        ReferenceCountUtil.release(request);
    }

    /**
     * The channel is gone or the handler removed, or an earlier answer closes the connection: the
     * response is released instead of written, a spawn not admitted yet is withdrawn, an admitted
     * job runs on. Returns whether a spawn was waiting for room, for the read gate's count.
     */
    boolean abandon() {
        boolean wasUnadmitted = unadmitted;
        abandoned = true;
        unadmitted = false;
        releaseResponse();
        Future<Job<O>> spawned = this.spawned;
        if (spawned != null && !spawned.isDone()) {
            spawned.cancel(false); // fails once the scheduler has admitted the job
        }
        return wasUnadmitted;
    }

    boolean isAnswered() {
        return answered;
    }

    boolean closesAfter() {
        return closeAfter;
    }

    /** The response to write, or {@code null} for "close without answering"; the queue owns it now. */
    O takeResponse() {
        O response = this.response;
        this.response = null;
        return response;
    }

    void releaseResponse() {
        O response = this.response;
        if (response != null) {
            this.response = null;
            ReferenceCountUtil.release(response);
        }
    }

    /**
     * On the scheduler's loop, before the spawn: spawns. On the channel's loop: brings the spawn's
     * and the job's progress over; a stale call does nothing.
     */
    @Override
    public void run() {
        Future<Job<O>> spawned = this.spawned;
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
            Future<O> joined = this.joined;
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
        Future<Job<O>> spawned;
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
        if (spawned.isDone()) {
            operationComplete(spawnedAsObject()); // admitted (or refused) at once: no listener needed
        } else {
            spawned.addListener(this); // in the admission's loop turn: see the class comment
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private Future<Object> spawnedAsObject() {
        return (Future) spawned;
    }

    /** The job's task. */
    @Override
    public Future<O> call() throws Exception {
        Future<O> future = owner.handler().handle(owner.ctx(), request);
        handlerFuture = future;
        return future;
    }

    /** Listener of the spawn future and of the join future; runs on the scheduler's loop. */
    @Override
    @SuppressWarnings("unchecked")
    public void operationComplete(Future<Object> future) {
        boolean spawnDone = (Object) future == spawned;
        if (spawnDone && future.isSuccess()) {
            Job<O> job = (Job<O>) future.getNow();
            this.job = job;
            if (job.outcome() == JobOutcome.SUCCEEDED) {
                // Ended inside its spawn, with its handler's future: that future is the outcome, and
                // a success is never reported, so there is nothing to claim with a join.
                this.joined = handlerFuture;
            } else {
                // Joined before the job could report a failure to the scheduler's exception handler,
                // so the failure comes here, exactly once, and the atomic handler alone logs it.
                Future<O> joined = job.join();
                this.joined = joined;
                if (!joined.isDone()) {
                    joined.addListener(this); // calls back when the job ends; run() below notes the admission
                }
            }
        }
        EventExecutor loop = owner.ctx().executor();
        if (loop.inEventLoop()) {
            run();
            return;
        }
        try {
            loop.execute(this);
        } catch (RejectedExecutionException channelLoopShutDown) {
            // Nobody will write: release what is held here. The job's end, a failed spawn, or an
            // admission whose job already ended inside the spawn is the last event; ENDED guards
            // against a run() already queued on the channel's loop.
            boolean last = !spawnDone || !future.isSuccess() || joined.isDone();
            if (last && ENDED.compareAndSet(this, false, true)) {
                end(false);
            }
        }
    }

    // ---- the outcome, once ----

    /**
     * Turns the outcome into an answer, or only releases what is held when {@code deliver} is false
     * (the channel's loop is gone). A handler's failure is logged either way. The request is
     * released last: the protocol may read it (a request id, a version) to make its answer.
     */
    private void end(boolean deliver) {
        ChannelHandlerContext ctx = owner.ctx();
        ProtocolAnswers<I, O> answers = owner.answers();
        boolean answering = deliver && !abandoned;
        Future<Job<O>> spawned = this.spawned;
        if (!spawned.isSuccess()) {
            if (answering && !spawned.isCancelled()) {
                // Refused: the scheduler is closed or full, its loop is shut down, or the wait timed out.
                answer(answers.unavailable(ctx, request, spawned.cause()), false);
            }
            ReferenceCountUtil.release(request); // the task was never called
            return;
        }
        Future<O> joined = this.joined;
        if (joined.isSuccess()) {
            O response = joined.getNow();
            if (response == null) {
                Throwable cause = new NullPointerException("the handler's future completed with a null response");
                answers.logFailure(ctx, request, cause);
                response = answering ? answers.failureResponse(ctx, request, cause) : null;
            }
            answerOrRelease(response, answering);
            ReferenceCountUtil.release(request); // the job ended with its handler's future
        } else if (ProtocolAnswers.failedOnItsOwn(job, joined)) {
            answers.logFailure(ctx, request, joined.cause());
            answerOrRelease(answering ? answers.failureResponse(ctx, request, joined.cause()) : null, answering);
            ReferenceCountUtil.release(request);
        } else {
            // Cut short by its scheduler: the handler may still be using the request, and may still
            // produce a response.
            answerOrRelease(answering ? answers.unavailable(ctx, request, joined.cause()) : null, answering);
            releaseWhenHandlerDone();
        }
    }

    private void answerOrRelease(O response, boolean answering) {
        if (answering) {
            answer(response, false);
        } else {
            ReferenceCountUtil.release(response);
        }
    }

    private void releaseWhenHandlerDone() {
        Future<O> future = handlerFuture;
        if (future == null) {
            ReferenceCountUtil.release(request); // never called, or threw
        } else if (future.isDone()) {
            releaseLate(future);
        } else {
            future.addListener(done -> releaseLate(future));
        }
    }

    private void releaseLate(Future<O> future) {
        ReferenceCountUtil.release(request);
        if (future.isSuccess()) {
            ReferenceCountUtil.release(future.getNow());
        }
    }

    /**
     * Gives the exchange its answer: {@code response} prepared by the protocol, or {@code null} to
     * close without answering. Released at once if it can no longer go out.
     */
    private void answer(O response, boolean forceClose) {
        if (abandoned || owner.isOutputShutdown()) {
            ReferenceCountUtil.release(response);
            if (!abandoned) {
                markAnswered(null, true); // leaves the queue without a write
            }
            return;
        }
        ChannelHandlerContext ctx = owner.ctx();
        ProtocolAnswers<I, O> answers = owner.answers();
        boolean close = forceClose || lastRequest || response == null;
        if (response != null) {
            response = answers.prepare(ctx, request, response);
            close = close || response == null || answers.closesConnection(ctx, request, response);
        }
        if (close) {
            owner.closing(this); // nothing behind this answer is processed any more
        }
        markAnswered(response, close);
    }

    private void markAnswered(O response, boolean close) {
        this.response = response;
        this.closeAfter = close;
        this.answered = true;
        owner.answered();
    }

    @Override
    public String toString() {
        return "Exchange{" + request.getClass().getSimpleName() + (answered ? ", answered}" : "}");
    }
}
