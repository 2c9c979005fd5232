package io.github.nettyjobs.example;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The two "under load" scenarios against a running example server, with {@code GET /} probed
 * throughout, on plain sockets and nothing but the JDK, so that it runs against any version of
 * the server:
 * <ul>
 *   <li>{@code pipelined-atomic}: 7 connections each pipeline 15
 *       {@code GET /atomic?seconds=86400}, then close;</li>
 *   <li>{@code background-flood}: 120 concurrent {@code POST /jobs?seconds=1}, each on its own
 *       connection (start the server with {@code --limit 2 --pending-limit 2}).</li>
 * </ul>
 * After a warm-up of {@code GET /} (not counted), from the scenario's start, a probe opens a new connection every
 * {@code --every} and asks
 * {@code GET /}, giving up after {@code --probe-timeout}; the report says how many were answered,
 * how many within 100 ms, how many timed out, and the answered probes' p50 and max latency.
 * Traffic goes to the given host only (127.0.0.1 by default), bounded in count and time.
 *
 * <p>Self-contained, so the JDK can run it from its source:
 * <pre>
 * java example/src/test/java/io/github/nettyjobs/example/UnderLoad.java --port 8080 --scenario pipelined-atomic
 * </pre>
 *
 * <p>The static helpers are used by the tests of this package. Thread-safe: each helper
 * uses sockets of its own.
 */
public final class UnderLoad {

    /** The bound a probe is judged by. */
    static final Duration FAST = Duration.ofMillis(100);
    /** A probe that did not get its answer within its timeout. */
    static final int TIMED_OUT = -1;
    /** A probe whose connection failed (refused, reset) before an answer. */
    static final int FAILED = -2;

    private static final String USAGE = String.join("\n",
            "usage: UnderLoad --port PORT --scenario pipelined-atomic|background-flood [options]",
            "  --host HOST              the example server's address (default 127.0.0.1)",
            "  --duration DURATION      how long GET / is probed from the scenario's start (default 20s)",
            "  --every DURATION         time between two probes (default 250ms)",
            "  --probe-timeout DURATION how long a probe waits for its answer (default 15s)",
            "  --warm-up N              GET / this many times before the scenario, not counted (default 50)");

    private UnderLoad() {
    }

    /**
     * One {@code GET}: when it was sent (since the scenario's start), how long it took, and its status or {@link
     * #TIMED_OUT} or {@link #FAILED}.
     */
    record Probe(long atNanos, long latencyNanos, int status) {

        boolean answered() {
            return status > 0;
        }

        boolean fast() {
            return answered() && latencyNanos < FAST.toNanos();
        }

        @Override
        public String toString() {
            String what = status == TIMED_OUT ? "timed out" : status == FAILED ? "failed" : String.valueOf(status);
            return String.format(Locale.ROOT, "t=%.2fs %s in %d ms", atNanos / 1e9, what,
                    TimeUnit.NANOSECONDS.toMillis(latencyNanos));
        }
    }

    /** A whole response read off a socket: its status and body. */
    record Response(int status, String body) {
    }

    /**
     * {@code GET path} on a new connection ({@code Connection: close}); the latency runs from the
     * connect to the end of the body.
     */
    static Probe get(String host, int port, String path, Duration timeout, long scenarioStart) {
        long started = System.nanoTime();
        int status;
        try {
            status = send(host, port, "GET", path, timeout).status();
        } catch (SocketTimeoutException e) {
            status = TIMED_OUT;
        } catch (IOException e) {
            status = FAILED;
        }
        return new Probe(started - scenarioStart, System.nanoTime() - started, status);
    }

    /** One request on a new connection ({@code Connection: close}), waiting at most {@code timeout} for each read. */
    static Response send(String host, int port, String method, String path, Duration timeout) throws IOException {
        try (Socket socket = connect(host, port, timeout)) {
            String request = method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n"
                    + (method.equals("POST") ? "Content-Length: 0\r\n" : "") + "\r\n";
            write(socket, request);
            return read(socket.getInputStream());
        }
    }

