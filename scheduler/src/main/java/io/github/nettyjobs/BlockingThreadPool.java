package io.github.nettyjobs;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The pool of platform threads that runs blocking calls where the JDK has no virtual threads:
 * daemon threads named {@code nettyjobs-blocking-N}, as many as calls run at once (the schedulers'
 * limits bound that), each ended after a minute idle. Thread-safe; {@link #execute} is called on
 * event loops.
 *
 * <p>Neither of the JDK's ready-made pools fits. A cached pool hands a task only to a thread
 * waiting at that very instant, and a thread that has just finished a call is often not back
 * waiting when the loop, told of the end, starts the next call: under a steady load it then
 * creates a thread, on the loop, for nearly every call. A fixed pool creates a thread for every
 * task until it is full, even with threads idle. Here a task goes to an idle thread whenever there
 * is one, and a thread is created only when every thread is busy.
 *
 * <p>How a task finds an idle thread: {@link #idle} counts the threads waiting for a task that no
 * task has claimed yet. {@code execute} claims one (a compare-and-set) and queues the task, which
 * some waiting thread takes; with none to claim, it starts a thread for the task. A thread whose
 * wait times out ends only if it can take itself off {@code idle}; if every idle thread has been
 * claimed, a task is on its way to it, and it waits for that task.
 *
 * <p>A thread counts itself idle as soon as its call has returned, before the call's outcome hops
 * to the loop ({@link #callReturned()}): the loop, told of the end, starts the next call at once,
 * and it must find this thread idle, not start another because this one had not yet come back.
 */
final class BlockingThreadPool implements Executor {

    private static final long KEEP_ALIVE_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final String namePrefix;
    private final long keepAliveNanos;
    private final LinkedTransferQueue<Runnable> queue = new LinkedTransferQueue<>();
    /** Threads waiting for a task that no {@code execute} has claimed. */
    private final AtomicInteger idle = new AtomicInteger();
    /** Threads alive, for tests and {@link #toString()}. */
    private final AtomicInteger threads = new AtomicInteger();
    private final AtomicInteger names = new AtomicInteger();

    BlockingThreadPool(String namePrefix) {
        this(namePrefix, KEEP_ALIVE_NANOS);
    }

    /** With another keep-alive, for tests. */
    BlockingThreadPool(String namePrefix, long keepAliveNanos) {
        this.namePrefix = namePrefix;
        this.keepAliveNanos = keepAliveNanos;
    }

    @Override
    public void execute(Runnable task) {
        if (claimIdleThread()) {
            queue.add(task);
            return;
        }
        Thread thread = new PoolThread(this, task, namePrefix + names.incrementAndGet());
        threads.incrementAndGet();
        try {
            thread.start();
        } catch (Throwable t) {
            threads.decrementAndGet(); // no thread (out of memory, say): the caller fails its call
            throw t;
        }
    }

    private boolean claimIdleThread() {
        for (int n; (n = idle.get()) > 0; ) {
            if (idle.compareAndSet(n, n - 1)) {
                return true;
            }
        }
        return false;
    }

    /** A thread's life: its first task, then those it takes from the queue, until it stays idle too long. */
    private void work(PoolThread thread, Runnable first) {
        try {
            Runnable task = first;
            while (task != null) {
                runQuietly(task);
                task = next(thread);
            }
        } finally {
            threads.decrementAndGet();
        }
    }

    /**
     * On the thread of a call that has just returned, before its outcome goes to the loop: a thread
     * of a pool counts itself idle from now on. Does nothing on any other thread.
     */
    static void callReturned() {
        Thread current = Thread.currentThread();
        if (current instanceof PoolThread) {
            ((PoolThread) current).becomeIdle();
        }
    }

    /** The next task, or {@code null} when the thread has been idle for the keep-alive and may end. */
    private Runnable next(PoolThread thread) {
        if (!thread.takeIdleEarly()) {
            idle.incrementAndGet();
        }
        Runnable task = poll();
        if (task != null || claimIdleThread()) {
            return task; // a task, or this thread took itself off the idle ones: it ends
        }
        return take(); // every idle thread is claimed: a task is coming for this one
    }

    // An idle thread of the pool has nothing to interrupt: an interrupt there is ignored (and cleared).

    private Runnable poll() {
        long deadline = System.nanoTime() + keepAliveNanos;
        while (true) {
            try {
                return queue.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException ignored) {
                // wait on until the deadline
            }
        }
    }

    private Runnable take() {
        while (true) {
            try {
                return queue.take();
            } catch (InterruptedException ignored) {
                // wait on for the task that is coming
            }
        }
    }

    private static void runQuietly(Runnable task) {
        try {
            task.run();
        } catch (Throwable t) {
            // The tasks are BlockingTask.run, which catches what a call throws; nothing else reaches here.
            Thread current = Thread.currentThread();
            current.getUncaughtExceptionHandler().uncaughtException(current, t);
        }
    }

    /** Threads alive: busy, idle, or about to end. */
    int threadCount() {
        return threads.get();
    }

    /** A thread of the pool; it remembers whether it counted itself idle before its task ended. */
    private static final class PoolThread extends Thread {

        private final BlockingThreadPool pool;
        /** The task it was started for, until it runs. */
        private Runnable first;
        private boolean idleEarly;

        PoolThread(BlockingThreadPool pool, Runnable first, String name) {
            super(name);
            this.pool = pool;
            this.first = first;
            setDaemon(true); // the pool is never shut down: it must not keep the JVM alive
        }

        @Override
        public void run() {
            Runnable task = first;
            first = null;
            pool.work(this, task);
        }

        /** On this thread, once per task at most. */
        void becomeIdle() {
            if (!idleEarly) {
                idleEarly = true;
                pool.idle.incrementAndGet();
            }
        }

        /** Whether this thread already counted itself idle for the task that ended; resets. */
        boolean takeIdleEarly() {
            boolean early = idleEarly;
            idleEarly = false;
            return early;
        }
    }

    @Override
    public String toString() {
        return "BlockingThreadPool{" + namePrefix + "N, " + threads.get() + " threads, " + idle.get() + " idle}";
    }
}
