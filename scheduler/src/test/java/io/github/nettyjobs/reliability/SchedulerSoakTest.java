package io.github.nettyjobs.reliability;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ten million spawn and complete cycles ({@code nettyjobs.soak.cycles}) in a JVM of its own with
 * a 64 MB heap ({@code nettyjobs.soak.heap}): the scheduler must neither run out of memory nor
 * keep anything of the jobs that ended. {@link SoakMain} does the work and prints its books.
 */
class SchedulerSoakTest {

    private static final Pattern RESULT = Pattern.compile("soak (.*)");
    private static final Pattern ENTRY = Pattern.compile("(\\w+)=(\\S+)");

    @Test
    @Timeout(value = 40, unit = TimeUnit.MINUTES)
    void tenMillionCycles_inSmallHeap_leaveNothingBehind() throws Exception {
        long cycles = StressKnobs.soakCycles();
        int timeoutSeconds = StressKnobs.soakTimeoutSeconds();
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java,
                "-Xmx" + StressKnobs.soakHeap(),
                "-XX:+UseSerialGC",
                "-XX:+ExitOnOutOfMemoryError",
                "-ea",
                "-cp", System.getProperty("java.class.path"),
                SoakMain.class.getName(),
                Long.toString(cycles),
                Integer.toString(timeoutSeconds)));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        OutputCollector output = new OutputCollector(process.getInputStream());
        output.start();
        // The child reports a hang itself after timeoutSeconds; this wait only guards against a stuck JVM.
        boolean exited = process.waitFor(timeoutSeconds + 120L, TimeUnit.SECONDS);
        if (!exited) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        output.join(TimeUnit.SECONDS.toMillis(10));
        String text = output.text();
        System.out.println("soak output:\n" + text);
        assertTrue(exited, "the soak JVM did not exit within " + (timeoutSeconds + 120) + " s:\n" + text);
        assertEquals(0, process.exitValue(), "soak exit code (3: out of memory, 2: hung, 1: books off):\n" + text);

        Map<String, String> result = parse(text);
        assertEquals(Long.toString(cycles), result.get("spawned"), "spawned");
        assertEquals(Long.toString(cycles), result.get("admitted"), "admitted");
        assertEquals(result.get("expectedReports"), result.get("reports"), "failures reported");
        assertEquals("0", result.get("size"), "size after close");
        assertEquals("0", result.get("active"), "active after close");
        assertEquals("0", result.get("pending"), "pending after close");
        assertEquals("true", result.get("closed"), "closed");
        long[] heap = Arrays.stream(result.get("heapAfterGcKb").split(",")).mapToLong(Long::parseLong).toArray();
        long maxHeapKb = Long.parseLong(result.get("maxHeapKb"));
        // What is left after a full GC once everything ended is the JVM's and Netty's own, a few MB.
        assertTrue(heap[heap.length - 1] < maxHeapKb / 4,
                "heap after close and GC: " + heap[heap.length - 1] + " KB of " + maxHeapKb + " KB");
    }

    private static Map<String, String> parse(String text) {
        Map<String, String> result = new HashMap<>();
        for (String line : text.split("\n")) {
            Matcher matcher = RESULT.matcher(line.trim());
            if (matcher.matches()) {
                Matcher entry = ENTRY.matcher(matcher.group(1));
                while (entry.find()) {
                    result.put(entry.group(1), entry.group(2));
                }
            }
        }
        assertTrue(result.containsKey("cycles"), "no result line in the soak output:\n" + text);
        return result;
    }

    /** Drains the child's output so that it never blocks on a full pipe; keeps the first 64 KB. */
    private static final class OutputCollector extends Thread {
        private final InputStream in;
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

        OutputCollector(InputStream in) {
            super("soak-output");
            this.in = in;
            setDaemon(true);
        }

        @Override
        public void run() {
            byte[] chunk = new byte[8192];
            try {
                for (int n; (n = in.read(chunk)) > 0; ) {
                    if (buffer.size() < 64 * 1024) {
                        buffer.write(chunk, 0, n);
                    }
                }
            } catch (IOException ignored) {
                // the child is gone; what was read is kept
            }
        }

        /** The output so far; call after {@link #join}, which publishes what the thread wrote. */
        String text() {
            return buffer.toString(StandardCharsets.UTF_8);
        }
    }
}
