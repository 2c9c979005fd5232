package io.github.nettyjobs.example;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The example server in this JVM: its routes, then a graceful stop and its report. */
class ExampleServerTest {

    private static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return client.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void routesAnswer_andStopWaitsForTheAtomicRequest_thenCancelsTheRest() throws Exception {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8);
        ExampleServer server = ExampleServer.start(
                Options.parse("--port", "0", "--limit", "1", "--pending-limit", "1", "--grace", "3s"), out);
        String base = "http://127.0.0.1:" + server.port();
        try {
            HttpResponse<String> help = send(HttpRequest.newBuilder(URI.create(base + "/")));
            assertEquals(200, help.statusCode());
            assertTrue(help.body().contains("POST /jobs"), help.body());

            HttpResponse<String> first = send(HttpRequest.newBuilder(URI.create(base + "/jobs?seconds=60&name=long"))
                    .POST(HttpRequest.BodyPublishers.noBody()));
            assertEquals(202, first.statusCode());
            assertEquals("spawned long (active), it runs 60 s\n", first.body());
            HttpResponse<String> second = send(HttpRequest.newBuilder(URI.create(base + "/jobs?seconds=60&name=queued"))
                    .POST(HttpRequest.BodyPublishers.noBody()));
            assertEquals("spawned queued (pending), it runs 60 s\n", second.body());

            HttpResponse<String> jobs = send(HttpRequest.newBuilder(URI.create(base + "/jobs")));
            assertEquals(200, jobs.statusCode());
            assertTrue(jobs.body().startsWith("background: 1 active, 1 pending\n"), jobs.body());
            assertTrue(jobs.body().contains("  long  active\n  queued  pending\n"), jobs.body());

            assertEquals(500, send(HttpRequest.newBuilder(URI.create(base + "/fail"))).statusCode());
            assertEquals(404, send(HttpRequest.newBuilder(URI.create(base + "/nowhere"))).statusCode());

            // An atomic request whose client leaves at once: its job runs on, and stop() waits for it.
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                socket.getOutputStream().write(
                        "GET /atomic?seconds=1 HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
            }
            // Stop only once the server has the request: a connection still in the accept backlog is lost with the
            // port.
            // Each GET /jobs is answered after what the server did before it: ask until the work is listed.
            for (int attempt = 0; ; attempt++) {
                String listing = send(HttpRequest.newBuilder(URI.create(base + "/jobs"))).body();
                if (listing.contains("\nlong:       1 active")) {
                    break;
                }
                assertTrue(attempt < 10_000, () -> "the atomic request never started: " + listing);
            }
        } finally {
            server.stop();
        }
        String printed = output.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("nettyjobs-example: listening on " + base), printed);
        assertTrue(printed.contains("nettyjobs-example: stopping: draining"), printed);
        assertTrue(printed.contains("nettyjobs-example: atomic request 1: its client has gone"), printed);
        assertTrue(printed.contains("nettyjobs-example: finished during shutdown: atomic request 1\n"), printed);
        // close() drops the pending job first, then cancels the active one.
        assertTrue(printed.contains(
                "nettyjobs-example: cancelled at shutdown: background job queued, background job long\n"), printed);
        assertTrue(printed.endsWith("nettyjobs-example: stopped\n"), printed);
        assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", server.port()).close(), "still listening");
        server.stop(); // a second stop returns at once
    }

    @Test
    void options_haveSafeDefaults_andRejectBadValues() {
        Options defaults = Options.parse();
        assertEquals("127.0.0.1", defaults.host);
        assertEquals(8080, defaults.port);
        assertEquals(100, defaults.limit);
        assertEquals(10_000, defaults.pendingLimit);
        assertEquals(Duration.ofSeconds(20), defaults.grace);
        assertEquals(Duration.ofSeconds(2), defaults.quietPeriod);
        assertEquals(Duration.ofMillis(500), Options.parse("--grace", "500ms").quietPeriod);
        assertEquals(Duration.ofMillis(1500), Options.parse("--grace", "1.5s").grace);
        assertEquals(Duration.ofMillis(250), Options.parse("--grace", "250ms").grace);
        assertEquals(Duration.ofMinutes(2), Options.parse("--grace", "2m").grace);
        assertEquals("--limit: -1 (expected: 0 to 2147483647)",
                assertThrows(IllegalArgumentException.class, () -> Options.parse("--limit", "-1")).getMessage());
        assertEquals("--port needs a value",
                assertThrows(IllegalArgumentException.class, () -> Options.parse("--port")).getMessage());
        assertEquals("unknown option: --colour",
                assertThrows(IllegalArgumentException.class, () -> Options.parse("--colour", "red")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Options.parse("--grace", "soon"))
                .getMessage().startsWith("--grace: soon is not a duration"));
    }

    @Test
    void loadOptions_haveSaneDefaults_andLongWorkCannotTakeEveryRequestSlot() {
        Options defaults = Options.parse();
        assertEquals(100, defaults.requestLimit);
        assertEquals(Duration.ofSeconds(5), defaults.pendingTimeout);
        assertEquals(50, defaults.longLimit);
        assertEquals(10, defaults.longPendingLimit);
        assertEquals(Duration.ofSeconds(60), defaults.jobTimeout);
        assertTrue(defaults.rejectWhenFull);
        assertEquals(Duration.ofHours(1), defaults.backgroundTimeout);
        assertEquals(Duration.ofHours(2), Options.parse("--background-timeout", "2h").backgroundTimeout);
        assertEquals("1h", Options.format(Duration.ofHours(1)));
        assertEquals(null, Options.orNone(Options.parse("--job-timeout", "0").jobTimeout), "0: no limit");
        assertEquals(false, Options.parse("--reject-when-full", "false").rejectWhenFull);

        assertEquals("--request-limit: 90 (expected: 0, or more than --long-limit + --long-pending-limit"
                        + " + --blocking-limit + --blocking-pending-limit = 90,"
                        + " so that long work and blocking calls never take every request slot)",
                assertThrows(IllegalArgumentException.class, () -> Options.parse("--request-limit", "90"))
                        .getMessage());
        assertEquals(20, defaults.blockingLimit);
        assertEquals(10, defaults.blockingPendingLimit);
        assertEquals(Duration.ofSeconds(10), defaults.blockingTimeout);
        Options.parse("--request-limit", "0"); // no limit at all: long work cannot take every slot either
        assertEquals("--long-limit: 0 (expected: 1 to 2147483647)",
                assertThrows(IllegalArgumentException.class, () -> Options.parse("--long-limit", "0")).getMessage());
        assertEquals("--reject-when-full: yes (expected: true or false)",
                assertThrows(IllegalArgumentException.class, () -> Options.parse("--reject-when-full", "yes"))
                        .getMessage());
        ByteArrayOutputStream help = new ByteArrayOutputStream();
        Options.printHelp(new PrintStream(help, true, StandardCharsets.UTF_8));
        String text = help.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("--job-timeout <duration>") && text.contains("(default: 60s)"), text);
    }
}
