package io.github.nettyjobs;

/**
 * Receives the failures nobody awaited and the jobs that did not end within their close timeout.
 *
 * <p>Called on the scheduler's event loop (or on the thread that calls
 * {@link Scheduler#callExceptionHandler(ExceptionContext)}). A handler that throws is logged and
 * ignored, so a faulty handler never disturbs the scheduler.
 */
@FunctionalInterface
public interface ExceptionHandler {

    /**
     * Handles one report.
     *
     * @param scheduler the scheduler that reports
     * @param context   what happened
     */
    void handle(Scheduler scheduler, ExceptionContext context);
}
