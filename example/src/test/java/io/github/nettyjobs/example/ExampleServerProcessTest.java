package io.github.nettyjobs.example;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The example server as its own process, stopped by SIGTERM as a service manager would. */
class ExampleServerProcessTest {

    private static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+) ");

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void sigterm_stopsGracefully_andReportsWhatWasCancelled() throws Exception {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-cp", classPath, ExampleServer.class.getName(),
                "--port", "0", "--grace", "1s")
                .redirectErrorStream(true)
                .start();
        List<String> lines = new CopyOnWriteArrayList<>();
        BlockingQueue<String> pending = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    lines.add(line);
                    pending.add(line);
                }
            } catch (Exception ignored) {
                // the process ended
            }
        }, "example-output");
        reader.setDaemon(true);
        reader.start();
        try {
            int port = -1;
            while (port < 0) {
                String line = pending.poll(30, TimeUnit.SECONDS);
                assertNotNull(line, "the server did not start: " + lines);
                Matcher listening = LISTENING.matcher(line);
                if (listening.find()) {
                    port = Integer.parseInt(listening.group(1));
                }
            }
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpResponse<String> spawned = client.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/jobs?seconds=600&name=forever"))
                    .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(202, spawned.statusCode());

            // SIGTERM. Not Process.destroy(): it also closes this end of the output, losing the report.
            assertTrue(process.toHandle().destroy());
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the server did not stop: " + lines);
            reader.join(TimeUnit.SECONDS.toMillis(5));
        } finally {
            process.destroyForcibly();
        }
        String output = String.join("\n", lines);
        assertTrue(output.contains("nettyjobs-example: stopping: draining"),
                () -> "exit " + process.exitValue() + ": " + output);
        assertTrue(output.contains("nettyjobs-example: cancelled at shutdown: background job forever"), output);
        assertTrue(output.endsWith("nettyjobs-example: stopped"), output);
        assertEquals(143, process.exitValue(), "128 + SIGTERM, after the shutdown hook ran");
    }
}
