package io.github.nettyjobs;

import io.netty.util.concurrent.DefaultPromise;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;

import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;

/**
 * Bridges between Netty futures and {@link CompletionStage}s, both ways, with cancellation carried
 * across; every method may be called from any thread.
 *
 * <p><b>From Netty to {@code CompletableFuture}.</b> {@link #toCompletableFuture(Future)} turns any
 * Netty future (a spawn, a job's {@code join()}, a {@code close()}) into a {@link CompletableFuture}
 * that completes as the future does; cancelling it cancels the future. For a job's outcome there are
 * two methods, because cancelling can mean two things:
 * <ul>
 *   <li>{@link #join(Job)}: cancelling the stage only stops waiting, as cancelling
 *       {@link Job#join()} does; the job runs on. Use it to observe a job that others own.</li>
 *   <li>{@link #joinClosingOnCancel(Job)}: cancelling the stage also {@linkplain Job#close() closes}
 *       the job. Use it when the stage is the job's only handle and giving up means stopping the work.</li>
 * </ul>
 * The stage completes on the thread that completes the Netty future, usually the event loop, and so
 * do the dependent stages that are not {@code *Async}: keep blocking work in {@code *Async} stages
 * with an executor of your own.
 *
 * <p><b>From {@code CompletionStage} to a job.</b> {@link #spawn(Scheduler, Callable)} spawns a task
 * that returns a {@code CompletionStage} (for example {@code HttpClient.sendAsync}) as a job: the
 * job's result is the stage's, and closing the job (or its scheduler) cancels the stage through
 * {@code toCompletableFuture().cancel(true)}. {@link #task(EventExecutor, Callable)} is the same
 * adapter for {@link Scheduler#spawn(String, Callable)} and anything else that takes a task returning
 * a Netty future, and {@link #toFuture(EventExecutor, CompletionStage)} converts one stage.
 *
 * <pre>{@code
 * Future<Job<HttpResponse<String>>> spawned = CompletionStages.spawn(scheduler,
 *         () -> client.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
 * CompletableFuture<HttpResponse<String>> response =
 *         CompletionStages.toCompletableFuture(spawned).thenCompose(CompletionStages::join);
 * }</pre>
 *
 * <p>Netty 4.2's {@code Future.asStage()} covers part of the first direction on 4.2 only; these
 * methods work the same on Netty 4.1 and 4.2.
 */
public final class CompletionStages {

    private CompletionStages() {
    }

    /**
     * A {@link CompletableFuture} that completes as {@code future} does: with its result, its cause,
     * or cancelled. Cancelling the returned future cancels {@code future} (with the same
     * {@code mayInterruptIfRunning}); completing it in any other way leaves {@code future} alone.
     *
     * @param future the Netty future
     * @param <T>    the type of the result
     * @return a new {@code CompletableFuture}, already complete if {@code future} is done
     * @throws NullPointerException if {@code future} is {@code null}
     */
    public static <T> CompletableFuture<T> toCompletableFuture(Future<T> future) {
        return FutureStage.of(new FutureStage<>(Objects.requireNonNull(future, "future")));
    }

    /**
     * The outcome of {@code job} as a {@link CompletableFuture}: its result, its exception, or
     * cancelled if the job was closed before it finished (what {@link Job#join()} gives). Cancelling
     * the returned future stops waiting and never touches the job, as cancelling {@code join()} does.
     * Waiting counts as a caller of {@code join()}: a failure is delivered to the returned future,
     * not to the scheduler's exception handler.
     *
     * @param job the job
     * @param <T> the type of the job's result
     * @return a new {@code CompletableFuture}
     * @throws NullPointerException if {@code job} is {@code null}
     * @see #joinClosingOnCancel(Job)
     */
    public static <T> CompletableFuture<T> join(Job<T> job) {
        return toCompletableFuture(Objects.requireNonNull(job, "job").join());
    }

