package io.github.nettyjobs.http;

import io.github.nettyjobs.Scheduler;
import io.github.nettyjobs.SchedulerGroup;
import io.github.nettyjobs.channel.ChannelJobs;
import io.github.nettyjobs.channel.JobsHandler;
import io.github.nettyjobs.testing.EventLoops;
import io.github.nettyjobs.testing.LeakDetectionExtension;
import io.github.nettyjobs.testing.LogCapture;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HTTP/2 over a real socket (h2c with prior knowledge): each stream of an
 * {@link Http2MultiplexHandler} is a child channel whose pipeline converts its frames to HTTP/1.1
 * objects and runs the atomic handler, and one {@link JobsHandler} on the connection serves every
 * stream. The client is Netty's own HTTP/2 client, one stream channel per request.
 */
@ExtendWith(LeakDetectionExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Http2Test {

    @RegisterExtension
    static final EventLoops LOOPS = new EventLoops();

    private final ControlledHandler handler = new ControlledHandler();
    /** The server's connections and streams, in the order they came. */
    private final Queue<Channel> connections = new ConcurrentLinkedQueue<>();
    private final Queue<Channel> streams = new ConcurrentLinkedQueue<>();
    private EventLoopGroup loops;
    private SchedulerGroup jobs;
    private Channel server;
    private Channel client;

    /** A received response: what a test needs of it, copied before the message is released. */
    private record Answer(int status, String body, String retryAfter) {
    }

    /** Starts the server and connects the client; the schedulers have nettyjobs' defaults. */
    private void start() throws Exception {
        start(Scheduler.builder());
    }

    private void start(Scheduler.Builder config) throws Exception {
        loops = LOOPS.newNioGroup(2);
        jobs = SchedulerGroup.create(loops, config);
        server = new ServerBootstrap()
                .group(loops)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.add(ch);
                        ch.pipeline().addLast(
                                Http2FrameCodecBuilder.forServer()
                                        .initialSettings(Http2Settings.defaultSettings().maxConcurrentStreams(100))
                                        .build(),
                                new JobsHandler(jobs), // serves every stream of the connection
                                new Http2MultiplexHandler(new ChannelInitializer<Channel>() {
                                    @Override
                                    protected void initChannel(Channel stream) {
                                        streams.add(stream);
                                        stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true),
                                                HttpJobs.aggregator(1024), HttpJobs.atomic(handler));
                                    }
                                }));
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
        client = Http2Client.connect(loops, server.localAddress());
    }

    @AfterEach
    void stop() throws Exception {
        if (client != null) {
            assertTrue(client.close().await(5, TimeUnit.SECONDS));
        }
        if (server != null) {
            assertTrue(server.close().await(5, TimeUnit.SECONDS));
        }
        if (jobs != null) {
            assertTrue(jobs.close().await(5, TimeUnit.SECONDS));
        }
        for (Channel connection : connections) {
            assertTrue(connection.closeFuture().await(5, TimeUnit.SECONDS));
        }
        if (loops != null) {
            EventLoops.shutDown(loops);
        }
    }

    /** A client stream that sends {@code GET path} and completes the returned future with its answer. */
    private Http2StreamChannel get(String path, CompletableFuture<Answer> answer) throws Exception {
        return Http2Client.get(client, path, response -> answer.complete(new Answer(response.status().code(),
                response.content().toString(StandardCharsets.UTF_8),
                response.headers().get(HttpHeaderNames.RETRY_AFTER))));
    }

    private static <T> T onLoop(EventExecutor loop, Callable<T> action) throws Exception {
        return loop.submit(action).get(5, TimeUnit.SECONDS);
    }

    private Channel serverConnection() {
        Channel connection = connections.peek();
        assertNotNull(connection, "no connection was accepted");
        return connection;
    }

    @Test
    void concurrentStreams_onOneConnection_eachGetsItsOwnAnswer() throws Exception {
        start();
        int n = 5;
        List<CompletableFuture<Answer>> answers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            CompletableFuture<Answer> answer = new CompletableFuture<>();
            answers.add(answer);
            get("/" + i, answer);
        }
        List<ControlledHandler.Call> calls = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            calls.add(handler.next()); // all five running at once
        }
        for (int i = n - 1; i >= 0; i--) {
            ControlledHandler.Call call = calls.get(i);
            call.respond("answer to " + call.uri());
        }
        for (int i = 0; i < n; i++) {
            Answer answer = answers.get(i).get(5, TimeUnit.SECONDS);
            assertEquals(200, answer.status());
            assertEquals("answer to /" + i, answer.body());
        }
        assertEquals(1, connections.size(), "one connection carried every stream");
        assertEquals(n, streams.size());
        assertEquals(jobs.schedulerFor(serverConnection().eventLoop()), ChannelJobs.schedulerOrNull(streams.peek()));
    }

    @Test
    void failingHandler_answers500OnItsStreamOnly() throws Exception {
        start();
        CompletableFuture<Answer> failing = new CompletableFuture<>();
        CompletableFuture<Answer> healthy = new CompletableFuture<>();
        try (LogCapture log = LogCapture.start()) {
            get("/fails", failing);
            ControlledHandler.Call fails = handler.next();
            get("/works", healthy);
            ControlledHandler.Call works = handler.next();

            fails.promise.setFailure(new IllegalStateException("on purpose"));
            assertEquals(500, failing.get(5, TimeUnit.SECONDS).status());
            assertFalse(healthy.isDone());
            works.respond("fine");
            assertEquals(new Answer(200, "fine", null), healthy.get(5, TimeUnit.SECONDS));
            assertEquals(1, log.warnings().size());
            assertTrue(log.warnings().get(0).getMessage().contains("GET /fails"), log.warnings().get(0).getMessage());
        }
        assertTrue(onLoop(serverConnection().eventLoop(), serverConnection()::isActive), "the connection survived");
    }

    @Test
    void streamResetMidJob_jobRunsToItsEnd_andNothingLeaks() throws Exception {
        start();
        Http2StreamChannel stream = get("/slow", new CompletableFuture<>());
        ControlledHandler.Call call = handler.next();
        Channel serverStream = streams.peek();
        assertNotNull(serverStream);

        assertTrue(stream.close().await(5, TimeUnit.SECONDS)); // RST_STREAM: the request is not finished
        assertTrue(serverStream.closeFuture().await(5, TimeUnit.SECONDS), "the server's stream did not close");
        Scheduler scheduler = ChannelJobs.schedulerOrNull(serverStream);
        assertEquals(1, (int) onLoop(scheduler.executor(), scheduler::activeCount), "the job survived the reset");
        Future<Void> drained = scheduler.waitAndClose(Duration.ofSeconds(10));
        onLoop(scheduler.executor(), () -> null);
        assertFalse(drained.isDone(), "waitAndClose waits for the job");

        CompletableFuture<Void> released = new CompletableFuture<>();
        call.promise.setSuccess(Messages.okObservingRelease("nobody listens", released));
        assertTrue(drained.await(5, TimeUnit.SECONDS));
        released.get(5, TimeUnit.SECONDS); // the unwritable response was released
        onLoop(serverStream.eventLoop(), () -> null); // the request goes in the same task, just after
        assertEquals(0, call.request.refCnt());
        assertTrue(onLoop(serverConnection().eventLoop(), serverConnection()::isActive),
                "the reset closed the connection");
    }

    @Test
    void closedScheduler_gives503_closingTheStream_notTheConnection() throws Exception {
        start();
        assertTrue(jobs.close().await(5, TimeUnit.SECONDS));

        CompletableFuture<Answer> first = new CompletableFuture<>();
        get("/late", first);
        Answer answer = first.get(5, TimeUnit.SECONDS);
        assertEquals(503, answer.status());
        assertNull(answer.retryAfter(), "the server is going away, not busy");
        Channel serverStream = streams.peek();
        assertTrue(serverStream.closeFuture().await(5, TimeUnit.SECONDS), "the stream stays open");

        CompletableFuture<Answer> second = new CompletableFuture<>();
        get("/again", second);
        assertEquals(503, second.get(5, TimeUnit.SECONDS).status(), "the connection still serves streams");
        assertTrue(onLoop(serverConnection().eventLoop(), serverConnection()::isActive));
        assertEquals(1, connections.size());
        assertEquals(0, handler.count());
    }

    @Test
    void jobPastTheJobTimeout_answers503WithRetryAfterOnItsStreamOnly_andTheConnectionServesTheNext() throws Exception {
        start(Scheduler.builder().jobTimeout(Duration.ofMillis(300)));
        CompletableFuture<Answer> slow = new CompletableFuture<>();
        CompletableFuture<Answer> quick = new CompletableFuture<>();
        get("/slow", slow);
        ControlledHandler.Call stuck = handler.next();
        get("/quick", quick);
        ControlledHandler.Call answered = handler.next();
        answered.respond("quick");
        assertEquals(new Answer(200, "quick", null), quick.get(5, TimeUnit.SECONDS));

        Answer timedOut = slow.get(5, TimeUnit.SECONDS);
        assertEquals(503, timedOut.status());
        assertEquals("1", timedOut.retryAfter(), "busy, not going away");
        assertTrue(stuck.promise.isCancelled(), "the handler's future was cancelled");
        Channel slowStream = streams.peek();
        assertTrue(onLoop(slowStream.eventLoop(), () -> stuck.request.refCnt() == 0), "the request was released");

        CompletableFuture<Answer> next = new CompletableFuture<>();
        get("/next", next);
        handler.next().respond("next");
        assertEquals(new Answer(200, "next", null), next.get(5, TimeUnit.SECONDS));
        assertTrue(onLoop(serverConnection().eventLoop(), serverConnection()::isActive), "the connection survived");
        assertEquals(1, connections.size());
    }
}
