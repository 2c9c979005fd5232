package io.github.nettyjobs.reliability;

import io.github.nettyjobs.Job;
import io.github.nettyjobs.JobOutcome;
import io.github.nettyjobs.Scheduler;
import io.github.nettyjobs.SchedulerListener;
import io.netty.channel.EventLoop;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/** Records every call of the {@link SchedulerListener} of a model sequence, for {@link ModelCheck}. */
final class ModelListener implements SchedulerListener {

    /** One call. */
    static final class Event {
        enum Kind { STARTED, ENDED, REJECTED }

        final Kind kind;
        final Job<?> job;
        final JobOutcome outcome;
        final long queuedNanos;
        final long runNanos;
        final Throwable reason;
        final boolean onLoop;

        Event(Kind kind, Job<?> job, JobOutcome outcome, long queuedNanos, long runNanos, Throwable reason,
                boolean onLoop) {
            this.kind = kind;
            this.job = job;
            this.outcome = outcome;
            this.queuedNanos = queuedNanos;
            this.runNanos = runNanos;
            this.reason = reason;
            this.onLoop = onLoop;
        }

        @Override
        public String toString() {
            return kind + (job != null ? " " + job.name() : "") + (outcome != null ? " " + outcome : "")
                    + " queued=" + queuedNanos + " run=" + runNanos + (reason != null ? " " + reason : "");
        }
    }

    private final EventLoop loop;
    final Queue<Event> events = new ConcurrentLinkedQueue<>();

    ModelListener(EventLoop loop) {
        this.loop = loop;
    }

    @Override
    public void jobStarted(Job<?> job, long queuedNanos) {
        events.add(new Event(Event.Kind.STARTED, job, null, queuedNanos, 0, null, loop.inEventLoop()));
    }

    @Override
    public void jobEnded(Job<?> job, JobOutcome outcome, long queuedNanos, long runNanos) {
        events.add(new Event(Event.Kind.ENDED, job, outcome, queuedNanos, runNanos, null, loop.inEventLoop()));
    }

    @Override
    public void spawnRejected(Scheduler scheduler, Throwable reason) {
        events.add(new Event(Event.Kind.REJECTED, null, null, 0, 0, reason, loop.inEventLoop()));
    }
}
