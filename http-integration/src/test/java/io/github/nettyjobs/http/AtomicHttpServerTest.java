package io.github.nettyjobs.http;

import io.github.nettyjobs.Job;
import io.github.nettyjobs.JobOutcome;
import io.github.nettyjobs.Scheduler;
import io.github.nettyjobs.SchedulerGroup;
import io.github.nettyjobs.SchedulerListener;
import io.github.nettyjobs.channel.ChannelJobs;
import io.github.nettyjobs.channel.JobsHandler;
import io.github.nettyjobs.testing.LogCapture;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The atomic handler on a real server, driven by {@link HttpClient} and by raw sockets. Tests that
 * take a {@link Mode} run twice: with per-loop schedulers (the job runs on the connection's own
 * loop) and with one server-wide scheduler on the accepting loop (every outcome crosses loops).
 */
class AtomicHttpServerTest {

    private static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** Where the connections' scheduler lives. */
    enum Mode {
        /** A {@link SchedulerGroup} over the worker loops, bound on the server channel. */
        LOOP_GROUP,
        /** One per-channel scheduler of the server channel, on the accepting loop. */
        SERVER_SCHEDULER
    }

    private TestServer server;
    private SchedulerGroup group;

    private TestServer start(Mode mode, Scheduler.Builder config, Supplier<ChannelHandler> atomic) throws Exception {
        return start(mode, config, atomic, bootstrap -> { });
    }

    private TestServer start(Mode mode, Scheduler.Builder config, Supplier<ChannelHandler> atomic,
                             Consumer<ServerBootstrap> options) throws Exception {
        server = new TestServer();
        ChannelHandler jobs;
        if (mode == Mode.LOOP_GROUP) {
            group = SchedulerGroup.create(server.workers(), config);
            jobs = new JobsHandler(group);
        } else {
            jobs = JobsHandler.perChannel(config);
        }
        return server.bind(jobs, pipeline -> pipeline.addLast(atomic.get()), options);
    }

    @AfterEach
    void stop() throws Exception {
        if (group != null) {
            assertTrue(group.close().await(5, TimeUnit.SECONDS));
        }
        if (server != null) {
            server.close();
        }
    }

    private static <T> T onLoop(EventExecutor loop, Callable<T> action) throws Exception {
        return loop.submit(action).get(5, TimeUnit.SECONDS);
    }

    /** The first connection the server accepted, waiting for it at most 5 seconds. */
    private SocketChannel connection() throws Exception {
        onLoop(server.boss().next(), () -> null);
        SocketChannel channel = server.connections().peek();
        assertNotNull(channel, "no connection was accepted");
        return channel;
    }

