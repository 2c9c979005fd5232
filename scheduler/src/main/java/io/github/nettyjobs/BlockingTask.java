package io.github.nettyjobs;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.DefaultPromise;
import io.netty.util.concurrent.Future;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The task of a job spawned with {@link Scheduler#spawnBlocking(String, Callable)}, so that such a
 * job is admitted, timed, closed and reported by the same machinery as any other: called on the
 * loop when the job starts, it hands the blocking call to the scheduler's blocking executor and
 * returns itself, the promise the job waits on. The blocking thread runs the call and hops back
 * to the loop with its outcome, which completes the promise there (one {@code execute} on the
 * loop, with this object as the {@code Runnable}: no notification task is allocated).
 *
 * <p>Closing the job cancels the promise, on the loop: a call that has not started never will; a
 * running call has its thread interrupted, and the promise ends cancelled once the call returns,
 * whatever it returned, so the job ends when its work has stopped (or is abandoned after its close
 * timeout, as any job whose future does not end).
 *
 * <p>Threads: {@link #call()}, {@link #cancel(boolean)} and the delivery run on the loop; the call
 * runs on a blocking thread. They meet only in {@code runState}, changed by compare-and-set; the
 * interrupt follows {@link java.util.concurrent.FutureTask}'s protocol, so that it never reaches
 * the thread after the call has returned (a pool thread would carry it into its next task).
 */
final class BlockingTask<T> extends DefaultPromise<T> implements Callable<Future<T>>, Runnable {

    // The run states, changed only forward (compare-and-set where both sides race).
    /** Handed to the executor (or not yet), not started: a cancel means it never starts. */
    private static final int RS_NEW = 0;
    /** The call runs on {@link #runner}. */
    private static final int RS_RUNNING = 1;
    /** A cancel is interrupting the runner. */
    private static final int RS_INTERRUPTING = 2;
    /** The runner was interrupted; once the call returns, the promise is cancelled. */
    private static final int RS_INTERRUPTED = 3;
    /** The call returned without a cancel; its outcome is on its way to the loop. */
    private static final int RS_RETURNED = 4;
    /** The promise is completed, or about to be: nothing is left to run. */
    private static final int RS_SETTLED = 5;

    private static final VarHandle RUN_STATE;

    static {
        try {
            RUN_STATE = MethodHandles.lookup().findVarHandle(BlockingTask.class, "runState", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Scheduler scheduler;
    private Callable<T> task;
    /** The task decorator's wrapper of {@link #callTask()}, made at the spawn; {@code null} without a decorator. */
    private Runnable decorated;
    /** Why the decorator gave no usable wrapper; the job fails with it when it starts. */
    private Throwable decoratorFailure;
    /** The job, for the log line of a decorator whose wrapper threw after the call; set before the start. */
    private Job<T> job;
    private volatile int runState;
    /** The thread of the running call; written before the compare-and-set that publishes it. */
    private Thread runner;
    /** Whether the call happened (a decorator's wrapper might not run it). Blocking thread only. */
    private boolean called;
    /** The call's value or exception: written on the blocking thread, read on the loop after the hop. */
    private T value;
    private Throwable failure;

    /** On the spawning thread, in the {@code spawnBlocking} call: the decorator sees that thread's context. */
    BlockingTask(Scheduler scheduler, Callable<T> task) {
        super(scheduler.executor());
        this.scheduler = scheduler;
        this.task = task;
        TaskDecorator decorator = scheduler.config.taskDecorator;
        if (decorator != null) {
            try {
                decorated = decorator.decorate(this::callTask);
                if (decorated == null) {
                    decoratorFailure = new NullPointerException("the task decorator returned null");
                }
            } catch (Throwable t) {
                decoratorFailure = t;
            }
        }
    }

    /** Names the job in the log line of a decorator that threw after the call; before the start. */
    void job(Job<T> job) {
        this.job = job;
    }

    /** On the loop, as the job starts: hands the call to the blocking executor. */
    @Override
    public Future<T> call() {
        if (decoratorFailure != null) {
            return settle(decoratorFailure);
        }
        Executor executor = scheduler.config.blockingExecutorOrDefault();
        try {
            executor.execute(this); // run(): runBlocking()
        } catch (Throwable rejected) {
            // A RejectedExecutionException as a rule: the job fails with it, like a task that throws.
            return settle(rejected);
        }
        return this;
    }

    private Future<T> settle(Throwable cause) {
        runState = RS_SETTLED;
        task = null;
        tryFailure(cause);
        return this;
    }

    /**
     * Where the two threads hand over, told apart by the run state: on the blocking thread a new
     * task runs its call (a task cancelled before it started does nothing); on the loop the
     * outcome of a call that returned is delivered.
     */
    @Override
    public void run() {
        switch (runState) {
            case RS_NEW:
                runBlocking();
                break;
            case RS_RETURNED:
                deliver();
                break;
            case RS_INTERRUPTED:
                deliverCancellation();
                break;
            default:
                break; // cancelled before it started
        }
    }

    /** On a blocking thread: runs the call, then takes its outcome to the loop. */
    private void runBlocking() {
        EventLoop loop = scheduler.executor();
        if (loop.inEventLoop()) {
            // An executor that runs tasks where it is called (or the loop itself) would block the loop.
            settle(new IllegalStateException("the blocking executor " + scheduler.config.blockingExecutorOrDefault()
                    + " ran a blocking task on the event loop " + loop));
            return;
        }
        runner = Thread.currentThread();
        if (!RUN_STATE.compareAndSet(this, RS_NEW, RS_RUNNING)) {
            runner = null; // cancelled before it started: the task is never called
            return;
        }
        try {
            Runnable decorated = this.decorated;
            if (decorated == null) {
                callTask();
            } else {
                this.decorated = null;
                runDecorated(decorated);
            }
        } finally {
            if (!RUN_STATE.compareAndSet(this, RS_RUNNING, RS_RETURNED)) {
                awaitInterrupt();
            }
            runner = null;
        }
        BlockingThreadPool.callReturned(); // this thread can take the next call before the loop hears of this one
        try {
            loop.execute(this); // run(): deliver() or deliverCancellation()
        } catch (RejectedExecutionException loopShutDown) {
            // The scheduler closed with its loop and counts the job as ended: nobody waits for the outcome.
        }
    }

    /** Calls the task once, keeping its outcome (a decorator's wrapper runs this; a second run does nothing). */
    private void callTask() {
        Callable<T> task = this.task;
        if (task == null || called) {
            return;
        }
        called = true;
        this.task = null;
        try {
            value = task.call();
        } catch (Throwable t) {
            failure = t;
        }
    }

    private void runDecorated(Runnable decorated) {
        Throwable thrown = null;
        try {
            decorated.run();
        } catch (Throwable t) {
            thrown = t;
        }
        if (called) {
            if (thrown != null) {
                // Restoring its context, say: the call's outcome stands, and the decorator's bug is logged.
                scheduler.onDecoratorThrewAfterStart(job, thrown);
            }
            return;
        }
        // The job fails as if its task had thrown.
        task = null;
        failure = thrown != null ? thrown
                : new IllegalStateException("the task decorator's Runnable did not run the job's start");
    }

    /**
     * A cancel raced the end of the call: waits until its interrupt has been delivered, then clears
     * it, so that it does not reach whatever this thread runs next.
     */
    private void awaitInterrupt() {
        while (runState == RS_INTERRUPTING) {
            Thread.onSpinWait(); // the loop is between two statements
        }
        Thread.interrupted();
    }

    /** On the loop: the call returned; its outcome is the promise's. */
    private void deliver() {
        runState = RS_SETTLED;
        Throwable failure = this.failure;
        T value = this.value;
        this.failure = null;
        this.value = null;
        if (failure != null) {
            tryFailure(failure);
        } else {
            trySuccess(value);
        }
    }

    /** On the loop: the interrupted call returned; the promise is cancelled now, whatever the call gave. */
    private void deliverCancellation() {
        runState = RS_SETTLED;
        value = null;
        failure = null;
        super.cancel(/* mayInterruptIfRunning= */ false);
    }

    /**
     * On the loop, when the job closes. A call not started yet never starts, and the promise is
     * cancelled now; a running call's thread is interrupted, and the promise is cancelled once the
     * call returns (so this returns {@code false}: not cancelled yet); an outcome on its way to the
     * loop loses to the cancel.
     */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        if (RUN_STATE.compareAndSet(this, RS_NEW, RS_SETTLED)) {
            task = null;
            return super.cancel(false);
        }
        if (RUN_STATE.compareAndSet(this, RS_RUNNING, RS_INTERRUPTING)) {
            try {
                runner.interrupt();
            } finally {
                runState = RS_INTERRUPTED;
            }
            return false;
        }
        if (runState == RS_RETURNED) {
            runState = RS_SETTLED;
            value = null;
            failure = null;
            return super.cancel(false);
        }
        return false;
    }
}
