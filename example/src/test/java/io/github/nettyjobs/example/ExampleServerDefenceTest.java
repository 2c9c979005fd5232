package io.github.nettyjobs.example;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The example server as a model of good practice, on real sockets: its line protocol end to end,
 * what it answers to bad input, the timeout that closes clients trickling a request, and a
 * shutdown that ends in bounded time even when a loop is stuck.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ExampleServerDefenceTest {

    private final PrintedText output = new PrintedText();
    private ExampleServer server;

    private ExampleServer start(String... args) throws Exception {
        server = ExampleServer.start(Options.parse(args), new PrintStream(output, true, StandardCharsets.UTF_8));
        return server;
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
    }


    // ---- the line protocol ----

    @Test
    void lineProtocol_answersEachLineInOrder_asAtomicJobs() throws Exception {
        start("--port", "0", "--line-port", "0");
        try (RawClient client = new RawClient(server.linePort())) {
            client.send("ECHO hello there\n");
            assertEquals("hello there", client.read());

            client.send("SLEEP 1\nECHO after the sleep\n"); // pipelined: the echo waits for the sleep
            assertEquals("SLEPT 1", client.read());
            assertEquals("after the sleep", client.read());

            client.send("JOBS\n");
            assertTrue(client.read().startsWith("JOBS background 0 active 0 pending, requests 1 active"));
            client.send("frob\nSLEEP soon\nHELP\n");
            assertEquals("ERR unknown command FROB (try HELP)", client.read());
            assertEquals("ERR SLEEP takes whole seconds from 0 to 86400", client.read());
            assertEquals(LineCommands.HELP, client.read());

            client.send("QUIT\nECHO never\n");
            assertEquals("BYE", client.read());
            assertNull(client.read(), "QUIT closes the connection");
        }
    }

    @Test
    void lineProtocol_malformedLines_areAnsweredErr_thenTheConnectionCloses() throws Exception {
        start("--port", "0", "--line-port", "0");
        try (RawClient client = new RawClient(server.linePort())) {
            client.send("ECHO first\n" + "x".repeat(2000) + "\nECHO never\n");
            assertEquals("first", client.read());
            assertEquals("ERR line too long", client.read());
            assertNull(client.read());
        }
        try (RawClient client = new RawClient(server.linePort())) {
            client.send(new byte[] {'E', 'C', 'H', 'O', ' ', (byte) 0xff, '\n'});
            assertEquals("ERR not UTF-8 text", client.read());
            assertNull(client.read());
        }
    }

    // ---- bad HTTP input ----

    @Test
    void malformedQueryString_andBadSeconds_get400() throws Exception {
        start("--port", "0");
        try (RawClient client = new RawClient(server.port())) {
            client.send("GET /% HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(400, client.status());
            client.send("GET /atomic?seconds=abc HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(400, client.status());
            client.send("POST /jobs?seconds=-5 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
            assertEquals(400, client.status());
            client.send("GET /atomic?seconds=0 HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(200, client.status(), "the connection goes on after a 400 of the application");
        }
    }

    @Test
    void jobNameWithLineBreaks_isPrintedEscaped_soAClientCannotForgeOutputLines() throws Exception {
        start("--port", "0");
        try (RawClient client = new RawClient(server.port())) {
            client.send("POST /jobs?seconds=0&name=evil%0d%0anettyjobs-example:%20stopped HTTP/1.1\r\n"
                    + "Host: x\r\nContent-Length: 0\r\n\r\n");
            assertEquals(202, client.status());
        }
        String printed = output.awaitLineContaining(" finished", 5);
        assertTrue(printed.contains("background job evil\\r\\nnettyjobs-example: stopped finished"), printed);
        assertTrue(!printed.contains("\nnettyjobs-example: stopped"), printed);
    }

    @Test
    void methodNotAllowed_gets405_withTheAllowHeader() throws Exception {
        start("--port", "0");
        try (RawClient client = new RawClient(server.port())) {
            client.send("DELETE / HTTP/1.1\r\nHost: x\r\n\r\n");
            String response = client.response();
            assertTrue(response.startsWith("http/1.1 405 method not allowed\n"), response);
            assertTrue(response.contains("\nallow: get, head\n"), response);
            client.send("PUT /jobs HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
            response = client.response();
            assertTrue(response.contains("\nallow: get, head, post\n"), response);
            client.send("DELETE /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
            assertTrue(client.response().contains("\nallow: get, head\n"));
        }
    }

    @Test
    void jobNameWithControlCharacters_isEscapedInTheResponseBody() throws Exception {
        start("--port", "0");
        try (RawClient client = new RawClient(server.port())) {
            client.send("POST /jobs?seconds=0&name=evil%0d%0aX-Forged:%20yes%1b[2J HTTP/1.1\r\n"
                    + "Host: x\r\nContent-Length: 0\r\n\r\n");
            String response = client.response();
            assertTrue(response.startsWith("http/1.1 202 accepted\n"), response);
            String body = response.substring(response.indexOf("\n\n") + 2);
            assertEquals("spawned evil\\r\\nX-Forged: yes\\u001b[2J (active), it runs 0 s\n", body);
            client.send("GET /nowhere%0d%0a HTTP/1.1\r\nHost: x\r\n\r\n");
            response = client.response();
            assertTrue(response.endsWith("no such route: /nowhere\\r\\n (see GET /)\n"), response);
        }
    }

    @Test
    void atomicRequestCutShortAtShutdown_gets503_sayingTheServerIsShuttingDown() throws Exception {
        start("--port", "0", "--grace", "200ms", "--quiet-period", "0");
        ExecutorService stopper = Executors.newSingleThreadExecutor();
        try (RawClient client = new RawClient(server.port()); RawClient probe = new RawClient(server.port())) {
            client.send("GET /atomic?seconds=600 HTTP/1.1\r\nHost: x\r\n\r\n");
            awaitActiveLongJobs(probe, 1);
            Future<?> stopped = stopper.submit(server::stop);
            String response = client.response();
            assertTrue(response.startsWith("http/1.1 503 service unavailable\n"), response);
            assertTrue(response.contains("\nconnection: close\n"), response);
            assertTrue(response.endsWith("\n\natomic request 1 not done: the server is shutting down\n"), response);
            stopped.get(30, TimeUnit.SECONDS);
        } finally {
            stopper.shutdownNow();
        }
    }

    /** Asks {@code GET /jobs} until the long schedulers have {@code count} active jobs (each answer an event). */
    private static void awaitActiveLongJobs(RawClient probe, int count) throws IOException {
        String expected = "\nlong:       " + count + " active";
        for (int attempt = 0; ; attempt++) {
            probe.send("GET /jobs HTTP/1.1\r\nHost: x\r\n\r\n");
            String response = probe.response();
            if (response.contains(expected)) {
                return;
            }
            assertTrue(attempt < 10_000, () -> "never " + count + " active: " + response);
        }
    }

    // ---- the read timeout ----

    /** Sends {@code text} one byte every 100 ms from another thread; returns when the connection closes. */
    private static void trickle(RawClient client, String text) throws Exception {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        AtomicInteger sent = new AtomicInteger();
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
        try {
            ticker.scheduleWithFixedDelay(() -> {
                int i = sent.getAndIncrement();
                if (i < bytes.length) {
                    try {
                        client.send(new byte[] {bytes[i]});
                    } catch (IOException closed) {
                        sent.set(bytes.length);
                    }
                }
            }, 0, 100, TimeUnit.MILLISECONDS); // with a delay, never a burst to catch up
            assertNull(client.read(), "the server answered a request that never finished");
            assertTrue(sent.get() < bytes.length, "the whole request was sent before the connection closed");
        } finally {
            ticker.shutdownNow();
        }
    }

    @Test
    void clientTricklingARequest_isClosed_onHttpAndOnTheLineProtocol() throws Exception {
        start("--port", "0", "--line-port", "0", "--read-timeout", "1s");
        try (RawClient client = new RawClient(server.port())) {
            trickle(client, "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: " + "s".repeat(100) + "\r\n\r\n");
        }
        try (RawClient client = new RawClient(server.linePort())) {
            trickle(client, "ECHO " + "t".repeat(100) + "\n");
        }
    }

    @Test
    void clientWaitingForALongAtomicJob_isNotIdle() throws Exception {
        start("--port", "0", "--read-timeout", "1s");
        try (RawClient client = new RawClient(server.port())) {
            client.send("GET /atomic?seconds=2 HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(200, client.status());
        }
    }

    // ---- shutdown ----

    @Test
    void stop_isBounded_evenWithAStuckLoop() throws Exception {
        start("--port", "0", "--grace", "500ms");
        CountDownLatch stuck = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        server.workers().next().execute(() -> {
            stuck.countDown();
            try {
                release.await(30, TimeUnit.SECONDS); // a task that never ends in time
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(stuck.await(5, TimeUnit.SECONDS));
        try {
            long started = System.nanoTime();
            server.stop();
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
            assertTrue(seconds < 15, "stop() took " + seconds + " s");
        } finally {
            release.countDown();
        }
        String printed = output.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("the schedulers did not close within 2.5s"), printed);
        assertTrue(printed.endsWith("nettyjobs-example: stopped\n"), printed);
    }
}