    private HttpResponse<String> get(String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(server.uri(path)).timeout(Duration.ofSeconds(10)).build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static String request(String path, String... headers) {
        StringBuilder request = new StringBuilder("GET ").append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (String header : headers) {
            request.append(header).append("\r\n");
        }
        return request.append("\r\n").toString();
    }

    private static AsyncHttpHandler echo() {
        return (ctx, request) -> ctx.executor().newSucceededFuture(Messages.ok(request.uri()));
    }

    // ---- answers ----

    @ParameterizedTest
    @EnumSource(Mode.class)
    void httpClient_getsTheHandlersResponse(Mode mode) throws Exception {
        start(mode, Scheduler.builder(), () -> HttpJobs.atomic(echo()));

        HttpResponse<String> response = get("/hello?name=nettyjobs");
        assertEquals(200, response.statusCode());
        assertEquals("/hello?name=nettyjobs", response.body());
        assertEquals("21", response.headers().firstValue("content-length").orElseThrow());
        assertEquals(200, get("/again").statusCode(), "the connection serves the next request");
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void pipelinedRequests_areAnsweredInRequestOrder(Mode mode) throws Exception {
        ControlledHandler handler = new ControlledHandler();
        start(mode, Scheduler.builder(), () -> HttpJobs.atomic(handler));
        try (RawHttpClient raw = new RawHttpClient(server.port())) {
            raw.send(request("/1") + request("/2") + request("/3"));
            ControlledHandler.Call first = handler.next();
            ControlledHandler.Call second = handler.next();
            ControlledHandler.Call third = handler.next();
            assertEquals("/3", third.uri());

            third.respond("third");
            second.respond("second");
            first.respond("first");

            assertEquals("first", raw.read().body());
            assertEquals("second", raw.read().body());
            assertEquals("third", raw.read().body());
        }
    }

    @Test
    void connectionClose_isHonoured_andRequestsBehindItAreNotAnswered() throws Exception {
        ControlledHandler handler = new ControlledHandler();
        start(Mode.LOOP_GROUP, Scheduler.builder(), () -> HttpJobs.atomic(handler));
        try (RawHttpClient raw = new RawHttpClient(server.port())) {
            raw.send(request("/last", "Connection: close") + request("/ignored"));
            handler.next().respond("bye");

            RawHttpClient.Response response = raw.read();
            assertEquals(200, response.status);
            assertEquals("close", response.header("connection"));
            assertEquals("bye", response.body());
            assertTrue(raw.closedByServer());
            assertEquals(1, handler.count());
        }
    }

    @Test
    void http10_keepAliveOnRequest_andCloseOtherwise() throws Exception {
        start(Mode.LOOP_GROUP, Scheduler.builder(), () -> HttpJobs.atomic(echo()));
        try (RawHttpClient raw = new RawHttpClient(server.port())) {
            raw.send("GET /kept HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            RawHttpClient.Response kept = raw.read();
            assertEquals("keep-alive", kept.header("connection"));
            assertEquals("/kept", kept.body());

            raw.send("GET /last HTTP/1.0\r\n\r\n");
            RawHttpClient.Response last = raw.read();
            assertEquals("close", last.header("connection"));
            assertEquals("/last", last.body());
            assertTrue(raw.closedByServer());
        }
    }

    // ---- failures ----

    @ParameterizedTest
    @EnumSource(Mode.class)
    void failingHandlers_give500_eachLoggedOnce_andNeverReportedToTheScheduler(Mode mode) throws Exception {
        int requests = 20;
        RecordingExceptionHandler reported = new RecordingExceptionHandler();
        start(mode, Scheduler.builder().exceptionHandler(reported), () -> HttpJobs.atomic((ctx, request) -> {
            if (request.uri().endsWith("/throws")) {
                throw new IllegalStateException("handler bug");
            }
            return ctx.executor().newFailedFuture(new IllegalArgumentException("failed future"));
        }));
        try (LogCapture log = LogCapture.start()) {
            assertEquals(500, get("/client/throws").statusCode());
            try (RawHttpClient raw = new RawHttpClient(server.port())) {
                StringBuilder pipelined = new StringBuilder();
                for (int i = 0; i < requests; i++) {
                    pipelined.append(request("/" + i + (i % 2 == 0 ? "/throws" : "/fails")));
                }
                raw.send(pipelined.toString());
                for (int i = 0; i < requests; i++) {
                    RawHttpClient.Response response = raw.read();
                    assertEquals(500, response.status);
                    assertEquals("500 Internal Server Error\n", response.body());
                }
            }
            for (Scheduler scheduler : mode == Mode.LOOP_GROUP ? group : List.of(
                    ChannelJobs.schedulerOrNull(server.serverChannel()))) {
                onLoop(scheduler.executor(), () -> null); // a deferred failure report would have run
            }
            assertEquals(requests + 1, log.warnings().size(), () -> "logged: " + log.warnings());
            assertEquals(0, reported.contexts.size(), () -> "reported: " + reported.contexts);
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void closedScheduler_gives503_andClosesTheConnection(Mode mode) throws Exception {
        assertClosedSchedulerGives503AndCloses(mode, Scheduler.builder());
    }

    /**
     * Closes the scheduler(s) of a server built from {@code config}, then sends a request: 503, and the connection
     * closes.
     */
    private void assertClosedSchedulerGives503AndCloses(Mode mode, Scheduler.Builder config) throws Exception {
        ControlledHandler handler = new ControlledHandler();
        start(mode, config, () -> HttpJobs.atomic(handler));
        if (mode == Mode.LOOP_GROUP) {
            assertTrue(group.close().await(5, TimeUnit.SECONDS));
        } else {
            assertTrue(ChannelJobs.schedulerOrNull(server.serverChannel()).close().await(5, TimeUnit.SECONDS));
        }
        try (RawHttpClient raw = new RawHttpClient(server.port())) {
            raw.send(request("/late"));
            RawHttpClient.Response response = raw.read();
            assertEquals(503, response.status);
            assertEquals("close", response.header("connection"));
            assertTrue(raw.closedByServer());
        }
        assertEquals(0, handler.count());
    }

    @Test
    void malformedRequest_gives400_andClosesTheConnection() throws Exception {
        start(Mode.LOOP_GROUP, Scheduler.builder(), () -> HttpJobs.atomic(echo()));
        try (RawHttpClient raw = new RawHttpClient(server.port())) {
            raw.send("THIS IS NOT HTTP\r\n\r\n");
            RawHttpClient.Response response = raw.read();
            assertEquals(400, response.status);
            assertEquals("close", response.header("connection"));
            assertTrue(raw.closedByServer());
        }
    }

    @Test
    void oversizedBody_gives413_fromTheAggregator() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        start(Mode.LOOP_GROUP, Scheduler.builder(), () -> HttpJobs.atomic((ctx, request) -> {
            calls.incrementAndGet();
            return ctx.executor().newSucceededFuture(Messages.ok(""));
        }));
        HttpRequest request = HttpRequest.newBuilder(server.uri("/upload")).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString("z".repeat(TestServer.MAX_CONTENT_LENGTH + 1))).build();

        assertEquals(413, client.send(request, HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals(0, calls.get());
    }

    // ---- vanishing clients ----

    @ParameterizedTest
    @EnumSource(Mode.class)
    void abruptDisconnect_letsTheJobRunToItsEnd_andWaitAndCloseWaitsForIt(Mode mode) throws Exception {
        ControlledHandler handler = new ControlledHandler();
        start(mode, Scheduler.builder(), () -> HttpJobs.atomic(handler));
        ControlledHandler.Call call;
        try (RawHttpClient raw = new RawHttpClient(server.port())) {
            raw.send(request("/slow"));
            call = handler.next();
            raw.abort();
        }
        SocketChannel connection = connection();
        assertTrue(connection.closeFuture().await(5, TimeUnit.SECONDS));
        Scheduler scheduler = ChannelJobs.schedulerOrNull(connection);
        assertEquals(1, (int) onLoop(scheduler.executor(), scheduler::activeCount), "the job survived the client");

        Future<Void> drained = scheduler.waitAndClose(Duration.ofSeconds(10));
        onLoop(scheduler.executor(), () -> null);
        assertFalse(drained.isDone(), "waitAndClose waits for the job");
        assertFalse(call.promise.isDone());

        CompletableFuture<Void> released = new CompletableFuture<>();
        call.promise.setSuccess(Messages.okObservingRelease("nobody listens", released));
        assertTrue(drained.await(5, TimeUnit.SECONDS));
        released.get(5, TimeUnit.SECONDS); // the response nobody could receive was released
        onLoop(connection.eventLoop(), () -> null); // the request goes in the same task, just after
        assertEquals(0, call.request.refCnt());
    }

    // ---- backpressure ----

    /** Counts the requests the aggregator hands on (what the server has read), and tells when it has read {@code n}. */
    private static final class RequestCounter extends ChannelInboundHandlerAdapter {
        final AtomicInteger received = new AtomicInteger();
        final CountDownLatch reachedN;
        private final int n;

        RequestCounter(int n) {
            this.n = n;
            this.reachedN = new CountDownLatch(1);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof FullHttpRequest && received.incrementAndGet() == n) {
                reachedN.countDown();
            }
            ctx.fireChannelRead(msg);
        }
    }

    @Test
    void floodOfPipelinedRequests_stopsReading_andIsAnsweredInOrderOnceJobsMoveOn() throws Exception {
        int total = 1000;
        // Limit 1 and a pending queue of 1: the third request's spawn waits for room, and reading stops.
        int untilStopped = 3;
        String padding = "p".repeat(1000);
        Promise<Void> gate = ImmediateEventExecutor.INSTANCE.newPromise();
        AtomicInteger calls = new AtomicInteger();
        RequestCounter counter = new RequestCounter(untilStopped);
        AsyncHttpHandler gated = (ctx, request) -> {
            calls.incrementAndGet();
            String uri = request.uri();
            Promise<FullHttpResponse> response = ctx.executor().newPromise();
            gate.addListener(open -> response.setSuccess(Messages.ok(uri)));
            return response;
        };
        server = new TestServer();
        group = SchedulerGroup.create(server.workers(), Scheduler.builder().limit(1).pendingLimit(1));
        server.bind(new JobsHandler(group), pipeline -> pipeline.addLast(counter, HttpJobs.atomic(gated, 8)));

        try (RawHttpClient raw = new RawHttpClient(server.port())) {
            // First exactly the requests that must stop the reading, so that whatever reads bring them
            // in, the last read ends at a request's end and nothing asks for another (an aggregator with
            // half a request would): from then on the server reads nothing until the jobs move on.
            StringBuilder first = new StringBuilder();
            for (int i = 0; i < untilStopped; i++) {
                first.append(request("/r" + i, "X-Padding: " + padding));
            }
            raw.send(first.toString());
            assertTrue(counter.reachedN.await(5, TimeUnit.SECONDS));
            SocketChannel connection = connection();
            // Runs after the read that brought the third request, and its handling, have ended.
            assertFalse(onLoop(connection.eventLoop(), () -> connection.config().isAutoRead()), "still reading");

            CompletableFuture<Void> written = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = untilStopped; i < total; i++) {
                        raw.send(request("/r" + i, "X-Padding: " + padding));
                    }
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            onLoop(connection.eventLoop(), () -> null);
            assertEquals(untilStopped, (int) onLoop(connection.eventLoop(), counter.received::get),
                    "read on while stopped");
            assertEquals(1, calls.get(), "limit 1: one job at a time");

            gate.setSuccess(null);
            for (int i = 0; i < total; i++) {
                assertEquals("/r" + i, raw.read().body());
            }
            written.get(10, TimeUnit.SECONDS);
            assertEquals(total, calls.get());
            assertTrue(onLoop(connection.eventLoop(), () -> connection.config().isAutoRead()));
        }
    }

    @Test
    void slowReader_responsesWaitForWritability_andArriveWholeAndInOrder() throws Exception {
        int total = 20;
        int size = 128 * 1024;
        CountDownLatch answered = new CountDownLatch(total);
        CompletableFuture<Void> unwritable = new CompletableFuture<>();
        ChannelHandler probe = new ChannelInboundHandlerAdapter() {
            @Override
            public void channelWritabilityChanged(ChannelHandlerContext ctx) {
                if (!ctx.channel().isWritable()) {
                    unwritable.complete(null);
                }
                ctx.fireChannelWritabilityChanged();
            }
        };
        AsyncHttpHandler big = (ctx, request) -> {
            answered.countDown();
            char fill = (char) ('a' + Integer.parseInt(request.uri().substring(2)));
            return ctx.executor().newSucceededFuture(Messages.ok(String.valueOf(fill).repeat(size)));
        };
        server = new TestServer();
        group = SchedulerGroup.create(server.workers(), Scheduler.builder());
        server.bind(new JobsHandler(group), pipeline -> pipeline.addLast(probe, HttpJobs.atomic(big, total)),
                bootstrap -> bootstrap
                        .childOption(ChannelOption.SO_SNDBUF, 16 * 1024)
                        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                                new WriteBufferWaterMark(8 * 1024, 32 * 1024)));

        try (RawHttpClient raw = new RawHttpClient(server.port(), 16 * 1024)) {
            StringBuilder all = new StringBuilder();
            for (int i = 0; i < total; i++) {
                all.append(request("/r" + i));
            }
            raw.send(all.toString());
            unwritable.get(5, TimeUnit.SECONDS);
            assertTrue(answered.await(5, TimeUnit.SECONDS));
            SocketChannel connection = connection();
            long pending = onLoop(connection.eventLoop(),
                    () -> connection.unsafe().outboundBuffer().totalPendingWriteBytes());
            assertTrue(pending < 2L * size, "queued " + pending + " bytes on an unwritable channel");

            for (int i = 0; i < total; i++) {
                RawHttpClient.Response response = raw.read();
                assertEquals(size, response.body().length());
                assertEquals(String.valueOf((char) ('a' + i)).repeat(size), response.body());
            }
        }
    }

    // ---- the load options: 503 with Retry-After, and the connection goes on ----

    /** Counts down on each spawn the scheduler refuses, and on each job it drops. */
    private static SchedulerListener shedding(CountDownLatch refused, CountDownLatch dropped) {
        return new SchedulerListener() {
            @Override
            public void spawnRejected(Scheduler scheduler, Throwable reason) {
                refused.countDown();
            }

            @Override
            public void jobEnded(Job<?> job, JobOutcome outcome, long queuedNanos, long runNanos) {
                if (outcome == JobOutcome.DROPPED) {
                    dropped.countDown();
                }
            }
        };
    }

    private static void assertBusy(RawHttpClient.Response response) {
        assertEquals(503, response.status, response::toString);
        assertEquals("1", response.header("retry-after"));
        assertEquals(null, response.header("connection"), "kept alive");
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void fullQueue_withRejectWhenFull_gives503WithRetryAfter_andTheConnectionServesTheNextRequest(Mode mode)
            throws Exception {
        ControlledHandler handler = new ControlledHandler();
        CountDownLatch refused = new CountDownLatch(1);
        start(mode, Scheduler.builder().limit(1).pendingLimit(1).rejectWhenFull(true)
                .listener(shedding(refused, new CountDownLatch(0))), () -> HttpJobs.atomic(handler));
        try (RawHttpClient raw = new RawHttpClient(server.port())) {
            raw.send(request("/1") + request("/2") + request("/3"));
            ControlledHandler.Call first = handler.next();
            assertTrue(refused.await(5, TimeUnit.SECONDS), "the third request was not refused");
            first.respond("one");
            handler.next().respond("two");
            assertEquals("one", raw.read().body());
            assertEquals("two", raw.read().body());
            assertBusy(raw.read());
            assertEquals(2, handler.count());

            raw.send(request("/next"));
            handler.next().respond("served");
            assertEquals("served", raw.read().body());
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void pendingJobPastThePendingTimeout_gives503WithRetryAfter_andTheConnectionServesTheNextRequest(Mode mode)
            throws Exception {
        ControlledHandler handler = new ControlledHandler();
        CountDownLatch dropped = new CountDownLatch(1);
        start(mode, Scheduler.builder().limit(1).pendingTimeout(Duration.ofMillis(200))
                .listener(shedding(new CountDownLatch(0), dropped)), () -> HttpJobs.atomic(handler));
        try (RawHttpClient raw = new RawHttpClient(server.port())) {
            raw.send(request("/1") + request("/2"));
            ControlledHandler.Call first = handler.next();
            assertTrue(dropped.await(5, TimeUnit.SECONDS), "the pending request was not dropped");
            first.respond("one");
            assertEquals("one", raw.read().body());
            assertBusy(raw.read());
            assertEquals(1, handler.count());

            raw.send(request("/next"));
            handler.next().respond("served");
            assertEquals("served", raw.read().body());
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void jobPastTheJobTimeout_gives503WithRetryAfter_andTheConnectionServesTheNextRequest(Mode mode) throws Exception {
        ControlledHandler handler = new ControlledHandler();
        start(mode, Scheduler.builder().jobTimeout(Duration.ofMillis(200)), () -> HttpJobs.atomic(handler));
        try (RawHttpClient raw = new RawHttpClient(server.port())) {
            raw.send(request("/slow"));
            ControlledHandler.Call stuck = handler.next();
            assertBusy(raw.read());
            assertTrue(stuck.promise.isCancelled());
            assertTrue(onLoop(stuck.ctx.executor(), () -> stuck.request.refCnt() == 0), "the request was released");

            raw.send(request("/next"));
            handler.next().respond("served");
            assertEquals("served", raw.read().body());
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void closedScheduler_withEveryLoadOption_gives503_andClosesTheConnection(Mode mode) throws Exception {
        assertClosedSchedulerGives503AndCloses(mode, Scheduler.builder().limit(1).pendingLimit(1).rejectWhenFull(true)
                .pendingTimeout(Duration.ofSeconds(1)).jobTimeout(Duration.ofSeconds(1)));
    }
}
