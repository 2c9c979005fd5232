package io.github.nettyjobs;

import static io.github.nettyjobs.Checks.checkNotNull;

/**
 * One report for an {@link ExceptionHandler}; immutable, so it may be handed to any thread.
 *
 * @param message    what happened, such as {@code "Job processing failed"} or {@code "Job closing timed out"}
 * @param job        the job concerned, or {@code null} when the report is not about a job
 * @param exception  the exception, or {@code null}
 * @param spawnTrace the stack at the job's {@code spawn}, captured only in debug mode, else {@code null}
 */
public record ExceptionContext(String message, Job<?> job, Throwable exception, Throwable spawnTrace) {

    /**
     * Creates a report.
     *
     * @param message    what happened; never {@code null}
     * @param job        the job concerned, or {@code null}
     * @param exception  the exception, or {@code null}
     * @param spawnTrace the stack at the job's {@code spawn}, or {@code null}
     * @throws NullPointerException if {@code message} is {@code null}
     */
    public ExceptionContext {
        checkNotNull(message, "message");
    }
}
