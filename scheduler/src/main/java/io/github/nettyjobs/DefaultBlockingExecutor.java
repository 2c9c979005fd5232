package io.github.nettyjobs;

import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;

/**
 * The executor of blocking tasks when a scheduler's builder names none (see
 * {@link Scheduler.Builder#blockingExecutor(Executor)}); one instance shared by every scheduler of
 * the JVM, created on first use, safe to call from any thread.
 *
 * <p>On Java 21 and later it starts a new virtual thread per task. The jar targets Java 17, where
 * {@code Thread.ofVirtual()} does not exist, so the thread factory is looked up once, at run time,
 * through method handles; a multi-release jar would need a second source tree compiled by a newer
 * JDK for two lines of code. On Java 17 (or if the lookup fails) it is a {@link BlockingThreadPool}
 * of daemon platform threads named {@code nettyjobs-blocking-N}, created only when every thread is
 * busy and ended after a minute idle. Neither bounds the number of threads: each scheduler's limit
 * bounds how many of its tasks run at once.
 */
final class DefaultBlockingExecutor implements Executor {

    private static final InternalLogger logger = InternalLoggerFactory.getInstance(DefaultBlockingExecutor.class);

    /** The prefix of every thread's name; virtual threads get it too, for thread dumps. */
    static final String THREAD_NAME_PREFIX = "nettyjobs-blocking-";
    private static final int VIRTUAL_THREADS_SINCE = 21;

    /** Starts a new virtual thread per task, or {@code null} on Java 17. */
    private final ThreadFactory virtualThreads;
    /** The pool of platform threads, or {@code null} when virtual threads are used. */
    private final BlockingThreadPool platformThreads;

    private DefaultBlockingExecutor(ThreadFactory virtualThreads) {
        this.virtualThreads = virtualThreads;
        this.platformThreads = virtualThreads == null ? new BlockingThreadPool(THREAD_NAME_PREFIX) : null;
    }

    /** The shared executor, created (and its kind decided) on first use. */
    static Executor instance() {
        return Shared.INSTANCE;
    }

    /** A new executor on platform threads, whatever the Java version: the Java 17 case, for tests on newer Javas. */
    static DefaultBlockingExecutor onPlatformThreads() {
        return new DefaultBlockingExecutor(null);
    }

    /** A new executor as the shared one is made: virtual threads where the JDK has them. */
    static DefaultBlockingExecutor create() {
        return new DefaultBlockingExecutor(virtualThreadFactory());
    }

    /** Whether tasks run on virtual threads. */
    boolean usesVirtualThreads() {
        return virtualThreads != null;
    }

    @Override
    public void execute(Runnable task) {
        if (virtualThreads != null) {
            virtualThreads.newThread(task).start();
        } else {
            platformThreads.execute(task);
        }
    }

    /**
     * {@code Thread.ofVirtual().name("nettyjobs-blocking-", 1).factory()}, called through method
     * handles; {@code null} before Java 21 (Java 19 and 20 have the method as a preview, which fails
     * unless enabled) or if the lookup fails.
     */
    private static ThreadFactory virtualThreadFactory() {
        if (Runtime.version().feature() < VIRTUAL_THREADS_SINCE) {
            return null;
        }
        try {
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            Class<?> builderType = Class.forName("java.lang.Thread$Builder");
            Class<?> ofVirtualType = Class.forName("java.lang.Thread$Builder$OfVirtual");
            MethodHandle ofVirtual = lookup.findStatic(Thread.class, "ofVirtual", MethodType.methodType(ofVirtualType));
            MethodHandle name = lookup.findVirtual(ofVirtualType, "name",
                    MethodType.methodType(ofVirtualType, String.class, long.class));
            MethodHandle factory = lookup.findVirtual(builderType, "factory",
                    MethodType.methodType(ThreadFactory.class));
            Object builder = name.invoke(ofVirtual.invoke(), THREAD_NAME_PREFIX, 1L);
            return (ThreadFactory) factory.invoke(builder);
        } catch (Throwable t) {
            logger.debug("No virtual threads on Java {}; blocking tasks run on a pool of platform threads",
                    Runtime.version(), t);
            return null;
        }
    }

    @Override
    public String toString() {
        return "DefaultBlockingExecutor{" + (virtualThreads != null ? "a virtual thread per task" : platformThreads)
                + '}';
    }

    /** Holds the shared instance: created when first asked for, not when the scheduler class loads. */
    private static final class Shared {
        static final DefaultBlockingExecutor INSTANCE = create();
    }
}
