package io.github.nettyjobs;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An {@link ExceptionHandler} that records every call; safe to read from any thread. */
final class RecordingHandler implements ExceptionHandler {

    /** The message of a report about a job that failed and that nobody joined. */
    static final String JOB_FAILED = "Job processing failed";
    /** The message of a report about a job that did not end within its close timeout. */
    static final String CLOSE_TIMED_OUT = "Job closing timed out";

    private final List<Scheduler> schedulers = new CopyOnWriteArrayList<>();
    private final List<ExceptionContext> contexts = new CopyOnWriteArrayList<>();
    private final List<Boolean> onLoop = new CopyOnWriteArrayList<>();

    @Override
    public void handle(Scheduler scheduler, ExceptionContext context) {
        onLoop.add(scheduler.executor().inEventLoop());
        schedulers.add(scheduler);
        contexts.add(context);
    }

    List<ExceptionContext> contexts() {
        return List.copyOf(contexts);
    }

    /** The one call so far, checked to come from {@code scheduler} on its loop. */
    ExceptionContext single(Scheduler scheduler) {
        assertEquals(1, contexts.size(), () -> "exception handler calls: " + contexts);
        assertSame(scheduler, schedulers.get(0));
        assertTrue(onLoop.get(0), "the exception handler ran off the scheduler's loop");
        return contexts.get(0);
    }

    /** As {@link #single(Scheduler)}, checked to carry {@code message}. */
    ExceptionContext single(Scheduler scheduler, String message) {
        ExceptionContext context = single(scheduler);
        assertEquals(message, context.message());
        return context;
    }

    /** Checks that the one call so far reports {@code failure} of {@code job} as {@link #JOB_FAILED}. */
    void assertSingleFailure(Scheduler scheduler, Job<?> job, Throwable failure) {
        ExceptionContext context = single(scheduler, JOB_FAILED);
        assertSame(job, context.job());
        assertSame(failure, context.exception());
    }

    void assertNotCalled() {
        assertEquals(List.of(), contexts, "the exception handler was called");
    }
}
