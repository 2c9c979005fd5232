package io.github.nettyjobs.channel;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The reference of {@link AtomicHandlerModelTest}: what an atomic handler over a scheduler on the
 * channel's own loop must do, event by event, written as plainly as possible. It keeps the
 * scheduler's part small (a limit, a pending queue, spawns waiting for room, refusals, the two
 * timeouts on a frozen clock) and the channel's part as the promises state them: which requests
 * start a job, which answers go out and in what order, when the connection closes, and which
 * buffers must be released.
 */
final class AtomicModel {

    /** What a request asks of the handler. */
    enum Kind {
        /** Answered later by the test: ok, BYE (closes the connection) or a failure. */
        ASYNC,
        /** Never answered by the handler: only a timeout or the scheduler's close ends it. */
        NEVER,
        /** Answered "ok" inside its start. */
        SYNC_OK,
        /** Answered "BYE" inside its start: the connection closes after it. */
        SYNC_BYE,
        /** The handler throws. */
        THROW,
        /** The protocol's last request; answered later by the test, like ASYNC. */
        LAST,
        /** Undecodable: answered MALFORMED, and the connection closes after it. */
        BAD
    }

    /** One request, as the model follows it. */
    static final class Req {
        final int id;
        final Kind kind;
        boolean accepted;
        boolean unadmitted;
        boolean started;
        boolean jobEnded;
        boolean abandoned;
        boolean answered;
        String answer;
        boolean closes;
        /** Its buffer must have been released by now. */
        boolean released;
        /** The test may still complete the handler's future. */
        boolean completable;
        Timer queueTimer;
        Timer runTimer;

        Req(int id, Kind kind) {
            this.id = id;
            this.kind = kind;
        }

        @Override
        public String toString() {
            return id + " " + kind;
        }
    }

    /** A scheduler timer on the frozen clock; fires in (deadline, creation) order, as Netty's. */
    static final class Timer {
        final long deadline;
        final long seq;
        final Req req;
        final boolean queue;
        boolean cancelled;

        Timer(long deadline, long seq, Req req, boolean queue) {
            this.deadline = deadline;
            this.seq = seq;
            this.req = req;
            this.queue = queue;
        }
    }

    // configuration
    final boolean ordered;
    final int maxInFlight;
    final int limit;
    final int pendingLimit;
    final boolean rejectWhenFull;
    final long jobTimeoutMs;
    final long pendingTimeoutMs;
    final boolean nullFailure;

    // the channel's side
    final List<Req> queue = new ArrayList<>();
    final ArrayDeque<Req> deferred = new ArrayDeque<>();
    boolean inputShutdown;
    boolean destroyed;
    boolean outputShutdown;
    boolean unwritable;
    private boolean takingDeferred;
    private boolean flushing;
    private boolean flushAgain;
    final List<String> written = new ArrayList<>();
    final List<Integer> started = new ArrayList<>();

    // the scheduler's side
    final List<Req> active = new ArrayList<>();
    final ArrayDeque<Req> pending = new ArrayDeque<>();
    final ArrayDeque<Req> waiting = new ArrayDeque<>();
    private boolean draining;
    private final List<Timer> timers = new ArrayList<>();
    private long timerSeq;
    long now;

    AtomicModel(boolean ordered, int maxInFlight, int limit, int pendingLimit, boolean rejectWhenFull,
            long jobTimeoutMs, long pendingTimeoutMs, boolean nullFailure) {
        this.ordered = ordered;
        this.maxInFlight = maxInFlight;
        this.limit = limit;
        this.pendingLimit = pendingLimit;
        this.rejectWhenFull = rejectWhenFull;
        this.jobTimeoutMs = jobTimeoutMs;
        this.pendingTimeoutMs = pendingTimeoutMs;
        this.nullFailure = nullFailure;
    }

    // ---- the channel's side: AtomicHandler's promises ----

    /** A request decoded from the client's bytes. */
    void read(Req r) {
        if (inputShutdown || destroyed) {
            r.released = true; // behind a closing answer, or after the close: never processed
            return;
        }
        if (!deferred.isEmpty() || queue.size() >= maxInFlight) {
            deferred.addLast(r); // maxInFlight is a hard bound: waits, unspawned
            return;
        }
        accept(r);
    }

