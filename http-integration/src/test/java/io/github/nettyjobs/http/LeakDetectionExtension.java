package io.github.nettyjobs.http;

import io.netty.buffer.AbstractByteBuf;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Fails a test class when Netty's {@link ResourceLeakDetector} reports a leaked {@link ByteBuf}.
 * JUnit finds it for every test class of this module (META-INF/services, with extension
 * autodetection switched on in junit-platform.properties).
 *
 * <p>It listens on the detector every {@code ByteBuf} allocator tracks through (the static
 * {@code AbstractByteBuf.leakDetector}, reached by reflection because it is package-private).
 * Netty reports a leak when a tracked buffer has been garbage collected unreleased and a later
 * allocation polls the detector's queue, so after each class the extension collects garbage and
 * allocates until nothing new turns up. Surefire runs with {@code -Dio.netty.leakDetection.level=paranoid},
 * so every buffer is tracked.
 */
public final class LeakDetectionExtension implements AfterAllCallback {

    private static final int ROUNDS = 3;
    private static final Queue<String> reported = new ConcurrentLinkedQueue<>();

    static {
        byteBufLeakDetector().setLeakListener(
                (resourceType, records) -> reported.add("LEAK: " + resourceType + ".release() was not called." + records));
    }

    private static ResourceLeakDetector<?> byteBufLeakDetector() {
        try {
            Field field = AbstractByteBuf.class.getDeclaredField("leakDetector");
            field.setAccessible(true);
            return (ResourceLeakDetector<?>) field.get(null);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        List<String> leaks = collectLeaks();
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " ByteBuf leak(s) reported after "
                    + context.getDisplayName() + ":\n" + String.join("\n", leaks));
        }
    }

    /** Makes Netty report what has leaked so far, and takes the reports. */
    static List<String> collectLeaks() {
        for (int i = 0; i < ROUNDS; i++) {
            collectGarbage();
            // Each tracked allocation first polls the detector's queue of collected, unreleased buffers.
            ByteBufAllocator.DEFAULT.buffer(1).release();
        }
        List<String> leaks = new ArrayList<>();
        for (String leak; (leak = reported.poll()) != null; ) {
            leaks.add(leak);
        }
        return leaks;
    }

    /**
     * Runs a full collection and waits, boundedly, until the reference handler thread has enqueued
     * what it cleared: a sentinel's weak reference arrives on a queue of our own.
     */
    private static void collectGarbage() {
        ReferenceQueue<Object> queue = new ReferenceQueue<>();
        WeakReference<Object> sentinel = new WeakReference<>(new Object(), queue);
        System.gc();
        try {
            Reference<?> enqueued = queue.remove(1_000);
            assert enqueued == null || enqueued == sentinel;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
