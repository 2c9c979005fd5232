package io.github.nettyjobs;

import io.netty.util.concurrent.Promise;

/**
 * One call of {@link Job#join()} or {@link Job#close()} waiting for a job to end; confined to the
 * loop. What it completes with is decided by the job ({@code DefaultJob#complete}). The waiters of a
 * job form a chain that the job's end takes whole: a waiter never leaves it alone (one whose time
 * runs out stays, to be completed with the others), so no list object is needed.
 */
final class JobWaiter extends Waiter {

    /** What the caller asked for. */
    enum Kind {
        /** {@link Job#join()}: the job's result. */
        JOIN,
        /** A {@link Job#join(java.time.Duration)} whose timeout passed: it closed the job and fails once the job has ended. */
        EXPIRED_JOIN,
        /** {@link Job#close()}: the job's end. */
        CLOSE
    }

    /** The job waited for, which completes the waiter when it ends ({@code DefaultJob#complete}). */
    final DefaultJob<?> job;
    /** Written only by {@link #expire()}. */
    Kind kind;
    /** What {@code join()} or {@code close()} returned. */
    final Promise<?> promise;
    /** The next waiter of the same job, in arrival order. */
    JobWaiter next;

    JobWaiter(DefaultJob<?> job, Kind kind, Promise<?> promise) {
        this.job = job;
        this.kind = kind;
        this.promise = promise;
    }

    /** A join's timeout passed. */
    void expire() {
        assert kind == Kind.JOIN;
        kind = Kind.EXPIRED_JOIN;
    }

    @Override
    void timedOut() {
        job.waiterTimedOut(this);
    }
}
