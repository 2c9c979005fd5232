package io.github.nettyjobs.benchmarks.load;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.function.Predicate;

/**
 * The CPU time a server's threads use during a measured phase, from the JVM's per-thread CPU clocks:
 * requests per CPU second of the server are what a server costs, a figure that a busy machine
 * disturbs far less than requests per second, since time the server's threads spend descheduled is
 * not counted. Every server of the harness runs in this JVM on threads named after it.
 */
final class ServerCpuMeter {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final Predicate<String> serverThread;
    private long startNanos = -1;
    private long cpuNanos = -1;

    /**
     * A meter of the threads whose names {@code serverThread} accepts.
     *
     * @param serverThread accepts the names of the server's threads
     */
    ServerCpuMeter(Predicate<String> serverThread) {
        this.serverThread = serverThread;
    }

    /** The measured phase starts now. */
    void onMeasureStart() {
        startNanos = serverCpuNanos();
        cpuNanos = -1;
    }

    /** The measured phase ended now. */
    void onMeasureEnd() {
        if (startNanos >= 0) {
            cpuNanos = serverCpuNanos() - startNanos;
        }
    }

    /** CPU seconds the server's threads used during the last measured phase, or {@code NaN} if unknown. */
    double cpuSeconds() {
        return cpuNanos < 0 || !THREADS.isThreadCpuTimeSupported() ? Double.NaN : cpuNanos / 1e9;
    }

    private long serverCpuNanos() {
        if (!THREADS.isThreadCpuTimeSupported()) {
            return -1;
        }
        long total = 0;
        for (ThreadInfo thread : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (thread != null && serverThread.test(thread.getThreadName())) {
                long cpu = THREADS.getThreadCpuTime(thread.getThreadId());
                if (cpu > 0) {
                    total += cpu;
                }
            }
        }
        return total;
    }
}
