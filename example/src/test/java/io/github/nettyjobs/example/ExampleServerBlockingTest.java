package io.github.nettyjobs.example;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.github.nettyjobs.example.ServerUnderTest.HOST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code GET /blocking?ms=N} and the line protocol's {@code BLOCK}: a blocking call that
 * {@code spawnBlocking} runs off the event loop, in the blocking scheduler, with its limit and its
 * timeout; and {@code GET /} answering while a thousand of them are in flight.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ExampleServerBlockingTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private ServerUnderTest server;

    private void start(String... args) throws Exception {
        server = ServerUnderTest.start(args);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    private UnderLoad.Response get(String path) throws Exception {
        return server.send("GET", path, TIMEOUT);
    }

    @Test
    void blockingRoute_answersOnceTheCallHasRunOffTheLoop() throws Exception {
        start("--port", "0");

        UnderLoad.Response answer = get("/blocking?ms=20");

        assertEquals(200, answer.status());
        assertEquals("blocking call 1 done after 20 ms off the loop\n", answer.body());
        server.await("the blocking scheduler counts the call", 1,
                () -> server.count("nettyjobs.jobs.ended", "scheduler", "blocking", "outcome", "succeeded"));
        assertEquals(400, get("/blocking?ms=-1").status());
        assertEquals(400, get("/blocking?ms=soon").status());
        assertEquals(405, server.send("POST", "/blocking", TIMEOUT).status());
    }

    @Test
    void blockingCallPastTheBlockingTimeout_isInterrupted_andTheRequestGets503WithRetryAfter() throws Exception {
        start("--port", "0", "--blocking-timeout", "200ms");

        UnderLoad.Response answer = get("/blocking?ms=60000");

        assertEquals(503, answer.status());
        assertTrue(answer.body().contains("blocking call 1 not done: blocking call 1 timed out"), answer.body());
        assertEquals(1, server.count("nettyjobs.jobs.ended", "scheduler", "blocking", "outcome", "timed_out"));
        assertEquals(0, server.gauge("nettyjobs.jobs.active", "blocking"), "the interrupted call has returned");
    }

    @Test
    void lineProtocol_blockCommand_runsABlockingCall() throws Exception {
        start("--port", "0", "--line-port", "0");
        try (RawClient lines = new RawClient(server.linePort())) {
            lines.send("BLOCK 10\nBLOCK never\n");
            assertEquals("BLOCKED 10", lines.read());
            assertTrue(lines.read().startsWith("ERR BLOCK takes whole milliseconds"));

            lines.send("JOBS\n"); // once the call has ended: a pipelined JOBS would be answered from before
            String jobs = lines.read();
            assertTrue(jobs.contains("blocking 0 active 0 pending"), jobs);
        }
    }

    @Test
    void getRoot_keepsAnswering_whileAThousandBlockingCallsAreInFlight() throws Exception {
        start("--port", "0", "--request-limit", "1200", "--blocking-limit", "1000", "--blocking-pending-limit", "100",
                "--blocking-timeout", "60s");
        server.warmUp(TIMEOUT);

        UnderLoad.pipelineAndClose(HOST, server.port(), 100, 10, "/blocking?ms=10000");
        server.await("1000 blocking calls are running", 1000, () -> server.gauge("nettyjobs.jobs.active", "blocking"));

        List<UnderLoad.Probe> probes = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            UnderLoad.Probe probe = UnderLoad.get(HOST, server.port(), "/", TIMEOUT, System.nanoTime());
            assertEquals(200, probe.status(), () -> "GET / with 1000 blocking calls in flight: " + probe);
            probes.add(probe);
        }
        double blockingAfterProbes = server.gauge("nettyjobs.jobs.active", "blocking");
        // The figures go to the build's output; the machine is shared, so the check is loose: a loop
        // blocked by the calls would answer no probe before its call of 10 s returned.
        System.out.println("GET / while " + (int) blockingAfterProbes + " blocking calls were in flight: "
                + UnderLoad.summary(probes));
        long medianNanos = probes.stream().mapToLong(UnderLoad.Probe::latencyNanos).sorted().skip(probes.size() / 2)
                .findFirst().orElseThrow();
        assertTrue(medianNanos < TimeUnit.SECONDS.toNanos(1), () -> "GET / took a second or more: " + probes);

        server.await("every blocking call has returned", 1000,
                () -> server.count("nettyjobs.jobs.ended", "scheduler", "blocking", "outcome", "succeeded"));
        assertEquals(0, server.count("nettyjobs.spawns.rejected", "scheduler", "blocking"));
    }
}