    /**
     * Opens {@code connections} connections, sends {@code requests} pipelined {@code GET path} on
     * each, then closes them without reading: a client that leaves its requests behind.
     */
    static void pipelineAndClose(String host, int port, int connections, int requests, String path) throws IOException {
        String request = "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n";
        String pipeline = request.repeat(requests);
        for (int i = 0; i < connections; i++) {
            try (Socket socket = connect(host, port, Duration.ofSeconds(10))) {
                write(socket, pipeline);
            }
        }
    }

    /** A request sent by {@link #concurrently}: its status, and when it ended ({@link System#nanoTime()}). */
    record Sent(int status, long endedNanos) {
    }

    /**
     * Sends {@code count} requests at once, each on its own connection and thread; the returned
     * futures complete with each status ({@link #TIMED_OUT} or {@link #FAILED} if none came).
     */
    static List<CompletableFuture<Sent>> concurrently(ExecutorService threads, String host, int port, String method,
                                                         String path, int count, Duration timeout) {
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<Sent>> statuses = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            statuses.add(CompletableFuture.supplyAsync(() -> {
                int status;
                try {
                    go.await();
                    status = send(host, port, method, path, timeout).status();
                } catch (SocketTimeoutException e) {
                    status = TIMED_OUT;
                } catch (IOException e) {
                    status = FAILED;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    status = FAILED;
                }
                return new Sent(status, System.nanoTime());
            }, threads));
        }
        go.countDown();
        return statuses;
    }

    private static Socket connect(String host, int port, Duration timeout) throws IOException {
        Socket socket = new Socket();
        try {
            int millis = (int) Math.max(1, timeout.toMillis());
            socket.setSoTimeout(millis);
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), millis);
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    private static void write(Socket socket, String text) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** A response with a {@code Content-Length}, as the example server always sends. */
    private static Response read(InputStream in) throws IOException {
        String statusLine = line(in);
        if (!statusLine.startsWith("HTTP/1.")) {
            throw new IOException("not a status line: " + statusLine);
        }
        int length = 0;
        for (String header; !(header = line(in)).isEmpty(); ) {
            int colon = header.indexOf(':');
            if (colon > 0 && header.substring(0, colon).trim().equalsIgnoreCase("content-length")) {
                length = Integer.parseInt(header.substring(colon + 1).trim());
            }
        }
        byte[] body = in.readNBytes(length);
        if (body.length < length) {
            throw new IOException("the body ended early");
        }
        return new Response(Integer.parseInt(statusLine.substring(9, 12)), new String(body, StandardCharsets.UTF_8));
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) != '\n'; ) {
            if (b < 0) {
                throw new IOException("the connection closed in the middle of a response");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    /** The answered probes' latencies, p50 and max, and the counts, on one line. */
    static String summary(List<Probe> probes) {
        List<Long> answered = probes.stream().filter(Probe::answered).map(Probe::latencyNanos).sorted()
                .collect(Collectors.toList());
        long fast = probes.stream().filter(Probe::fast).count();
        long timedOut = probes.stream().filter(p -> p.status() == TIMED_OUT).count();
        long failed = probes.stream().filter(p -> p.status() == FAILED).count();
        String latency = answered.isEmpty() ? "no answer"
                : String.format(Locale.ROOT, "p50 %s, max %s", millis(answered.get((answered.size() - 1) / 2)),
                        millis(answered.get(answered.size() - 1)));
        return String.format(Locale.ROOT, "GET /: %d probes, %d answered (%d within %d ms), %d timed out%s; %s",
                probes.size(), answered.size(), fast, FAST.toMillis(), timedOut,
                failed > 0 ? ", " + failed + " failed" : "", latency);
    }

    private static String millis(long nanos) {
        double ms = nanos / 1e6;
        return ms < 10 ? String.format(Locale.ROOT, "%.1f ms", ms) : String.format(Locale.ROOT, "%.0f ms", ms);
    }

    /** When the last of the concurrent requests was answered, since {@code start}. */
    private static long lastAnswer(List<CompletableFuture<Sent>> flood, long start) {
        return flood.stream().mapToLong(f -> f.join().endedNanos()).max().orElse(start) - start;
    }

    /** How many of each status. */
    static Map<Integer, Integer> countStatuses(List<CompletableFuture<Sent>> statuses) {
        Map<Integer, Integer> counts = new TreeMap<>();
        for (CompletableFuture<Sent> sent : statuses) {
            counts.merge(sent.join().status(), 1, Integer::sum);
        }
        return counts;
    }

    /**
     * Runs a scenario and prints the report.
     *
     * @param args see {@code --help}
     */
    public static void main(String[] args) throws Exception {
        String host = "127.0.0.1";
        int port = -1;
        String scenario = null;
        Duration duration = Duration.ofSeconds(20);
        Duration every = Duration.ofMillis(250);
        Duration probeTimeout = Duration.ofSeconds(15);
        int warmUp = 50;
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (option.equals("--help")) {
                System.out.println(USAGE);
                return;
            }
            if (i + 1 == args.length) {
                fail(option + " needs a value");
            }
            String value = args[++i];
            switch (option) {
                case "--host" -> host = value;
                case "--port" -> port = Integer.parseInt(value);
                case "--scenario" -> scenario = value;
                case "--duration" -> duration = duration(value);
                case "--every" -> every = duration(value);
                case "--probe-timeout" -> probeTimeout = duration(value);
                case "--warm-up" -> warmUp = Integer.parseInt(value);
                default -> fail("unknown option: " + option);
            }
        }
        if (port < 0 || scenario == null) {
            fail("--port and --scenario are required");
        }
        ExecutorService threads = Executors.newCachedThreadPool(r -> {
            Thread thread = new Thread(r, "under-load");
            thread.setDaemon(true);
            return thread;
        });
        for (int i = 0; i < warmUp; i++) {
            // Both JVMs compile the paths a probe takes before anything is measured.
            get(host, port, "/", probeTimeout, System.nanoTime());
        }
        long start = System.nanoTime();
        List<CompletableFuture<Probe>> probes = new ArrayList<>();
        List<CompletableFuture<Sent>> flood = List.of();
        switch (scenario) {
            case "pipelined-atomic" -> pipelineAndClose(host, port, 7, 15, "/atomic?seconds=86400");
            case "background-flood" -> flood = concurrently(threads, host, port, "POST", "/jobs?seconds=1", 120,
                    Duration.ofSeconds(60));
            default -> fail("unknown scenario: " + scenario);
        }
        String probeHost = host;
        int probePort = port;
        Duration timeout = probeTimeout;
        for (long next = start; next - start < duration.toNanos(); next += every.toNanos()) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait); // pacing the probes, not waiting for an outcome
            }
            probes.add(CompletableFuture.supplyAsync(() -> get(probeHost, probePort, "/", timeout, start), threads));
        }
        List<Probe> results = probes.stream().map(CompletableFuture::join).collect(Collectors.toList());
        System.out.println("scenario " + scenario + " against " + host + ':' + port);
        if (!flood.isEmpty()) {
            long floodEnd = lastAnswer(flood, start);
            System.out.println("POST /jobs?seconds=1 x120, statuses: " + countStatuses(flood)
                    + " (" + TIMED_OUT + " = timed out, " + FAILED + " = failed), the last answered at "
                    + String.format(Locale.ROOT, "t=%.2fs", floodEnd / 1e9));
            System.out.println("while the POSTs were in flight: " + summary(results.stream()
                    .filter(p -> p.atNanos() < floodEnd).collect(Collectors.toList())));
        }
        System.out.println("whole run: " + summary(results));
        System.out.println("probes: " + results.stream().map(Probe::toString).collect(Collectors.joining("; ")));
        try {
            Response metrics = send(host, port, "GET", "/metrics", Duration.ofSeconds(5));
            if (metrics.status() == 200) {
                System.out.println("/metrics, shed and timed-out counts:");
                metrics.body().lines()
                        .filter(l -> l.contains("rejected") || l.contains("dropped") || l.contains("timed_out"))
                        .forEach(l -> System.out.println("  " + l));
            } else {
                System.out.println("/metrics: " + metrics.status());
            }
        } catch (IOException e) {
            System.out.println("/metrics: " + e);
        }
        threads.shutdownNow();
    }

    /** {@code 250ms}, {@code 10s} or a plain number of seconds. */
    private static Duration duration(String text) {
        if (text.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
        }
        String seconds = text.endsWith("s") ? text.substring(0, text.length() - 1) : text;
        return Duration.ofMillis(Math.round(Double.parseDouble(seconds) * 1000));
    }

    private static void fail(String message) {
        System.err.println(message);
        System.err.println(USAGE);
        System.exit(2);
    }
}
