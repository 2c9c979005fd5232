package io.github.nettyjobs;

import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Assertions on schedulers and jobs: their counts, the state of a job, and the checks of their
 * arguments. Call them on the scheduler's event loop.
 */
final class SchedulerAssertions {

    /** The three states of a job; a job is in exactly one of them. */
    enum State {
        PENDING,
        ACTIVE,
        CLOSED
    }

    private SchedulerAssertions() {
    }

    /** Checks that {@code job} is in {@code state} and in neither of the other two. */
    static void assertState(Job<?> job, State state) {
        assertEquals(state == State.PENDING, job.isPending(), () -> "isPending() of " + job);
        assertEquals(state == State.ACTIVE, job.isActive(), () -> "isActive() of " + job);
        assertEquals(state == State.CLOSED, job.isClosed(), () -> "isClosed() of " + job);
    }

    /** Checks how many of {@code scheduler}'s jobs are active and how many are pending. */
    static void assertCounts(Scheduler scheduler, int active, int pending) {
        assertEquals(active, scheduler.activeCount(), "active jobs");
        assertEquals(pending, scheduler.pendingCount(), "pending jobs");
    }

    /**
     * Checks that {@code call} throws a {@code type} whose message names {@code parameter}, and
     * returns that exception.
     */
    static <X extends RuntimeException> X assertRejected(Class<X> type, String parameter, Executable call) {
        X e = assertThrows(type, call);
        assertTrue(String.valueOf(e.getMessage()).contains(parameter),
                () -> "message should name " + parameter + ": " + e.getMessage());
        return e;
    }
}
