package io.github.nettyjobs;

import io.netty.util.concurrent.ScheduledFuture;

/**
 * What a job carries only when it needs it: the stack at {@code spawn} in debug mode, and the one
 * timer a job may have at a time. Allocated on first need, so a plain spawn allocates nothing for
 * it. Confined to the scheduler's loop, except {@link #spawnTrace}, which is final.
 */
final class JobExtras {

    /** The stack at {@code spawn}, or {@code null} outside debug mode. */
    final Throwable spawnTrace;
    /** The job's pending timer (see {@code DefaultJob#run()} for what it means in each state), or {@code null}. */
    ScheduledFuture<?> timer;

    JobExtras(Throwable spawnTrace) {
        this.spawnTrace = spawnTrace;
    }

    void cancelTimer() {
        ScheduledFuture<?> timer = this.timer;
        if (timer != null) {
            this.timer = null;
            timer.cancel(false);
        }
    }
}
