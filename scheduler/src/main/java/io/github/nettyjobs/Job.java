package io.github.nettyjobs;

import io.netty.util.concurrent.Future;

import java.time.Duration;

/**
 * One task spawned on a {@link Scheduler}; every method may be called from any thread, and the
 * futures it returns complete on the scheduler's event loop.
 *
 * <p>A job is <em>pending</em> while it waits for a free slot under the scheduler's concurrency
 * limit, <em>active</em> from the moment its task is called until the future the task returned is
 * done, and <em>closed</em> afterwards, or once it was closed, dropped or abandoned after a close
 * timeout.
 *
 * <p>Every exception a job ends with is delivered exactly once: to the callers of {@link #join()} or
 * {@link #close()} that were waiting when it ended, otherwise to the scheduler's
 * {@link ExceptionHandler} as {@code "Job processing failed"}. Cancellation is never reported. A job
 * that fails while it is being admitted is reported one event-loop turn later, so that a
 * {@code join()} made on the loop in that turn still receives the failure: one made right after an
 * on-loop {@link Scheduler#spawn(java.util.concurrent.Callable) spawn} returns, or in a listener that
 * was added to the spawn future before it completed. A listener added from another thread after the
 * spawn future completed runs in a later turn, and may find the failure already reported; its
 * {@code join()} then still gives the job's outcome.
 *
 * <p>Jobs are created only by {@link Scheduler#spawn(java.util.concurrent.Callable)}.
 *
 * @param <T> the type of the job's result
 */
public interface Job<T> {

    /**
     * The job's name: the one given to {@code spawn}, or a default unique within its scheduler. Never {@code null}.
     *
     * @return the name last given to {@link #setName(String)}, else the spawn's name or the default
     */
    String name();

    /**
     * Renames the job.
     *
     * @param name the new name, used from now on in logs and failure reports; it need not be unique
     * @throws NullPointerException if {@code name} is {@code null}
     */
    void setName(String name);

    /**
     * The scheduler that owns the job.
     *
     * @return the scheduler the job was spawned on; never {@code null}
     */
    Scheduler scheduler();

    /**
     * Whether the job waits in the scheduler's pending queue; safe from any thread.
     *
     * @return {@code true} while the job is queued, {@code false} once it has started or ended
     */
    boolean isPending();

    /**
     * Whether the job's task has been called and its future is not done yet; safe from any thread.
     *
     * @return {@code true} while the job runs, {@code false} while it is pending and once it is closed
     */
    boolean isActive();

    /**
     * Whether the job has ended (finished, failed, cancelled, dropped or abandoned); safe from any thread.
     *
     * @return {@code true} for good once the job has ended; its {@link #outcome()} is then known
     */
    boolean isClosed();

    /**
     * How the job ended, or {@code null} while it is not {@linkplain #isClosed() closed}; safe from
     * any thread.
     *
     * @return the outcome, or {@code null} while the job is pending or active
     */
    JobOutcome outcome();

    /**
     * Waits for the job's outcome: its result, its exception, or a {@link java.util.concurrent.CancellationException}
     * if it was closed before it finished. A pending job is waited for until it starts and finishes.
     * Cancelling the returned future stops waiting; it never touches the job, and the waiter leaves
     * the job at once.
     *
     * @return a new future, completed on the scheduler's event loop, of the job's result
     */
    Future<T> join();

    /**
     * As {@link #join()}; if {@code timeout} passes first, the job is closed (with the scheduler's
     * close timeout) and the returned future then fails with {@link java.util.concurrent.TimeoutException}.
     * Cancelling the returned future before then stops the wait and its timeout: the job is not closed.
     *
     * @param timeout how long to wait; {@code null} waits without limit
     * @return a new future of the job's result, completed on the scheduler's event loop
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    Future<T> join(Duration timeout);

    /**
     * Closes the job with the scheduler's {@linkplain Scheduler#closeTimeout() close timeout}.
     *
     * @return a future that completes once the job has ended, as {@link #close(Duration)}'s does
     * @see #close(Duration)
     */
    Future<Void> close();

    /**
     * Cancels the job and completes when it has ended. A pending job is dropped without its task
     * being called. The returned future fails with the job's exception if its future failed with
     * something other than cancellation, and with {@link java.util.concurrent.TimeoutException} if
     * the job outlived {@code timeout}, in which case the job counts as closed all the same. On a
     * closed job it completes at once, successfully. The returned future cannot be cancelled: the
     * close goes on, as {@link Scheduler#close()} does.
     *
     * @param timeout how long to wait for the job to end; {@code null} waits without limit
     * @return a new future, completed on the scheduler's event loop, that succeeds once the job has
     *         ended unless it failed or outlived {@code timeout}
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    Future<Void> close(Duration timeout);
}
