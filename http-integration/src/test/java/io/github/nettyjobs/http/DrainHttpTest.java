package io.github.nettyjobs.http;

import io.github.nettyjobs.Scheduler;
import io.github.nettyjobs.SchedulerGroup;
import io.github.nettyjobs.channel.JobsHandler;
import io.github.nettyjobs.testing.EventLoops;
import io.github.nettyjobs.testing.LeakDetectionExtension;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link JobsHandler#drain} of HTTP servers on real sockets: HTTP/1.1 connections get
 * {@code Connection: close} on their last answer; HTTP/2 connections get the two-step
 * {@code GOAWAY} of {@link HttpJobs#goAwayOnDrain()} and finish their open streams. Quiet periods
 * are either an hour (the test ends before) or zero, so no test waits for one to pass.
 */
@ExtendWith(LeakDetectionExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DrainHttpTest {

    @RegisterExtension
    static final EventLoops LOOPS = new EventLoops();

    private static final Duration HOUR = Duration.ofHours(1);

    private final ControlledHandler handler = new ControlledHandler();
    private TestServer http1;
    private SchedulerGroup jobs;
    private JobsHandler jobsHandler;

    // HTTP/2
    private final Queue<Channel> connections = new ConcurrentLinkedQueue<>();
    private final BlockingQueue<Integer> goAways = new LinkedBlockingQueue<>();
    private EventLoopGroup loops;
    private Channel server;
    private Channel client;

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
        if (http1 != null) {
            http1.close();
        }
        if (loops != null) {
            EventLoops.shutDown(loops);
        }
    }

    // ---- HTTP/1.1 ----

    private void startHttp1() throws Exception {
        http1 = new TestServer();
        jobs = SchedulerGroup.create(http1.workers(), Scheduler.builder());
        jobsHandler = new JobsHandler(jobs);
        http1.bind(jobsHandler, pipeline -> pipeline.addLast(HttpJobs.atomic(handler)));
    }

    /** Lets every loop of the server run what was queued for it, the drain's events included. */
    private void awaitLoops() throws Exception {
        for (SocketChannel connection : http1.connections()) {
            connection.eventLoop().submit(() -> null).get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void http11_requestInFlight_getsConnectionClose_idleConnection_staysOpenAndIsServedOnce() throws Exception {
        startHttp1();
        try (RawHttpClient busy = new RawHttpClient(http1.port());
             RawHttpClient idle = new RawHttpClient(http1.port())) {
            busy.send(RawHttpClient.get("/slow"));
            ControlledHandler.Call slow = handler.next();
            http1.awaitConnections(2, 5);
            awaitLoops();

            Future<Void> drained = jobsHandler.drain(HOUR, HOUR.multipliedBy(2));
            awaitLoops();
            for (SocketChannel connection : http1.connections()) {
                assertTrue(connection.isOpen(), "no connection closes at the call: " + connection);
            }

            slow.respond("done");
            RawHttpClient.Response last = busy.read();
            assertEquals(200, last.status);
            assertEquals("close", last.header("connection"));
            assertTrue(busy.closedByServer());

            idle.send(RawHttpClient.get("/late")); // from a balancer that has not seen /ready fail yet
            handler.next().respond("served");
            RawHttpClient.Response served = idle.read();
            assertEquals(200, served.status);
            assertEquals("served", served.body());
            assertEquals("close", served.header("connection"));
            assertTrue(idle.closedByServer());
            assertFalse(drained.isDone(), "the quiet period has not ended");
            assertTrue(http1.serverChannel().isOpen(), "the server accepts through the quiet period");
        }
    }

    @Test
    void http11_quietPeriodZero_closesIdleConnections_stopsAccepting_andCompletes() throws Exception {
        startHttp1();
        try (RawHttpClient idle = new RawHttpClient(http1.port())) {
            http1.awaitConnections(1, 5);
            awaitLoops();
            Future<Void> drained = jobsHandler.drain(Duration.ZERO, Duration.ofSeconds(10));
            assertTrue(idle.closedByServer());
            assertTrue(drained.await(5, TimeUnit.SECONDS));
            assertTrue(drained.isSuccess());
            assertFalse(http1.serverChannel().isOpen());
            assertTrue(jobs.isClosed());
            assertEquals(0, handler.count());
        }
    }

    // ---- HTTP/2 ----

    private void startHttp2() throws Exception {
        loops = LOOPS.newNioGroup(2);
        jobs = SchedulerGroup.create(loops, Scheduler.builder());
        jobsHandler = new JobsHandler(jobs);
        server = new ServerBootstrap()
                .group(loops)
                .channel(NioServerSocketChannel.class)
                .handler(jobsHandler) // every connection, and through it every stream
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.add(ch);
                        ch.pipeline().addLast(Http2FrameCodecBuilder.forServer().build(),
                                new Http2MultiplexHandler(new ChannelInitializer<Channel>() {
                                    @Override
                                    protected void initChannel(Channel stream) {
                                        stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true),
                                                HttpJobs.aggregator(1024), HttpJobs.atomic(handler));
                                    }
                                }),
                                HttpJobs.goAwayOnDrain());
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
        client = Http2Client.connect(loops, server.localAddress(), new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof Http2GoAwayFrame) {
                    goAways.add(((Http2GoAwayFrame) msg).lastStreamId());
                }
                ReferenceCountUtil.release(msg);
            }
        });
    }

    /** A client stream that sends {@code GET path}; its answer's status and body complete {@code answer}. */
    private Http2StreamChannel get(String path, CompletableFuture<String> answer) throws Exception {
        return Http2Client.get(client, path, response -> answer.complete(response.status().code() + " "
                + response.content().toString(StandardCharsets.UTF_8)));
    }

    private int nextGoAway() throws InterruptedException {
        Integer lastStreamId = goAways.poll(5, TimeUnit.SECONDS);
        assertNotNull(lastStreamId, "no GOAWAY came");
        return lastStreamId;
    }

    @Test
    void http2_goAwayTwice_firstWithTheLargestId_thenTheLastStream_whichIsAnsweredBeforeTheConnectionCloses()
            throws Exception {
        startHttp2();
        CompletableFuture<String> answer = new CompletableFuture<>();
        Http2StreamChannel stream = get("/slow", answer);
        ControlledHandler.Call slow = handler.next();

        Future<Void> drained = jobsHandler.drain(HOUR, HOUR.multipliedBy(2));
        assertEquals(Integer.MAX_VALUE, nextGoAway(), "first: no stream refused, but open no more");
        assertEquals(stream.stream().id(), nextGoAway(), "then, a round trip later, the real last stream");
        assertTrue(client.isActive(), "the open stream keeps the connection");

        slow.respond("finished");
        assertEquals("200 finished", answer.get(5, TimeUnit.SECONDS));
        assertTrue(client.closeFuture().await(5, TimeUnit.SECONDS),
                "the connection closes once its streams have ended");
        assertNull(goAways.poll());
        assertFalse(drained.isDone(), "the quiet period has not ended");
    }

    @Test
    void http2_quietPeriodZero_drainsTheConnection_andCompletesOnceTheStreamEnds() throws Exception {
        startHttp2();
        CompletableFuture<String> answer = new CompletableFuture<>();
        get("/slow", answer);
        ControlledHandler.Call slow = handler.next();

        Future<Void> drained = jobsHandler.drain(Duration.ZERO, Duration.ofSeconds(30));
        assertEquals(List.of(Integer.MAX_VALUE), List.of(nextGoAway()));
        nextGoAway();
        assertTrue(server.closeFuture().await(5, TimeUnit.SECONDS), "the server stops accepting");
        assertFalse(drained.isDone(), "the stream is still open");

        slow.respond("finished");
        assertEquals("200 finished", answer.get(5, TimeUnit.SECONDS));
        assertTrue(drained.await(5, TimeUnit.SECONDS));
        for (Channel connection : connections) {
            assertFalse(connection.isOpen());
        }
    }
}
