package io.github.nettyjobs.benchmarks.simulation;

import io.github.nettyjobs.Job;
import io.github.nettyjobs.JobOutcome;
import io.github.nettyjobs.Scheduler;
import io.github.nettyjobs.SchedulerListener;
import io.github.nettyjobs.benchmarks.SchedulerClocks;
import io.netty.util.concurrent.Future;


/**
 * Requests admitted by a scheduler: each arrival is a spawn whose task calls the downstream. The
 * latency of a job is measured from its arrival to the end of its call; what the scheduler shed
 * is counted through its listener. Confined to the loop.
 */
final class SchedulerAdmission implements Admission, SchedulerListener {

    private final Context context;
    private final Scheduler scheduler;

    SchedulerAdmission(Context context, Scheduler.Builder config) {
        this.context = context;
        // timed-out jobs are counted through the listener; the default handler would log each
        Scheduler.Builder builder = config.copy().listener(this).exceptionHandler((scheduler, report) -> { });
        SchedulerClocks.useClock(builder, context.time()::now);
        this.scheduler = builder.build(context.time().loop());
    }

    @Override
    public void arrive() {
        context.recorder().arrived();
        long arrival = context.time().now();
        scheduler.spawn(() -> call(context, arrival));
    }

    /** Calls the downstream and records the job's latency when the call succeeds. */
    static Future<Void> call(Context context, long arrival) {
        Future<Void> call = context.downstream().call();
        call.addListener(done -> {
            if (done.isSuccess()) {
                context.recorder().finished(context.time().now() - arrival);
            }
        });
        return call;
    }

    @Override
    public int limit() {
        return scheduler.limit();
    }

    @Override
    public void jobStarted(Job<?> job, long queuedNanos) {
        context.recorder().started(queuedNanos);
    }

    @Override
    public void jobEnded(Job<?> job, JobOutcome outcome, long queuedNanos, long runNanos) {
        if (outcome == JobOutcome.DROPPED) {
            context.recorder().dropped();
        } else if (outcome == JobOutcome.TIMED_OUT) {
            context.recorder().timedOut();
        }
    }

    @Override
    public void spawnRejected(Scheduler scheduler, Throwable reason) {
        context.recorder().refused();
    }
}
