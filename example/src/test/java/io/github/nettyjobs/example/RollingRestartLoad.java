package io.github.nettyjobs.example;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The steady load of the rolling-restart check (it/rolling-restart/run.sh): keep-alive HTTP/1.1
 * clients on plain sockets (no client library that would retry on its own) sending short requests
 * and {@code /atomic} requests of 1 to 3 s to a load balancer, until a stop file appears. Then it
 * lets every request in flight finish and prints its counts, the last line being
 * {@code sent=N ok=N shed=N failed=N atomic-sent=N atomic-ok=N}. Exit status 1 if any request failed.
 *
 * <p>A failure is any answer other than {@code 2xx} that is not a {@code 503} the example server
 * meant (it says {@code Retry-After}: a busy scheduler), and any connection error: a connection
 * closed, reset or timed out with a request unanswered.
 *
 * <pre>
 * java -cp ... io.github.nettyjobs.example.RollingRestartLoad PORT STOP_FILE [SHORT_CLIENTS] [ATOMIC_CLIENTS]
 * </pre>
 */
final class RollingRestartLoad {

    /** How long a request may go unanswered before it counts as failed. */
    private static final int READ_TIMEOUT_MILLIS = 30_000;
    private static final int MAX_FAILURES_SHOWN = 10;

    private final int port;
    private final Path stopFile;
    private volatile boolean stopping;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong shed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong atomicSent = new AtomicLong();
    private final AtomicLong atomicOk = new AtomicLong();
    private final Queue<String> failures = new ConcurrentLinkedQueue<>();

    private RollingRestartLoad(int port, Path stopFile) {
        this.port = port;
        this.stopFile = stopFile;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: RollingRestartLoad PORT STOP_FILE [SHORT_CLIENTS] [ATOMIC_CLIENTS]");
            System.exit(2);
        }
        RollingRestartLoad load = new RollingRestartLoad(Integer.parseInt(args[0]), Path.of(args[1]));
        int shortClients = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        int atomicClients = args.length > 3 ? Integer.parseInt(args[3]) : 8;
        System.exit(load.run(shortClients, atomicClients));
    }

    private int run(int shortClients, int atomicClients) throws IOException, InterruptedException {
        List<Thread> clients = new ArrayList<>();
        for (int i = 0; i < shortClients; i++) {
            clients.add(new Thread(() -> client(false), "short-" + i));
        }
        for (int i = 0; i < atomicClients; i++) {
            clients.add(new Thread(() -> client(true), "atomic-" + i));
        }
        clients.forEach(Thread::start);
        awaitStopFile();
        stopping = true;
        for (Thread client : clients) {
            client.join(TimeUnit.SECONDS.toMillis(READ_TIMEOUT_MILLIS / 1000 + 5));
        }
        failures.forEach(failure -> System.out.println("failed: " + failure));
        System.out.printf("sent=%d ok=%d shed=%d failed=%d atomic-sent=%d atomic-ok=%d%n", sent.get(), ok.get(),
                shed.get(), failed.get(), atomicSent.get(), atomicOk.get());
        return failed.get() == 0 ? 0 : 1;
    }

    /** Returns once the stop file exists, woken by the file system's event for its creation (inotify on Linux). */
    private void awaitStopFile() throws IOException, InterruptedException {
        Path directory = stopFile.toAbsolutePath().getParent();
        try (WatchService watcher = directory.getFileSystem().newWatchService()) {
            directory.register(watcher, StandardWatchEventKinds.ENTRY_CREATE);
            // Watched first, then looked for: a file created in between is seen either way.
            while (!Files.exists(stopFile)) {
                WatchKey created = watcher.take();
                created.pollEvents();
                if (!created.reset()) {
                    throw new IOException("the stop file's directory is gone: " + directory);
                }
            }
        }
    }

    /** One keep-alive connection after another, each used until the balancer closes it. */
    private void client(boolean atomic) {
        while (!stopping) {
            try (Socket socket = new Socket()) {
                socket.setSoTimeout(READ_TIMEOUT_MILLIS);
                socket.setTcpNoDelay(true);
                socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
                InputStream in = new BufferedInputStream(socket.getInputStream());
                OutputStream out = socket.getOutputStream();
                while (!stopping) {
                    String target = atomic ? "/atomic?seconds=" + ThreadLocalRandom.current().nextInt(1, 4) : "/";
                    if (!exchange(in, out, target, atomic)) {
                        break; // the balancer closed the connection after an answer: open another
                    }
                }
            } catch (IOException notConnected) {
                fail("connect: " + notConnected);
            }
        }
    }

    /** Sends one request and reads its answer; whether the connection stays open. */
    private boolean exchange(InputStream in, OutputStream out, String target, boolean atomic) {
        sent.incrementAndGet();
        if (atomic) {
            atomicSent.incrementAndGet();
        }
        try {
            out.write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Response response = Response.read(in);
            if (response.status / 100 == 2) {
                ok.incrementAndGet();
                if (atomic) {
                    atomicOk.incrementAndGet();
                }
            } else if (response.status == 503 && response.head.contains("\nretry-after:")) {
                shed.incrementAndGet();
            } else {
                fail(target + ": " + response.head.lines().findFirst().orElse("") + " " + response.body.trim());
            }
            return !response.head.contains("\nconnection: close");
        } catch (IOException e) {
            fail(target + ": " + e);
            return false;
        }
    }

    private void fail(String what) {
        failed.incrementAndGet();
        if (failures.size() < MAX_FAILURES_SHOWN) {
            failures.add(what);
        }
    }

    /** An HTTP/1.1 response: the status, the head lower-cased, the body (by Content-Length). */
    private record Response(int status, String head, String body) {

        static Response read(InputStream in) throws IOException {
            String head = readHead(in).toLowerCase(Locale.ROOT);
            if (!head.startsWith("http/1.1 ") || head.length() < 12) {
                throw new IOException("not an HTTP/1.1 response: " + head);
            }
            int length = 0;
            for (String line : head.split("\r?\n")) {
                if (line.startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring("content-length:".length()).trim());
                }
            }
            byte[] body = in.readNBytes(length);
            if (body.length < length) {
                throw new EOFException("the connection closed in the middle of a body");
            }
            String text = new String(body, StandardCharsets.UTF_8);
            return new Response(Integer.parseInt(head.substring(9, 12)), head, text);
        }

        private static String readHead(InputStream in) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int matched = 0; // of "\r\n\r\n"
            while (matched < 4) {
                int b = in.read();
                if (b < 0) {
                    throw new EOFException(head.size() == 0 ? "the connection closed with a request unanswered"
                            : "the connection closed in the middle of a response");
                }
                head.write(b);
                matched = (b == '\r' && matched % 2 == 0) || (b == '\n' && matched % 2 == 1) ? matched + 1 : 0;
            }
            return head.toString(StandardCharsets.US_ASCII);
        }
    }
}