    /**
     * As {@link #join(Job)}, except that cancelling the returned future also {@linkplain Job#close()
     * closes} the job: a pending job is dropped without its task being called, an active one has
     * its future cancelled. The caller has given up on the job, so an exception the job ends with
     * while it closes is not reported anywhere.
     *
     * @param job the job
     * @param <T> the type of the job's result
     * @return a new {@code CompletableFuture}
     * @throws NullPointerException if {@code job} is {@code null}
     */
    public static <T> CompletableFuture<T> joinClosingOnCancel(Job<T> job) {
        Objects.requireNonNull(job, "job");
        return FutureStage.of(new ClosingJobStage<>(job));
    }

    /**
     * A Netty future of {@code executor} that completes as {@code stage} does: with its result, with
     * its exception (unwrapped from a {@link CompletionException}), or cancelled if the stage was
     * cancelled. Cancelling the returned future cancels the stage with
     * {@code stage.toCompletableFuture().cancel(true)}: a {@link CompletableFuture} ignores the flag,
     * and cancelable futures such as those of {@code java.net.http.HttpClient} abort their exchange
     * only when it is {@code true}. A stage whose {@code toCompletableFuture()} is unsupported is not
     * cancelled and runs to its end.
     *
     * <p>The stage may complete on any thread; the returned future notifies its listeners on
     * {@code executor}. Cancelling runs the stage's cancellation, and the callbacks of its dependent
     * stages, on the cancelling thread (for a job, the event loop): attach no blocking callbacks.
     *
     * @param executor the executor of the returned future, usually the scheduler's event loop
     * @param stage    the stage
     * @param <T>      the type of the result
     * @return a new Netty future
     * @throws NullPointerException if an argument is {@code null}
     */
    public static <T> Future<T> toFuture(EventExecutor executor, CompletionStage<T> stage) {
        StagePromise<T> promise = new StagePromise<>(Objects.requireNonNull(executor, "executor"),
                Objects.requireNonNull(stage, "stage"));
        stage.whenComplete(promise);
        return promise;
    }

    /**
     * Adapts a task that returns a {@link CompletionStage} to one that returns a Netty future of
     * {@code executor}, as {@link Scheduler#spawn(Callable)} takes: each call calls {@code task} and
     * converts its stage with {@link #toFuture(EventExecutor, CompletionStage)}, so closing the job
     * cancels the stage. A task that throws throws from the adapter, and one that returns
     * {@code null} makes the adapter return {@code null}: either way the job fails as the scheduler
     * documents.
     *
     * @param executor the executor of the futures, normally the {@linkplain Scheduler#executor()
     *                 scheduler's loop}
     * @param task     the task
     * @param <T>      the type of the result
     * @return the adapted task
     * @throws NullPointerException if an argument is {@code null}
     */
    public static <T> Callable<Future<T>> task(EventExecutor executor, Callable<? extends CompletionStage<T>> task) {
        Objects.requireNonNull(executor, "executor");
        Objects.requireNonNull(task, "task");
        return () -> {
            CompletionStage<T> stage = task.call();
            return stage == null ? null : toFuture(executor, stage);
        };
    }

    /**
     * Spawns a task that returns a {@link CompletionStage} as a job of {@code scheduler}: the job ends
     * as the stage does, and closing the job, or the scheduler, cancels the stage. Same as
     * {@code scheduler.spawn(task(scheduler.executor(), task))}.
     *
     * @param scheduler the scheduler
     * @param task      called on the scheduler's loop when the job starts
     * @param <T>       the type of the result
     * @return what {@link Scheduler#spawn(Callable)} returns
     * @throws NullPointerException if an argument is {@code null}
     */
    public static <T> Future<Job<T>> spawn(Scheduler scheduler, Callable<? extends CompletionStage<T>> task) {
        Objects.requireNonNull(scheduler, "scheduler");
        return scheduler.spawn(task(scheduler.executor(), task));
    }

