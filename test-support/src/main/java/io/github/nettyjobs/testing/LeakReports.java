package io.github.nettyjobs.testing;

import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Collects the leaks Netty's {@link ResourceLeakDetector}s report, through Netty's own hook for
 * this: a {@link ResourceLeakDetectorFactory} whose detectors override {@code reportTracedLeak} and
 * {@code reportUntracedLeak}. The JUnit launcher installs it when a test session opens (it is a
 * {@link LauncherSessionListener}, listed in {@code META-INF/services}), before any test class can
 * load {@code ByteBuf} and create its detector. Netty still logs every leak as usual.
 */
public final class LeakReports implements LauncherSessionListener {

    private static final Queue<String> reported = new ConcurrentLinkedQueue<>();

    static {
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new ReportingFactory());
    }

    /** Called by the launcher; loading this class has installed the factory. */
    @Override
    public void launcherSessionOpened(LauncherSession session) {
    }

    /** Makes sure the factory is installed, for callers outside a JUnit session. */
    static void install() {
    }

    /** Takes the leaks reported so far. */
    static List<String> drain() {
        List<String> leaks = new ArrayList<>();
        for (String leak; (leak = reported.poll()) != null; ) {
            leaks.add(leak);
        }
        return leaks;
    }

    private static final class ReportingFactory extends ResourceLeakDetectorFactory {

        @Override
        @Deprecated
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval,
                long maxActive) {
            return newResourceLeakDetector(resource, samplingInterval);
        }

        @Override
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval) {
            return new ReportingDetector<>(resource, samplingInterval);
        }
    }

    private static final class ReportingDetector<T> extends ResourceLeakDetector<T> {

        ReportingDetector(Class<T> resource, int samplingInterval) {
            super(resource, samplingInterval);
        }

        @Override
        protected void reportTracedLeak(String resourceType, String records) {
            reported.add("LEAK: " + resourceType + ".release() was not called." + records);
            super.reportTracedLeak(resourceType, records);
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
            reported.add("LEAK: " + resourceType + ".release() was not called (no access records).");
            super.reportUntracedLeak(resourceType);
        }
    }
}
