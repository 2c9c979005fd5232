package io.github.nettyjobs.http.faults;

import io.github.nettyjobs.Scheduler;
import io.github.nettyjobs.http.RawHttpClient;
import io.github.nettyjobs.testing.LeakDetectionExtension;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static io.github.nettyjobs.http.RawHttpClient.get;
import static io.github.nettyjobs.http.RawHttpClient.post;
import static io.github.nettyjobs.http.faults.FaultServer.WAIT_SECONDS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Clients that misbehave on a real socket: they vanish in the middle of a request, while their
 * job runs, in the middle of a response, and while their spawn waits for room; they pipeline
 * bursts split at random bytes; they read slowly. Jobs that started run to their end, nothing
 * leaks (paranoid detection, checked after the class by {@link LeakDetectionExtension}), and the
 * server keeps serving.
 */
@ExtendWith(LeakDetectionExtension.class)
class ClientFaultsTest {

    @BeforeAll
    static void leakDetectionIsParanoid() {
        assertEquals(ResourceLeakDetector.Level.PARANOID, ResourceLeakDetector.getLevel(),
                "run with -Dio.netty.leakDetection.level=paranoid, as the parent pom's surefire argLine does");
    }

    @Test
    void clientsVanishingMidRequest_startNoJob_andLeakNothing() throws Exception {
        String[] partials = {
                "GET /fast/1 HT",
                "GET /fast/2 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Unfinished: abc",
                "POST /echo/3 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n" + "x".repeat(10),
                "POST /echo/4 HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabcdef",
                "POST /echo/5 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 60000\r\n\r\n" + "y".repeat(40_000),
        };
        try (FaultServer server = FaultServer.start()) {
            int connections = 0;
            for (int round = 0; round < 10; round++) {
                for (String partial : partials) {
                    RawHttpClient client = server.connect();
                    client.send(partial);
                    if (round % 2 == 0) {
                        client.abort();
                    } else {
                        client.close(); // FIN: the server sees the end of the stream mid-message
                    }
                    connections++;
                }
            }
            server.awaitConnections(connections);
            server.awaitConnectionsClosed();

            assertEquals(0, server.handler.started.get(), "a job started for an unfinished request");
            assertServes(server, 99);
        }
    }

