package io.github.nettyjobs.example;

import io.micrometer.core.instrument.search.Search;
import org.awaitility.Awaitility;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * An example server started in this JVM on loopback for a test, with what the tests of its
 * schedulers share: requests on new connections, the meters of its registry, and bounded waits
 * until a meter reads a value. One test's thread uses it; the server works on its own threads.
 */
final class ServerUnderTest {

    static final String HOST = "127.0.0.1";
    /** The longest wait for a meter: the slowest work awaited (blocking calls of 10 s) and a busy machine's delays. */
    private static final Duration AT_MOST = Duration.ofSeconds(30);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(10);
    private static final int WARM_UP_REQUESTS = 20;

    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private final ExampleServer server;

    private ServerUnderTest(String... args) throws Exception {
        server = ExampleServer.start(Options.parse(args), new PrintStream(output, true, StandardCharsets.UTF_8));
    }

    /** Starts an example server with the command line {@code args}; what it prints is kept for {@link #printed()}. */
    static ServerUnderTest start(String... args) throws Exception {
        return new ServerUnderTest(args);
    }

    int port() {
        return server.port();
    }

    int linePort() {
        return server.linePort();
    }

    /** Everything the server has printed so far. */
    String printed() {
        return output.toString(StandardCharsets.UTF_8);
    }

    /** One request on a new connection ({@code Connection: close}), waiting at most {@code timeout} for each read. */
    UnderLoad.Response send(String method, String path, Duration timeout) throws IOException {
        return UnderLoad.send(HOST, port(), method, path, timeout);
    }

    /** {@code GET /} a few times, so that both sides have compiled the probe's path before anything is measured. */
    void warmUp(Duration timeout) throws IOException {
        for (int i = 0; i < WARM_UP_REQUESTS; i++) {
            send("GET", "/", timeout);
        }
    }

    /** The count of a counter of the server's registry, or -1 if it has none of that name and tags. */
    double count(String meter, String... tags) {
        Search search = server.registry().find(meter).tags(tags);
        return search.counter() == null ? -1 : search.counter().count();
    }

    /** The value of the gauge {@code meter} of the scheduler named {@code scheduler}. */
    double gauge(String meter, String scheduler) {
        return server.registry().get(meter).tag("scheduler", scheduler).gauge().value();
    }

    /**
     * Waits until {@code value} reads {@code expected}, for at most 30 s: the server's loops move its
     * meters, not the test's thread. A timeout fails naming {@code what} and the last value read.
     */
    void await(String what, double expected, Callable<Double> value) {
        Awaitility.await(what)
                .atMost(AT_MOST)
                .pollInterval(POLL_INTERVAL)
                .untilAsserted(value, actual -> assertEquals(expected, actual));
    }

    void stop() {
        server.stop();
    }
}