    private void accept(Req r) {
        r.accepted = true;
        queue.add(r);
        if (r.kind == Kind.BAD) {
            inputShutdown = true;
            r.released = true;
            answer(r, "MALFORMED " + r.id, true);
            return;
        }
        if (r.kind == Kind.LAST) {
            inputShutdown = true;
        }
        admit(r);
    }

    private void takeDeferred() {
        if (takingDeferred) {
            return;
        }
        takingDeferred = true;
        try {
            while (!inputShutdown && !destroyed && !deferred.isEmpty() && queue.size() < maxInFlight) {
                accept(deferred.pollFirst());
            }
        } finally {
            takingDeferred = false;
        }
        if (inputShutdown || destroyed) {
            releaseDeferred();
        }
    }

    private void releaseDeferred() {
        for (Req r; (r = deferred.pollFirst()) != null; ) {
            r.released = true;
        }
    }

    /** The job's outcome reached the exchange: {@code text} is the answer, {@code null} "close without answering". */
    private void outcome(Req r, String text) {
        r.released = true;
        if (!r.abandoned) {
            answer(r, text, false);
        }
    }

    private void answer(Req r, String text, boolean forceClose) {
        if (r.abandoned) {
            return;
        }
        if (outputShutdown) {
            r.answered = true; // leaves the queue without a write
            r.answer = null;
            r.closes = false;
            answered();
            return;
        }
        boolean close = forceClose || r.kind == Kind.LAST || text == null || text.startsWith("BYE");
        if (close) {
            closing(r);
        }
        r.answered = true;
        r.answer = text;
        r.closes = close;
        answered();
    }

    /** An answer that closes the connection: nothing behind it is processed any more. */
    private void closing(Req closer) {
        inputShutdown = true;
        releaseDeferred();
        int at = queue.indexOf(closer);
        if (at < 0) {
            return;
        }
        while (queue.size() > at + 1) {
            abandon(queue.remove(queue.size() - 1));
        }
    }

    private void abandon(Req r) {
        r.abandoned = true;
        if (r.unadmitted) {
            r.unadmitted = false;
            withdraw(r);
        }
    }

    private void answered() {
        if (destroyed) {
            return;
        }
        if (flush()) {
            takeDeferred();
        }
    }

    /** Writes what may go out; returns whether a request left the queue. */
    private boolean flush() {
        if (flushing) {
            flushAgain = true;
            return false;
        }
        flushing = true;
        boolean progressed = false;
        try {
            do {
                flushAgain = false;
                boolean closeNow = false;
                int writes = 0;
                if (ordered) {
                    while (canWrite() && !queue.isEmpty() && queue.get(0).answered) {
                        Req head = queue.remove(0);
                        writes++;
                        closeNow |= write(head);
                    }
                } else {
                    boolean earlierUnwritten = false;
                    for (Iterator<Req> it = queue.iterator(); it.hasNext(); ) {
                        Req r = it.next();
                        if (r.answered && canWrite() && !(earlierUnwritten && r.closes)) {
                            it.remove();
                            writes++;
                            closeNow |= write(r);
                        } else {
                            earlierUnwritten = true;
                        }
                    }
                }
                progressed |= writes > 0;
                if (outputShutdown && !destroyed) {
                    // answered exchanges behind the last answer leave the queue
                    progressed |= queue.removeIf(r -> r.answered);
                }
                if (closeNow) {
                    destroy();
                }
            } while (flushAgain && !destroyed);
        } finally {
            flushing = false;
        }
        return progressed;
    }

    private boolean canWrite() {
        return !outputShutdown && !destroyed && !unwritable;
    }

    /** Returns whether the connection closes after this write. */
    private boolean write(Req r) {
        if (r.answer == null) {
            outputShutdown = true; // close without answering
            return true;
        }
        written.add(r.answer);
        if (r.closes) {
            outputShutdown = true;
            return true;
        }
        return false;
    }

    /** The channel closes (the client vanished, or the last answer went out). */
    void destroy() {
        if (destroyed) {
            return;
        }
        destroyed = true;
        releaseDeferred();
        List<Req> left = new ArrayList<>(queue);
        queue.clear();
        for (Req r : left) {
            abandon(r);
        }
    }