    /**
     * As {@link #spawn(Scheduler, Callable)}, with a name for the job.
     *
     * @param scheduler the scheduler
     * @param name      the job's name
     * @param task      called on the scheduler's loop when the job starts
     * @param <T>       the type of the result
     * @return what {@link Scheduler#spawn(String, Callable)} returns
     * @throws NullPointerException if an argument is {@code null}
     */
    public static <T> Future<Job<T>> spawn(Scheduler scheduler, String name,
                                           Callable<? extends CompletionStage<T>> task) {
        Objects.requireNonNull(scheduler, "scheduler");
        Objects.requireNonNull(name, "name");
        return scheduler.spawn(name, task(scheduler.executor(), task));
    }

    /** A {@code CompletableFuture} that is its source's listener and cancels the source when cancelled. */
    private static class FutureStage<T> extends CompletableFuture<T> implements GenericFutureListener<Future<T>> {

        final Future<T> source;

        FutureStage(Future<T> source) {
            this.source = source;
        }

        /** Listens to the source, outside the constructor so that no half-built stage escapes. */
        static <T> CompletableFuture<T> of(FutureStage<T> stage) {
            Future<T> source = stage.source;
            if (source.isDone()) {
                // Completes now rather than through a notification the executor, if it has shut
                // down, would never run.
                stage.operationComplete(source);
            } else {
                source.addListener(stage);
            }
            return stage;
        }

        @Override
        public void operationComplete(Future<T> future) {
            if (future.isSuccess()) {
                complete(future.getNow());
            } else if (future.isCancelled()) {
                super.cancel(/* mayInterruptIfRunning= */ false);
            } else {
                completeExceptionally(future.cause());
            }
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            if (isDone()) {
                return false;
            }
            // The source first: whoever sees this stage cancelled finds the source cancelled too.
            // Its listener may complete this stage right here (on the loop), hence the isCancelled().
            cancelSource(mayInterruptIfRunning);
            return super.cancel(mayInterruptIfRunning) || isCancelled();
        }

        void cancelSource(boolean mayInterruptIfRunning) {
            source.cancel(mayInterruptIfRunning);
        }
    }

    /** A job's outcome whose cancellation closes the job instead of only its join future. */
    private static final class ClosingJobStage<T> extends FutureStage<T> {

        private final Job<T> job;

        ClosingJobStage(Job<T> job) {
            super(job.join());
            this.job = job;
        }

        @Override
        void cancelSource(boolean mayInterruptIfRunning) {
            // The join future completes, cancelled, once the job has closed.
            job.close();
        }
    }

    /** A promise that completes as its stage does and cancels the stage when cancelled itself. */
    private static final class StagePromise<T> extends DefaultPromise<T> implements BiConsumer<T, Throwable> {

        private final CompletionStage<T> stage;

        StagePromise(EventExecutor executor, CompletionStage<T> stage) {
            super(executor);
            this.stage = stage;
        }

        /** The stage completed, on whatever thread completed it. */
        @Override
        public void accept(T result, Throwable failure) {
            if (failure == null) {
                trySuccess(result);
                return;
            }
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            if (cause instanceof CancellationException) {
                // The stage's owner cancelled it: the job ends cancelled, which is never reported.
                super.cancel(/* mayInterruptIfRunning= */ false);
            } else {
                tryFailure(cause);
            }
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            if (isDone()) {
                return false;
            }
            // The stage first: cancelling this promise may end the job at once (on the loop), and
            // whoever waits for that end must find the stage cancelled. The stage's cancellation
            // may complete this promise through accept(), hence the isCancelled().
            cancelStage();
            return super.cancel(mayInterruptIfRunning) || isCancelled();
        }

        private void cancelStage() {
            CompletableFuture<T> future;
            try {
                future = stage.toCompletableFuture();
            } catch (UnsupportedOperationException notCancellable) {
                return;
            }
            // true: only so do cancelable futures (java.net.http) abort their work; see toFuture.
            future.cancel(/* mayInterruptIfRunning= */ true);
        }
    }
}
