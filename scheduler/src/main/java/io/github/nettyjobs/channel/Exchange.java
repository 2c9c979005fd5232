package io.github.nettyjobs.channel;

import io.github.nettyjobs.Job;
import io.github.nettyjobs.JobOutcome;
import io.github.nettyjobs.Scheduler;
import io.github.nettyjobs.internal.VarHandles;
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
 * <p>Two lifecycles, each written by one loop only:
 * <ul>
 *   <li>The answer's, {@link #state}, owned by the channel's loop (release stores; the scheduler's
 *       loop reads it to see an abandoned exchange): {@link #ST_RECEIVED}, then
 *       {@link #ST_WAITING_FOR_ROOM} and {@link #ST_ADMITTED} if the spawn has to wait, then
 *       {@link #ST_ANSWERED} or {@link #ST_LAST_ANSWER}; {@link #ST_ABANDONED} from any of them.
 *       Forward only.</li>
 *   <li>The job's, {@link #phase}, owned by the scheduler's loop: {@link #PH_SPAWNING} until the
 *       spawn completes, {@link #PH_RUNNING} while the job runs with the join's listener attached,
 *       {@link #PH_ENDED} once the outcome is known. The listener tells the spawn's completion
 *       from the job's end by it.</li>
 * </ul>
 * The outcome is turned into an answer once: {@link #outcomeTaken}, the one field both loops
 * write, is claimed by compare-and-set (by the channel's loop, or by the scheduler's loop when the
 * channel's loop has shut down).
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

    // The answer's states, in the only order an exchange moves through them (any may jump to ST_ABANDONED).
    /** Received: its spawn is on its way, or its job runs. */
    static final int ST_RECEIVED = 0;
    /** Its spawn waits for room in the scheduler; the read gate counts it. */
    static final int ST_WAITING_FOR_ROOM = 1;
    /** A spawn that had to wait is admitted, or refused; the read gate no longer counts it. */
    static final int ST_ADMITTED = 2;
    /** Answered: {@link #response} waits for its turn to be written. */
    static final int ST_ANSWERED = 3;
    /** Answered with the connection's last answer: the connection closes after it. */
    static final int ST_LAST_ANSWER = 4;
    /**
     * Abandoned (the channel is gone, the handler removed, or an earlier answer closes the
     * connection): out of the queue, its answer released instead of written.
     */
    static final int ST_ABANDONED = 5;

    // The job's phases, on the scheduler's loop.
    /** The spawn's future has not completed. */
    private static final int PH_SPAWNING = 0;
    /** The job runs; the listener is attached to its join. */
    private static final int PH_RUNNING = 1;
    /** Refused, or the job ended: the outcome goes to the channel's loop. */
    private static final int PH_ENDED = 2;

    private static final VarHandle STATE = VarHandles.find(MethodHandles.lookup(), "state", int.class);
    private static final VarHandle OUTCOME_TAKEN =
            VarHandles.find(MethodHandles.lookup(), "outcomeTaken", boolean.class);

    private final AtomicHandler<I, O> owner;
    private final I request;
    /** The protocol said, as the request arrived, that the connection closes after its answer. */
    private final boolean lastRequest;
    private Scheduler scheduler;

    // Written on the scheduler's loop, read on the channel's loop after a dispatch.
    private Job<O> job;
    private Future<O> handlerFuture;
    private Future<O> joined;

    /** The job's phase ({@code PH_*}); the scheduler's loop alone reads and writes it. */
    private int phase;

    // Shared by both loops: the spawn future is cancelled from the channel's loop.
    private volatile Future<Job<O>> spawned;

    // The channel's loop writes these; the scheduler's loop reads the state (getAcquire).
    /** The answer's state ({@code ST_*}): plain reads on the channel's loop, release stores. */
    private int state;
    private O response;

    /** The outcome has been turned into an answer (or released): claimed once, by compare-and-set. */
    private boolean outcomeTaken;

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
            if (!spawned.isDone() && state != ST_ABANDONED) {
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
        setState(ST_WAITING_FOR_ROOM);
        owner.spawnWaiting();
    }

    private void setState(int newState) {
        assert newState > state : state + " -> " + newState;
        STATE.setRelease(this, newState);
    }

    private boolean isAbandoned() {
        return (int) STATE.getAcquire(this) == ST_ABANDONED;
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
        boolean wasUnadmitted = state == ST_WAITING_FOR_ROOM;
        setState(ST_ABANDONED);
        releaseResponse();
        Future<Job<O>> spawned = this.spawned;
        if (spawned != null && !spawned.isDone()) {
            spawned.cancel(false); // fails once the scheduler has admitted the job
        }
        return wasUnadmitted;
    }

    boolean isAnswered() {
        return state == ST_ANSWERED || state == ST_LAST_ANSWER;
    }

    boolean closesAfter() {
        return state == ST_LAST_ANSWER;
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
        if (state == ST_WAITING_FOR_ROOM) {
            setState(ST_ADMITTED);
            owner.spawnAdmitted();
        }
        if (spawned.isSuccess()) {
            Future<O> joined = this.joined;
            if (joined == null || !joined.isDone()) {
                return; // the job is running
            }
        }
        if (OUTCOME_TAKEN.compareAndSet(this, false, true)) {
            end(true);
        }
    }

    // ---- scheduler's loop ----

    private void spawnOnSchedulerLoop() {
        Future<Job<O>> spawned;
        if (isAbandoned()) {
            spawned = ImmediateEventExecutor.INSTANCE.newPromise(); // withdrawn on its way here
            spawned.cancel(false);
        } else {
            spawned = scheduler.spawn(this); // admitted at once, or waiting for room
        }
        this.spawned = spawned;
        if (isAbandoned() && !spawned.isDone()) {
            spawned.cancel(false); // withdrawn meanwhile: abandon() may not have seen the future
        }
        if (spawned.isDone()) {
            spawnCompleted(); // admitted (or refused) at once: no listener needed
        } else {
            spawned.addListener(this); // in the admission's loop turn: see the class comment
        }
    }

    /** The job's task. */
    @Override
    public Future<O> call() throws Exception {
        Future<O> future = owner.handler().handle(owner.ctx(), request);
        handlerFuture = future;
        return future;
    }

    /** Listener of the spawn's future, then of the join's (told apart by the phase); on the scheduler's loop. */
    @Override
    public void operationComplete(Future<Object> future) {
        if (phase == PH_SPAWNING) {
            spawnCompleted();
        } else {
            phase = PH_ENDED;
            toChannelLoop();
        }
    }

    /**
     * The spawn completed: refused, or admitted, in which case the job may already have ended
     * inside it. Otherwise the listener moves on to the job's join.
     */
    private void spawnCompleted() {
        Future<Job<O>> spawned = this.spawned;
        phase = PH_ENDED;
        if (spawned.isSuccess()) {
            Job<O> job = spawned.getNow();
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
                    phase = PH_RUNNING;
                    joined.addListener(this); // calls back when the job ends; run() below notes the admission
                }
            }
        }
        toChannelLoop();
    }

    /** Brings the progress over to the channel's loop: the admission, and the outcome once the job's phase ended. */
    private void toChannelLoop() {
        EventExecutor loop = owner.ctx().executor();
        if (loop.inEventLoop()) {
            run();
            return;
        }
        try {
            loop.execute(this);
        } catch (RejectedExecutionException channelLoopShutDown) {
            // Nobody will write: release what is held here once the outcome is known (a refusal, an
            // admission whose job already ended inside the spawn, or the job's end). OUTCOME_TAKEN
            // guards against a run() already queued on the channel's loop.
            if (phase == PH_ENDED && OUTCOME_TAKEN.compareAndSet(this, false, true)) {
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
        boolean answering = deliver && state != ST_ABANDONED;
        Future<Job<O>> spawned = this.spawned;
        if (!spawned.isSuccess()) {
            if (answering && !spawned.isCancelled()) {
                // Refused: the scheduler is closed or full, its loop is shut down, or the wait timed out.
                answer(owner.answers().unavailable(owner.ctx(), request, spawned.cause()), false);
            }
            ReferenceCountUtil.release(request); // the task was never called
        } else if (joined.isSuccess()) {
            endSucceeded(answering);
        } else {
            endFailed(answering);
        }
    }

    /** The job ended with its handler's response (a {@code null} one is a failure). */
    private void endSucceeded(boolean answering) {
        ChannelHandlerContext ctx = owner.ctx();
        ProtocolAnswers<I, O> answers = owner.answers();
        O response = joined.getNow();
        if (response == null) {
            Throwable cause = new NullPointerException("the handler's future completed with a null response");
            answers.logFailure(ctx, request, cause);
            response = answering ? answers.failureResponse(ctx, request, cause) : null;
        }
        answerOrRelease(response, answering);
        ReferenceCountUtil.release(request); // the job ended with its handler's future
    }

    /** The job failed on its own, or was cut short by its scheduler. */
    private void endFailed(boolean answering) {
        ChannelHandlerContext ctx = owner.ctx();
        ProtocolAnswers<I, O> answers = owner.answers();
        Throwable cause = joined.cause();
        if (ProtocolAnswers.failedOnItsOwn(job, joined)) {
            answers.logFailure(ctx, request, cause);
            answerOrRelease(answering ? answers.failureResponse(ctx, request, cause) : null, answering);
            ReferenceCountUtil.release(request);
        } else {
            // Cut short by its scheduler: the handler may still be using the request, and may still
            // produce a response.
            answerOrRelease(answering ? answers.unavailable(ctx, request, cause) : null, answering);
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
        if (state == ST_ABANDONED || owner.isOutputShutdown()) {
            ReferenceCountUtil.release(response);
            if (state != ST_ABANDONED) {
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
        setState(close ? ST_LAST_ANSWER : ST_ANSWERED);
        owner.answered();
    }

    /** The request's type and the answer's state. */
    @Override
    public String toString() {
        int state = (int) STATE.getAcquire(this);
        return "Exchange{" + request.getClass().getSimpleName() + ", " + stateName(state) + '}';
    }

    private static String stateName(int state) {
        return switch (state) {
            case ST_RECEIVED -> "received";
            case ST_WAITING_FOR_ROOM -> "waiting for room";
            case ST_ADMITTED -> "admitted";
            case ST_ANSWERED -> "answered";
            case ST_LAST_ANSWER -> "last answer";
            case ST_ABANDONED -> "abandoned";
            default -> throw new AssertionError(state);
        };
    }
}
