package io.github.nettyjobs.benchmarks.load;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The executors that blocking work is measured against, made without nettyjobs: the JDK's
 * virtual-thread-per-task executor (looked up at run time, since the module targets Java 17) and
 * pools of daemon platform threads.
 */
public final class RawExecutors {

    private RawExecutors() {
    }

    /**
     * {@code Executors.newVirtualThreadPerTaskExecutor()}, or {@code null} before Java 21.
     *
     * @return a new executor that starts a virtual thread per task, or {@code null} if the JVM has none
     */
    public static ExecutorService virtualThreadPerTask() {
        if (Runtime.version().feature() < 21) {
            return null;
        }
        try {
            return (ExecutorService) MethodHandles.publicLookup()
                    .findStatic(Executors.class, "newVirtualThreadPerTaskExecutor",
                            MethodType.methodType(ExecutorService.class))
                    .invoke();
        } catch (Throwable t) {
            throw new IllegalStateException("Java " + Runtime.version() + " has no virtual threads", t);
        }
    }

    /**
     * A fixed pool of {@code threads} daemon platform threads named {@code name-N}.
     *
     * @param threads how many threads
     * @param name    the prefix of their names
     * @return a new pool
     */
    public static ExecutorService fixedPool(int threads, String name) {
        AtomicInteger numbers = new AtomicInteger();
        return Executors.newFixedThreadPool(threads, task -> {
            Thread thread = new Thread(task, name + '-' + numbers.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * What nettyjobs' default blocking executor is on this JVM, made by hand: a virtual thread per
     * task on Java 21 and later, else a cached pool of daemon platform threads.
     *
     * @return a new executor
     */
    public static ExecutorService defaultKind() {
        ExecutorService virtual = virtualThreadPerTask();
        if (virtual != null) {
            return virtual;
        }
        AtomicInteger numbers = new AtomicInteger();
        return Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "raw-blocking-" + numbers.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }
}
