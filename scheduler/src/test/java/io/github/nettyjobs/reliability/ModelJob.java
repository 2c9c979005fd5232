package io.github.nettyjobs.reliability;

import io.github.nettyjobs.Job;
import io.github.nettyjobs.JobOutcome;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One spawn of a model-based sequence: what the reference model expects of it, written by the
 * driving thread, beside the handles the real scheduler gave back, written on the loop.
 */
final class ModelJob {

    /** What the task does when it is called. */
    enum Kind {
        /** Returns a loop promise that the sequence completes later. */
        PROMISE,
        /** Returns a promise of another event loop, completed there. */
        FOREIGN,
        /** Returns an uncancellable promise: closing it times out. */
        STUBBORN,
        /** Spawns a child job on the same scheduler from inside its task, then acts as PROMISE. */
        NESTED,
        /** Returns an already succeeded future. */
        SYNC_SUCCESS,
        /** Returns an already failed future. */
        SYNC_FAIL,
        /** Throws. */
        THROW,
        /** Returns null. */
        NULL;

        boolean hasPromise() {
            return this == PROMISE || this == FOREIGN || this == STUBBORN || this == NESTED;
        }
    }

    /** What became of the spawn call. */
    enum Admission { WAITING, ADMITTED, REJECTED, WITHDRAWN }

    /** The job's state as the model sees it; NONE until admitted. */
    enum State { NONE, PENDING, ACTIVE, CLOSED }

    /** How a closed job ended. */
    enum End {
        SUCCESS(JobOutcome.SUCCEEDED), FAILURE(JobOutcome.FAILED), CANCELLED(JobOutcome.CANCELLED),
        /** Closed by a join whose timeout passed. */
        TIMED_OUT(JobOutcome.TIMED_OUT),
        ABANDONED(JobOutcome.ABANDONED);

        /** What {@link Job#outcome()} and the listener must say. */
        final JobOutcome outcome;

        End(JobOutcome outcome) {
            this.outcome = outcome;
        }
    }

    /** A join or close future and what it must complete with. */
    static final class Waiter {
        enum Kind { JOIN, JOIN_TIMED_OUT, CLOSE }

        final Kind kind;
        final Future<?> future;
        /** The job was still open when the waiter was registered. */
        final boolean registeredOpen;

        Waiter(Kind kind, Future<?> future, boolean registeredOpen) {
            this.kind = kind;
            this.future = future;
            this.registeredOpen = registeredOpen;
        }
    }

    final int id;
    final Kind kind;
    /** The name given to spawn, or null for a default one. */
    final String name;
    /** A join is attached on the loop as soon as the spawn future completes. */
    final boolean joinOnAdmit;
    final Object value;
    final Exception failure;
    /** The job a NESTED task spawns. */
    final ModelJob child;

    // ---- the model's expectations, driving thread only ----
    Admission admission;
    State state = State.NONE;
    End end;
    /** A join or close was registered before the job ended: a failure is theirs, not the handler's. */
    boolean explicit;
    boolean started;
    /** The spawn had to wait for room in the pending queue at some point. */
    boolean waitedForRoom;
    /** Rejected because the pending queue was full (rejectWhenFull), not because the scheduler was closed. */
    boolean rejectedFull;
    /** A timeout (a join's) closed the job: if it was then abandoned, its joins fail with TimeoutException. */
    boolean closedByTimeout;
    int expectedFailureReports;
    int expectedTimeoutReports;

    // ---- handles from the real scheduler ----
    volatile Future<Job<Object>> spawnFuture;
    volatile Job<Object> job;
    volatile Promise<Object> promise;
    final AtomicInteger calls = new AtomicInteger();
    final List<Waiter> waiters = new CopyOnWriteArrayList<>();

    ModelJob(int id, Kind kind, String name, boolean joinOnAdmit, ModelJob child) {
        this.id = id;
        this.kind = kind;
        this.name = name;
        this.joinOnAdmit = joinOnAdmit;
        this.child = child;
        this.value = "value-" + id;
        this.failure = id % 2 == 0 ? new ModelFailure(id) : new ModelCheckedFailure(id);
    }

    boolean isOpen() {
        return state == State.PENDING || state == State.ACTIVE;
    }

    @Override
    public String toString() {
        return "#" + id + '(' + kind + (name != null ? ", " + name : "") + (joinOnAdmit ? ", joinOnAdmit" : "")
                + ", " + admission + ", " + state + (end != null ? ", " + end : "") + (explicit ? ", explicit" : "")
                        + ')';
    }

    /** An unchecked failure of a model task; no stack trace, it is only compared by identity. */
    static final class ModelFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ModelFailure(int id) {
            super("model failure of #" + id, null, false, false);
        }
    }

    /** A checked failure of a model task. */
    static final class ModelCheckedFailure extends Exception {
        private static final long serialVersionUID = 1L;

        ModelCheckedFailure(int id) {
            super("model checked failure of #" + id, null, false, false);
        }
    }
}
