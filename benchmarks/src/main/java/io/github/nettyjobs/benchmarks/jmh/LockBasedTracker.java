package io.github.nettyjobs.benchmarks.jmh;

import io.netty.util.concurrent.Future;

import java.util.Queue;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;

import static io.github.nettyjobs.benchmarks.jmh.AbstractBenchmark.check;

/**
 * The baseline users write by hand when they have no scheduler: a {@link Semaphore} of permits, a
 * {@link ConcurrentHashMap} key set of the running futures and a listener per job, plus a queue of
 * tasks waiting for a permit. The benchmarks call it on one event loop; it uses concurrent
 * structures because such hand-written code cannot assume that.
 */
final class LockBasedTracker {

    private final int limit;
    private final Semaphore permits;
    private final Set<Future<?>> running = ConcurrentHashMap.newKeySet();
    private final Queue<Callable<Future<Integer>>> waiting = new ConcurrentLinkedQueue<>();
    /** Written on the loop; read after the batch, ordered by the hand-off that ends it. */
    private int completed;

    LockBasedTracker(int limit) {
        this.limit = limit;
        this.permits = new Semaphore(limit);
    }

    /** Starts {@code task} under a permit; throws if none is left. */
    Future<Integer> start(Callable<Future<Integer>> task) throws Exception {
        if (!permits.tryAcquire()) {
            throw new IllegalStateException("no permit left");
        }
        Future<Integer> f;
        try {
            f = task.call();
        } catch (Exception e) {
            permits.release();
            throw e;
        }
        running.add(f);
        f.addListener(done -> {
            running.remove(f);
            completed++;
            permits.release();
        });
        return f;
    }

    /** Starts {@code task} under a permit, or queues it until one is released. */
    void submit(Callable<Future<Integer>> task) throws Exception {
        if (permits.tryAcquire()) {
            run(task);
        } else {
            waiting.offer(task);
        }
    }

    private void run(Callable<Future<Integer>> task) throws Exception {
        Future<Integer> f = task.call();
        running.add(f);
        f.addListener(done -> {
            running.remove(f);
            completed++;
            Callable<Future<Integer>> next = waiting.poll();
            if (next != null) {
                run(next);
            } else {
                permits.release();
            }
        });
    }

    /** How many submitted tasks wait for a permit. */
    int waiting() {
        return waiting.size();
    }

    /** Starts a new batch's count. */
    void reset() {
        completed = 0;
    }

    /** Throws unless {@code expected} jobs completed and nothing is left running, queued or holding a permit. */
    void checkAllCompleted(int expected) {
        check("completed", completed, expected);
        check("running", running.size(), 0);
        check("waiting", waiting.size(), 0);
        check("permits", permits.availablePermits(), limit);
    }
}
