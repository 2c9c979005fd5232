package io.github.nettyjobs.reliability;

import io.github.nettyjobs.reliability.ModelJob.Admission;
import io.github.nettyjobs.reliability.ModelJob.End;
import io.github.nettyjobs.reliability.ModelJob.Kind;
import io.github.nettyjobs.reliability.ModelJob.State;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The reference model of a scheduler, written straight from the Javadoc of Scheduler and Job: slots under the limit,
 * a first-in first-out pending queue under the pending limit, spawns waiting for room, close.
 * It knows nothing of Netty; the driver tells it what happened and compares.
 */
final class ReferenceScheduler {

    final int limit;
    final int pendingLimit;
    /** A spawn that would wait for room fails at once instead. */
    final boolean rejectWhenFull;
    final List<ModelJob> active = new ArrayList<>();
    final ArrayDeque<ModelJob> pending = new ArrayDeque<>();
    final ArrayDeque<ModelJob> waiting = new ArrayDeque<>();
    /** Ids of jobs in the order their tasks must be called. */
    final List<Integer> starts = new ArrayList<>();
    /** Shielded futures not done yet. */
    int trackedShields;
    boolean closed;
    /** waitAndClose() waits for the scheduler to drain. */
    boolean draining;

    ReferenceScheduler(int limit, int pendingLimit, boolean rejectWhenFull) {
        this.limit = limit;
        this.pendingLimit = pendingLimit;
        this.rejectWhenFull = rejectWhenFull;
    }

    boolean isEmpty() {
        return active.isEmpty() && pending.isEmpty() && waiting.isEmpty() && trackedShields == 0;
    }

    private boolean hasSlot() {
        return limit == 0 || active.size() < limit;
    }

    private boolean hasRoom() {
        return pendingLimit == 0 || pending.size() < pendingLimit;
    }

    /** {@code spawn(task)}: starts, queues, waits for room, or is rejected. */
    void spawn(ModelJob job) {
        if (closed) {
            job.admission = Admission.REJECTED;
        } else if (!waiting.isEmpty()) {
            // Earlier spawns wait for room already; this one queues behind them (never with rejectWhenFull).
            job.admission = Admission.WAITING;
            job.waitedForRoom = true;
            waiting.add(job);
        } else {
            place(job);
        }
    }

    private void place(ModelJob job) {
        if (pending.isEmpty() && hasSlot()) {
            admit(job);
            start(job);
        } else if (hasRoom()) {
            admit(job);
            job.state = State.PENDING;
            pending.add(job);
        } else if (rejectWhenFull) {
            job.admission = Admission.REJECTED;
            job.rejectedFull = true;
        } else {
            job.admission = Admission.WAITING;
            job.waitedForRoom = true;
            waiting.add(job);
        }
    }

    private static void admit(ModelJob job) {
        job.admission = Admission.ADMITTED;
        if (job.joinOnAdmit) {
            job.explicit = true;
        }
    }

    private void start(ModelJob job) {
        job.state = State.ACTIVE;
        job.started = true;
        active.add(job);
        starts.add(job.id);
        switch (job.kind) {
            case SYNC_SUCCESS:
                end(job, End.SUCCESS);
                break;
            case SYNC_FAIL:
            case THROW:
            case NULL:
                end(job, End.FAILURE);
                break;
            case NESTED:
                // The parent already holds its slot when its task spawns the child.
                spawn(job.child);
                break;
            default:
                break;
        }
    }

    /** A cancelled spawn that still waited for room is withdrawn. */
    void withdraw(ModelJob job) {
        assert job.admission == Admission.WAITING;
        waiting.remove(job);
        job.admission = Admission.WITHDRAWN;
    }

    /** An open job ends: its future completed, or it was closed, dropped or abandoned. */
    void end(ModelJob job, End end) {
        assert job.isOpen() : job;
        if (job.state == State.ACTIVE) {
            active.remove(job);
        } else {
            pending.remove(job);
        }
        job.state = State.CLOSED;
        job.end = end;
        if (end == End.FAILURE && !job.explicit) {
            job.expectedFailureReports++;
        }
        drain();
    }

    /**
     * {@code job.close()}, or a {@code join(timeout)} that timed out, on an open job. A job closed
     * by a join's timeout ends timed out (see JobOutcome), and that join takes the
     * {@code TimeoutException}. A job that outlives the close timeout is abandoned; its close caller
     * gets the {@code TimeoutException}, while a join caller got its own, so then the close timeout
     * goes to the exception handler.
     */
    void closeJob(ModelJob job, boolean byJoinTimeout) {
        job.explicit = true;
        job.closedByTimeout = byJoinTimeout;
        End closed = byJoinTimeout ? End.TIMED_OUT : End.CANCELLED;
        if (job.state == State.PENDING) {
            end(job, closed);
        } else if (job.kind == Kind.STUBBORN) {
            end(job, End.ABANDONED);
            if (byJoinTimeout) {
                job.expectedTimeoutReports++;
            }
        } else {
            end(job, closed);
        }
    }

    /** Starts pending jobs in free slots and admits waiting spawns into free room, until neither is possible. */
    private void drain() {
        while (!closed) {
            if (hasSlot() && !pending.isEmpty()) {
                start(pending.poll());
            } else if (!waiting.isEmpty() && (hasRoom() || hasSlot())) {
                place(waiting.poll());
            } else {
                break;
            }
        }
        closeIfDrained();
    }

    /** A waitAndClose() in progress closes the scheduler once nothing is left. */
    void closeIfDrained() {
        if (draining && !closed && isEmpty()) {
            close();
        }
    }

    /** {@code scheduler.close()}: rejects waiting spawns, drops pending jobs, cancels active ones. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (ModelJob job : waiting) {
            job.admission = Admission.REJECTED;
        }
        waiting.clear();
        for (ModelJob job : new ArrayList<>(pending)) {
            end(job, End.CANCELLED);
        }
        for (ModelJob job : new ArrayList<>(active)) {
            if (job.kind == Kind.STUBBORN) {
                // Reported whether or not someone joined it, as Scheduler.close() says.
                end(job, End.ABANDONED);
                job.expectedTimeoutReports++;
            } else {
                end(job, End.CANCELLED);
            }
        }
        trackedShields = 0;
    }

    @Override
    public String toString() {
        return "model{limit=" + limit + ", pendingLimit=" + pendingLimit + (rejectWhenFull ? ", rejectWhenFull" : "")
                + ", active=" + ids(active)
                + ", pending=" + ids(pending) + ", waiting=" + ids(waiting) + ", shields=" + trackedShields
                + (draining ? ", draining" : "") + (closed ? ", closed" : "") + '}';
    }

    private static List<Integer> ids(Iterable<ModelJob> jobs) {
        List<Integer> ids = new ArrayList<>();
        for (ModelJob job : jobs) {
            ids.add(job.id);
        }
        return ids;
    }
}