    @Test
    void clientsVanishingWhileTheirJobsRun_jobsRunToTheirEnd() throws Exception {
        int clients = 40;
        try (FaultServer server = FaultServer.start()) {
            List<RawHttpClient> open = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                RawHttpClient client = server.connect();
                client.send(get("/gate/" + i));
                open.add(client);
            }
            server.handler.awaitStarted(clients, WAIT_SECONDS);
            for (RawHttpClient client : open) {
                client.abort();
            }
            server.awaitConnectionsClosed();
            assertEquals(0, server.handler.finished.get(), "the jobs are still waiting at their gate");

            server.handler.openGate();
            assertTrue(server.jobs.waitAndClose(Duration.ofSeconds(WAIT_SECONDS))
                    .await(WAIT_SECONDS + 5, TimeUnit.SECONDS),
                    "waitAndClose never completed");
            assertEquals(clients, server.handler.started.get());
            assertEquals(clients, server.handler.finished.get(), "every job of a vanished client ran to its end");
            assertEquals(0, server.jobs.size());
        }
    }

    @Test
    void clientsVanishingMidResponse_leakNothing_andEveryJobEnds() throws Exception {
        int clients = 16;
        try (FaultServer server = FaultServer.start()) {
            for (int i = 0; i < clients; i++) {
                try (RawHttpClient client = server.connect(16 * 1024)) {
                    client.send(get("/big/" + i + "/512") + get("/big/" + i + "/256")
                            + get("/fast/" + i));
                    byte[] head = client.readBytes(4096);
                    assertEquals(4096, head.length, "the response began");
                    client.abort();
                }
            }
            server.awaitConnections(clients);
            server.awaitConnectionsClosed();
            assertTrue(server.jobs.waitAndClose(Duration.ofSeconds(WAIT_SECONDS))
                    .await(WAIT_SECONDS + 5, TimeUnit.SECONDS),
                    "waitAndClose never completed");
            assertTrue(server.handler.started.get() >= clients, "started " + server.handler.started);
            assertEquals(server.handler.started.get(), server.handler.finished.get(), "every job that started ended");
        }
    }

    /**
     * A connection whose spawn waits for room does not read (backpressure), so the server notices a
     * vanished client only once the spawn is admitted and reading resumes: that job runs to its end
     * like any admitted job, then the connection closes. Nothing leaks, no job is lost, and the
     * slots those clients held are free again.
     */
    @Test
    void clientsVanishingWhileTheirSpawnsWaitForRoom_jobsEnd_andTheSchedulerStaysUsable() throws Exception {
        int clients = 20;
        // Per worker loop: one active job and one pending; every further spawn waits for room.
        try (FaultServer server = FaultServer.start(Scheduler.builder().limit(1).pendingLimit(1), b -> { })) {
            List<RawHttpClient> open = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                RawHttpClient client = server.connect();
                client.send(get("/gate/" + i));
                open.add(client);
            }
            server.awaitConnections(clients);
            server.handler.awaitStarted(2, WAIT_SECONDS); // the active job of each worker loop's scheduler
            assertTrue(server.jobs.activeCount() <= 2 && server.jobs.pendingCount() <= 2,
                    "active " + server.jobs.activeCount() + ", pending " + server.jobs.pendingCount());
            for (RawHttpClient client : open) {
                client.abort();
            }

            server.handler.openGate();
            server.awaitConnectionsClosed();
            int started = server.handler.started.get();
            assertTrue(started <= clients, "started " + started + " jobs for " + clients + " requests");
            for (int i = 0; i < 4; i++) {
                assertServes(server, 100 + i);
            }
            assertTrue(server.jobs.waitAndClose(Duration.ofSeconds(WAIT_SECONDS))
                    .await(WAIT_SECONDS + 5, TimeUnit.SECONDS),
                    "waitAndClose never completed");
            assertEquals(server.handler.started.get(), server.handler.finished.get(), "every job that started ended");
        }
    }

    /**
     * Pipelined bursts of every kind of request, cut into pieces at random bytes, from several
     * clients at once; each burst stays within the HTTP codec's default pipeline depth (128).
     */
    @Test
    void pipelinedBursts_splitAtRandomBytes_areAnsweredInOrder() throws Exception {
        int clients = 8;
        int requestsPerClient = 100;
        try (FaultServer server = FaultServer.start()) {
            List<Throwable> failures = new CopyOnWriteArrayList<>();
            List<Thread> threads = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                long seed = 7919L * (c + 1);
                Thread thread = new Thread(() -> {
                    try {
                        pipelineAndCheck(server, new SplittableRandom(seed), requestsPerClient);
                    } catch (Throwable t) {
                        failures.add(t);
                    }
                }, "pipelining-client-" + c);
                threads.add(thread);
                thread.start();
            }
            for (Thread thread : threads) {
                thread.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS * 2));
                assertTrue(!thread.isAlive(), thread.getName() + " still running");
            }
            assertTrue(failures.isEmpty(), "client failures: " + failures);
            assertEquals(clients * requestsPerClient, server.handler.started.get(), "every request ran once");
            server.awaitConnectionsClosed();
            assertEquals(server.handler.started.get(), server.handler.finished.get());
        }
    }

    /**
     * A burst deeper than the HTTP codec's pipeline depth (128 by default in Netty 4.2) arrives in
     * one read, faster than the jobs answer it: the codec then closes the connection after the next
     * response. The client gets an in-order prefix of correct responses and then the end of the
     * connection; every job that started ends, nothing leaks, and the server keeps serving.
     */
    @Test
    void pipelinedBurstDeeperThanTheCodecAllows_getsAnInOrderPrefix_thenTheConnectionCloses() throws Exception {
        int requests = 300;
        try (FaultServer server = FaultServer.start()) {
            StringBuilder burst = new StringBuilder();
            for (int i = 0; i < requests; i++) {
                burst.append(get("/slow/" + i + "/2"));
            }
            int answered = 0;
            try (RawHttpClient client = server.connect()) {
                client.send(burst.toString());
                for (RawHttpClient.Response response; answered < requests
                        && (response = client.readOrNull()) != null; answered++) {
                    assertEquals(200, response.status, "response " + answered);
                    assertEquals("slow " + answered, response.body(), "response " + answered + " out of order");
                }
                if (answered < requests) {
                    assertTrue(client.closedByServer(), "the connection stopped answering but stays open");
                }
            }
            server.awaitConnectionsClosed();
            assertTrue(server.jobs.waitAndClose(Duration.ofSeconds(WAIT_SECONDS))
                    .await(WAIT_SECONDS + 5, TimeUnit.SECONDS),
                    "waitAndClose never completed");
            assertEquals(server.handler.started.get(), server.handler.finished.get(), "every job that started ended");
            assertTrue(server.handler.started.get() >= answered, "answered " + answered + " > started "
                    + server.handler.started);
            System.out.println("burst of " + requests + ": " + answered + " answered before the connection closed, "
                    + server.handler.started.get() + " jobs ran");
        }
    }

    /**
     * Sends {@code count} requests of every kind in one stream, cut into random pieces by a writer
     * thread, reads the responses concurrently and checks each against its request, in order.
     * The last request asks to close the connection.
     */
    private static void pipelineAndCheck(FaultServer server, SplittableRandom random, int count) throws Exception {
        List<String> expected = new ArrayList<>();
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        for (int i = 0; i < count; i++) {
            String request;
            int kind = random.nextInt(6);
            boolean last = i == count - 1;
            switch (kind) {
                case 0:
                    request = get("/slow/" + i + "/" + random.nextInt(4));
                    expected.add("200 slow " + i);
                    break;
                case 1:
                    request = get("/fail/" + i);
                    expected.add("500");
                    break;
                case 2: {
                    String body = "body-" + i + "-" + "z".repeat(random.nextInt(2_000));
                    request = post("/echo/" + i, body);
                    expected.add("200 echo " + i + ": " + body);
                    break;
                }
                case 3: {
                    int kb = 1 + random.nextInt(4);
                    request = get("/big/" + i + "/" + kb);
                    expected.add("200 " + String.valueOf((char) ('a' + i % 26)).repeat(kb * 1024));
                    break;
                }
                default:
                    request = get("/fast/" + i);
                    expected.add("200 fast " + i);
                    break;
            }
            if (last) {
                request = request.replaceFirst("\r\n", "\r\nConnection: close\r\n");
            }
            stream.write(request.getBytes(StandardCharsets.UTF_8));
        }
        byte[] bytes = stream.toByteArray();
        try (RawHttpClient client = server.connect()) {
            List<Throwable> writeFailure = new CopyOnWriteArrayList<>();
            Thread writer = new Thread(() -> {
                try {
                    for (int offset = 0; offset < bytes.length; ) {
                        int length = Math.min(bytes.length - offset, 1 + random.nextInt(3_000));
                        byte[] piece = new byte[length];
                        System.arraycopy(bytes, offset, piece, 0, length);
                        client.send(piece);
                        offset += length;
                    }
                } catch (IOException e) {
                    writeFailure.add(e);
                }
            }, Thread.currentThread().getName() + "-writer");
            writer.start();
            for (int i = 0; i < count; i++) {
                RawHttpClient.Response response = client.readOrNull();
                if (response == null) {
                    throw new AssertionError("connection closed before response " + i + " of " + count + ", expected "
                            + expected.get(i).substring(0, Math.min(40, expected.get(i).length())));
                }
                String want = expected.get(i);
                String got = want.equals("500") ? Integer.toString(response.status) : response.status + " "
                        + response.body();
                assertEquals(want, got, "response " + i);
                assertEquals(Integer.toString(response.content().length), response.header("content-length"),
                        "Content-Length of " + i);
            }
            assertTrue(client.closedByServer(), "the server keeps the connection open after Connection: close");
            writer.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            assertTrue(writeFailure.isEmpty(), "writer: " + writeFailure);
        }
    }

    @Test
    void slowReader_throttlesTheServer_andStillGetsEveryResponseInOrder() throws Exception {
        int requests = 100;
        int kb = 64;
        try (FaultServer server = FaultServer.start(Scheduler.builder(), bootstrap -> bootstrap
                .childOption(ChannelOption.SO_SNDBUF, 16 * 1024)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(8 * 1024, 32 * 1024)));
             RawHttpClient client = server.connect(16 * 1024)) {
            StringBuilder burst = new StringBuilder();
            for (int i = 0; i < requests; i++) {
                burst.append(get("/big/" + i + "/" + kb));
            }
            client.send(burst.toString());
            server.awaitConnections(1);
            SocketChannel connection = server.connections().peek();
            awaitUnwritable(connection);
            int startedWhileStuck = server.handler.started.get();
            assertTrue(startedWhileStuck < requests,
                    "the server ran all " + requests + " jobs although the client did not read: no backpressure");

            for (int i = 0; i < requests; i++) {
                RawHttpClient.Response response = client.read();
                assertEquals(200, response.status, "response " + i);
                byte[] want = new byte[kb * 1024];
                Arrays.fill(want, (byte) ('a' + i % 26));
                assertArrayEquals(want, response.content(), "body of response " + i);
            }
            assertEquals(requests, server.handler.started.get());
            System.out.println("slow reader: " + startedWhileStuck + " of " + requests
                    + " jobs had run when the server stopped writing");
        }
    }

    /** Polls, one turn of the connection's loop at a time, until the connection is not writable. */
    private static void awaitUnwritable(SocketChannel connection) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (connection.eventLoop().submit(connection::isWritable).get(WAIT_SECONDS, TimeUnit.SECONDS)) {
            assertTrue(System.nanoTime() < deadline, "the connection never became unwritable");
        }
    }

    /** A new client gets {@code /fast/<id>} answered. */
    static void assertServes(FaultServer server, int id) throws IOException {
        try (RawHttpClient client = server.connect()) {
            client.send(get("/fast/" + id));
            RawHttpClient.Response response = client.read();
            assertEquals(200, response.status, "status of a healthy request: " + response);
            assertEquals("fast " + id, response.body());
        }
    }
}
