package io.github.nettyjobs;

/**
 * Carries thread context (a logging MDC, a tracing span, a security context) from the thread that
 * calls {@link Scheduler#spawn(java.util.concurrent.Callable) spawn} into the job's task, which runs
 * on the scheduler's event loop, maybe much later, once the job leaves the pending queue.
 *
 * <p>{@link #decorate(Runnable)} is called on the spawning thread, in the {@code spawn} call; the
 * {@code Runnable} it returns is run on the loop when the job starts, and must run {@code start}
 * once, typically between installing and restoring the captured context:
 *
 * <pre>{@code
 * TaskDecorator mdc = start -> {
 *     Map<String, String> captured = MDC.getCopyOfContextMap();     // on the spawning thread
 *     return () -> {                                                 // on the loop, at the start
 *         Map<String, String> previous = MDC.getCopyOfContextMap();
 *         MDC.setContextMap(captured == null ? Map.of() : captured);
 *         try {
 *             start.run();
 *         } finally {
 *             MDC.setContextMap(previous == null ? Map.of() : previous);
 *         }
 *     };
 * };
 * }</pre>
 *
 * A decorator that throws, returns {@code null}, or returns a {@code Runnable} that does not run
 * {@code start}, fails the job as a task that throws would.
 *
 * <p>For a job of {@link Scheduler#spawnBlocking(String, java.util.concurrent.Callable)
 * spawnBlocking}, the {@code Runnable} runs on the blocking thread instead, around the blocking call,
 * so the context reaches the blocking code.
 */
@FunctionalInterface
public interface TaskDecorator {

    /**
     * Wraps the start of one job.
     *
     * @param start calls the job's task; run it once, on the thread that runs the returned {@code Runnable}
     * @return what the scheduler's loop runs to start the job
     */
    Runnable decorate(Runnable start);
}
