package io.github.nettyjobs;

import io.github.nettyjobs.internal.VarHandles;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The fields of a {@link Scheduler} that admitting, starting and ending jobs write, on the loop.
 * They live apart from the scheduler's own object because a spawn from another thread reads that
 * object (its loop, its configuration) for every job: if the loop wrote to the same cache line,
 * each cross-thread spawn and each admission would wait for that line to travel between cores.
 *
 * <p>The counts are published: written only on the loop with release stores, readable anywhere
 * with acquire loads. Everything else is confined to the scheduler's event loop.
 */
final class PerJobFields {

    private static final VarHandle ACTIVE_COUNT = VarHandles.find(MethodHandles.lookup(), "activeCount", int.class);
    private static final VarHandle PENDING_COUNT = VarHandles.find(MethodHandles.lookup(), "pendingCount", int.class);

    private int activeCount;
    private int pendingCount;
    /** Numbers admitted jobs, for their default names. */
    long sequence;
    /**
     * The innermost job whose task is being called (see {@code Scheduler#start}), or {@code null};
     * the jobs in a call stack through their {@code prev} link, which the active list uses only
     * once they are in it. A job joins the active list when its task returns a future that is not
     * done, so one whose task returns a completed future never enters it.
     */
    DefaultJob<?> calling;
    /** The jobs in that stack that are still active: they count as active, though not in the list. */
    int callingActive;
    /** Set while {@code Scheduler#drain} runs, so that a job ending inside it does not start another drain. */
    boolean draining;

    /** The active list's size as last published; any thread. */
    int activeCountAcquire() {
        return (int) ACTIVE_COUNT.getAcquire(this);
    }

    /** The pending queue's size as last published; any thread. */
    int pendingCountAcquire() {
        return (int) PENDING_COUNT.getAcquire(this);
    }

    /** Publishes the active list's size; on the loop. */
    void publishActiveCount(int count) {
        ACTIVE_COUNT.setRelease(this, count);
    }

    /** Publishes the pending queue's size; on the loop. */
    void publishPendingCount(int count) {
        PENDING_COUNT.setRelease(this, count);
    }
}
