package io.github.nettyjobs.benchmarks.simulation;

import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

import java.util.ArrayDeque;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * A simulated downstream, such as a database behind a connection pool, on the scheduler's loop: it
 * serves {@code capacity} calls at once and queues the rest first in, first out, so a call's time
 * grows with the concurrency beyond capacity, as a real database's does. Each service takes the
 * base latency times {@code 0.9 + Exp(0.1)} (mean 1, p99 about 1.36), and times
 * {@code 1 + 0.1 * excess / capacity} while calls queue (contention: a saturated database also
 * gets slower per query). A call cancelled while it queues is skipped; one cancelled in service
 * holds its connection to the end, as a query already sent does. Confined to the loop.
 */
final class Downstream {

    private static final double CONTENTION = 0.1;

    private final VirtualTime time;
    private final long baseNanos;
    private final Random random;
    private final ArrayDeque<Promise<Void>> queue = new ArrayDeque<>();
    private int capacity;
    private int busy;

    Downstream(VirtualTime time, long baseNanos, int capacity, long seed) {
        this.time = time;
        this.baseNanos = baseNanos;
        this.capacity = capacity;
        this.random = new Random(seed);
    }

    /** Calls the downstream: the future completes when the call has been served. */
    Future<Void> call() {
        Promise<Void> promise = time.loop().newPromise();
        queue.add(promise);
        serveQueued();
        return promise;
    }

    /** Changes the capacity; calls in service keep their connections. */
    void capacity(int capacity) {
        this.capacity = capacity;
        serveQueued();
    }

    private void serveQueued() {
        while (busy < capacity && !queue.isEmpty()) {
            Promise<Void> next = queue.poll();
            if (!next.isDone()) {
                serve(next);
            }
        }
    }

    private void serve(Promise<Void> promise) {
        busy++;
        double contention = 1 + CONTENTION * Math.max(0, queue.size()) / capacity;
        double jitter = 0.9 - 0.1 * Math.log(1 - random.nextDouble());
        long nanos = (long) (baseNanos * jitter * contention);
        time.loop().schedule(() -> {
            busy--;
            serveQueued(); // the queue first: a call made while this one completes must not pass it
            promise.trySuccess(null);
        }, nanos, TimeUnit.NANOSECONDS);
    }
}