    /** The channel became writable again, or stopped being writable. */
    void writable(boolean writable) {
        unwritable = !writable;
        if (writable) {
            answered();
        }
    }

    /** Whether the channel should be reading: no spawn waits for room and fewer than maxInFlight are unanswered. */
    boolean autoRead() {
        int unadmitted = 0;
        for (Req r : queue) {
            if (r.unadmitted) {
                unadmitted++;
            }
        }
        return unadmitted == 0 && queue.size() + deferred.size() < maxInFlight;
    }

    // ---- the scheduler's side ----

    private void admit(Req r) {
        boolean startNow = waiting.isEmpty() && pending.isEmpty() && active.size() < limit;
        if (!startNow && (!waiting.isEmpty() || pending.size() >= pendingLimit)) {
            if (rejectWhenFull) {
                outcome(r, "UNAVAILABLE " + r.id);
                return;
            }
            waiting.addLast(r);
            r.unadmitted = true;
            r.queueTimer = timer(pendingTimeoutMs, r, true);
            return;
        }
        if (startNow) {
            start(r);
            return;
        }
        pending.addLast(r);
        r.queueTimer = timer(pendingTimeoutMs, r, true);
    }

    private void start(Req r) {
        active.add(r);
        r.started = true;
        started.add(r.id);
        cancel(r.queueTimer);
        r.runTimer = timer(jobTimeoutMs, r, false);
        switch (r.kind) {
            case SYNC_OK -> jobEnded(r, "ok " + r.id);
            case SYNC_BYE -> jobEnded(r, "BYE " + r.id);
            case THROW -> jobEnded(r, failure(r));
            default -> r.completable = true;
        }
    }

    String failure(Req r) {
        return nullFailure ? null : "FAILED " + r.id;
    }

    /** An active job ended with {@code answer}: its slot frees (the queue moves on), then the outcome is handed out. */
    void jobEnded(Req r, String answer) {
        active.remove(r);
        r.jobEnded = true;
        r.completable = false;
        cancel(r.runTimer);
        drain();
        outcome(r, answer);
    }

    private void drain() {
        if (draining) {
            return;
        }
        draining = true;
        try {
            while (true) {
                if (active.size() < limit && !pending.isEmpty()) {
                    start(pending.pollFirst());
                } else if (pending.size() < pendingLimit && !waiting.isEmpty()) {
                    Req r = waiting.pollFirst();
                    pending.addLast(r); // keeps its queue deadline
                    r.unadmitted = false;
                } else {
                    break;
                }
            }
        } finally {
            draining = false;
        }
    }

    /** A spawn waiting for room is withdrawn: no job, and its request is released. */
    private void withdraw(Req r) {
        waiting.remove(r);
        cancel(r.queueTimer);
        r.released = true;
    }

    // ---- time ----

    private Timer timer(long delayMs, Req r, boolean queueDeadline) {
        if (delayMs == 0) {
            return null;
        }
        Timer timer = new Timer(now + delayMs, timerSeq++, r, queueDeadline);
        timers.add(timer);
        return timer;
    }

    private void cancel(Timer timer) {
        if (timer != null) {
            timer.cancelled = true;
            timers.remove(timer);
        }
    }

    /** Moves the frozen clock on and fires what became due, in Netty's order. */
    void advance(long ms) {
        now += ms;
        for (Timer next; (next = nextDue()) != null; ) {
            timers.remove(next);
            fire(next);
        }
    }

    private Timer nextDue() {
        Timer first = null;
        for (Timer t : timers) {
            if (t.deadline <= now && (first == null || t.deadline < first.deadline
                    || t.deadline == first.deadline && t.seq < first.seq)) {
                first = t;
            }
        }
        return first;
    }

    private void fire(Timer t) {
        Req r = t.req;
        if (!t.queue) {
            r.completable = false; // the job cancels its handler's future
            jobEnded(r, "UNAVAILABLE " + r.id);
        } else if (waiting.remove(r)) {
            r.unadmitted = false; // the spawn fails: refused
            outcome(r, "UNAVAILABLE " + r.id);
        } else if (pending.remove(r)) {
            r.jobEnded = true; // dropped before it started
            drain();
            outcome(r, "UNAVAILABLE " + r.id);
        }
    }
}
