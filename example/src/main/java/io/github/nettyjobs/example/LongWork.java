package io.github.nettyjobs.example;

import io.github.nettyjobs.Job;
import io.github.nettyjobs.JobOutcome;
import io.github.nettyjobs.Scheduler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Long work for a request, as a job of the long scheduler rather than of the requests scheduler:
 * the request waits for it (so an atomic request still runs to its end when its client leaves),
 * while the long scheduler's own limits, queue deadline and job timeout bound how much of it there
 * is and how long it lasts. Confined to the event loop of the request, which is the long
 * scheduler's too (both are the schedulers of the connection's loop).
 */
final class LongWork {

    private LongWork() {
    }

    /**
     * Spawns {@code work} on {@code scheduler} and returns the request's answer: {@code done}'s
     * once the work succeeds, {@code cutShort}'s when the long scheduler refused it (full, closed,
     * timed out waiting) or cut it short (dropped from its queue, timed out, cancelled). A work that
     * fails on its own fails the answer, which the atomic handler turns into its failure response.
     * Cancelling the answer (the request's own job closed) closes the work's job.
     *
     * @param loop the request's event loop, the scheduler's too
     * @param <O> the type of the answer; one that is reference-counted and comes too late is released
     */
    static <O> Future<O> run(EventExecutor loop, Scheduler scheduler, String name, Callable<Future<Void>> work,
                             Activity activity, Supplier<O> done, Function<Throwable, O> cutShort) {
        return await(loop, scheduler.spawn(name, work), name, activity, done, cutShort);
    }

    /**
     * As {@link #run}, for a blocking call: {@code spawnBlocking} runs it on the scheduler's
     * blocking executor, never on the loop, and closing its job (cut short, or the request's own job
     * closed) interrupts it.
     */
    static <O> Future<O> runBlocking(EventExecutor loop, Scheduler scheduler, String name, Callable<Void> call,
                                     Activity activity, Supplier<O> done, Function<Throwable, O> cutShort) {
        return await(loop, scheduler.spawnBlocking(name, call), name, activity, done, cutShort);
    }

    private static <O> Future<O> await(EventExecutor loop, Future<Job<Void>> spawned, String name, Activity activity,
                                       Supplier<O> done, Function<Throwable, O> cutShort) {
        Promise<O> answer = loop.newPromise();
        spawned.addListener(admitted -> {
            if (!spawned.isSuccess()) {
                complete(answer, cutShort.apply(spawned.cause())); // refused: the work never started
                return;
            }
            Job<Void> job = spawned.getNow();
            activity.track(name, job.join());
            answer.addListener(request -> {
                if (request.isCancelled()) {
                    job.close(); // the request was cut short: so is its work
                }
            });
            job.join().addListener(ended -> {
                if (ended.isSuccess()) {
                    complete(answer, done.get());
                } else if (job.outcome() == JobOutcome.FAILED) {
                    answer.tryFailure(ended.cause());
                } else {
                    complete(answer, cutShort.apply(ended.cause())); // dropped, timed out or cancelled
                }
            });
        });
        return answer;
    }

    private static <O> void complete(Promise<O> answer, O value) {
        if (!answer.trySuccess(value)) {
            ReferenceCountUtil.release(value); // the request ended first
        }
    }
}
