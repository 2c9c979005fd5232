package io.github.nettyjobs;

/**
 * How a {@link Job} ended: what {@link Job#outcome()} gives once the job is closed, and what a
 * {@link SchedulerListener} is told.
 */
public enum JobOutcome {

    /** The job's future succeeded. */
    SUCCEEDED,

    /** The task threw or returned {@code null}, or the job's future failed (other than by cancellation). */
    FAILED,

    /** The job was closed (by {@link Job#close()} or by its scheduler's close), or its future was cancelled. */
    CANCELLED,

    /**
     * The job ran longer than the scheduler's {@code jobTimeout}, or a {@link Job#join(java.time.Duration)}
     * timed out and closed it; it ends with a {@link java.util.concurrent.TimeoutException}.
     */
    TIMED_OUT,

    /**
     * The job was still pending when the scheduler's {@code pendingTimeout} passed, and was dropped
     * without its task being called (load shedding, never reported as a failure).
     */
    DROPPED,

    /** The job was closed but its future did not end within the close timeout; it counts as closed. */
    ABANDONED
}
