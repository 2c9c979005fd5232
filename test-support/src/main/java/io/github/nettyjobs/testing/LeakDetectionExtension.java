package io.github.nettyjobs.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;

/**
 * Fails a test class when Netty reports a leaked {@link ByteBuf} (see {@link LeakReports}). A
 * module enables it for every test class by listing it in {@code META-INF/services} (this jar does)
 * and switching on extension autodetection in its {@code junit-platform.properties}.
 *
 * <p>Netty reports a leak when a tracked buffer has been garbage collected unreleased and a later
 * allocation polls the detector's queue, so after each class the extension collects garbage and
 * allocates until nothing new turns up. Surefire runs with
 * {@code -Dio.netty.leakDetection.level=paranoid}, so every buffer is tracked.
 */
public final class LeakDetectionExtension implements AfterAllCallback {

    private static final int ROUNDS = 3;

    static {
        LeakReports.install();
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
    public static List<String> collectLeaks() {
        List<String> leaks = new ArrayList<>();
        for (int i = 0; i < ROUNDS; i++) {
            collectGarbage();
            // Each tracked allocation first polls the detector's queue of collected, unreleased buffers.
            ByteBufAllocator.DEFAULT.buffer(1).release();
            leaks.addAll(LeakReports.drain());
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
