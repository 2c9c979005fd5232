package io.github.nettyjobs.channel;

import io.github.nettyjobs.Scheduler;
import io.github.nettyjobs.SchedulerGroup;
import io.github.nettyjobs.testing.EventLoops;
import io.github.nettyjobs.testing.LeakDetectionExtension;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link JobsHandler#drain} on a real NIO server speaking the line protocol, driven by plain
 * sockets; the drain's own time is frozen ({@link FrozenTimeLoop}), so the quiet period and the
 * timeout end when a test says. The protocol marks the last answer of a connection with
 * {@code (last)} and says {@code BYE draining} to an idle connection it closes.
 */
@ExtendWith(LeakDetectionExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DrainTest {

    @RegisterExtension
    static final EventLoops LOOPS = new EventLoops();

    private static final Duration QUIET = Duration.ofSeconds(2);
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    /** The line protocol with a marked last answer and a goodbye. */
    private static final class DrainingLineProtocol extends LineProtocol {
        @Override
        public ByteBuf lastResponse(ChannelHandlerContext ctx, ByteBuf response) {
            response.writerIndex(response.writerIndex() - 1); // before the line end prepare() added
            response.writeCharSequence(" (last)\n", StandardCharsets.UTF_8);
            return response;
        }

        @Override
        public ByteBuf goodbye(ChannelHandlerContext ctx) {
            return Lines.buffer("BYE draining\n");
        }
    }

    private final Calls handler = new Calls();
    private final Queue<SocketChannel> connections = new ConcurrentLinkedQueue<>();
    private final FrozenTimeLoop drainLoop = new FrozenTimeLoop();
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private SchedulerGroup jobs;
    private JobsHandler jobsHandler;
    private Channel server;
    private int port;

    /** Serves the line protocol on a loopback port, through {@link #jobsHandler} and the atomic handler. */
    private void bind() throws InterruptedException {
        server = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .handler(jobsHandler)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.add(ch);
                        ch.pipeline().addLast(new LineBasedFrameDecoder(1024),
                                AtomicHandler.builder(ByteBuf.class, handler)
                                        .protocol(new DrainingLineProtocol()).build());
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
        port = ((InetSocketAddress) server.localAddress()).getPort();
    }

    private void start() throws Exception {
        boss = LOOPS.newNioGroup(1);
        workers = LOOPS.newNioGroup(2);
        jobs = SchedulerGroup.create(workers, Scheduler.builder());
        jobsHandler = new JobsHandler(jobs, null, drainLoop);
        bind();
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            assertTrue(server.close().await(5, TimeUnit.SECONDS));
        }
        if (jobs != null) {
            assertTrue(jobs.close().await(5, TimeUnit.SECONDS));
        }
        EventLoops.shutDown(boss);
        EventLoops.shutDown(workers);
        EventLoops.shutDown(drainLoop);
    }

    /** A client whose connection the server has accepted and set up: a drain tells it. */
    private LineClient connect() throws Exception {
        int before = connections.size();
        LineClient client = new LineClient(port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (connections.size() == before) {
            assertTrue(System.nanoTime() < deadline, "the server did not accept the connection");
            boss.next().submit(() -> null).get(5, TimeUnit.SECONDS); // a turn of the accepting loop
        }
        SocketChannel accepted = last();
        accepted.eventLoop().submit(() -> null).get(5, TimeUnit.SECONDS); // its pipeline is complete
        return client;
    }

    private SocketChannel last() {
        SocketChannel last = null;
        for (SocketChannel channel : connections) {
            last = channel;
        }
        return last;
    }

    /** Whether {@code channel} is still open once its loop has run what was queued, the drain's events included. */
    private static boolean openAfterItsLoop(Channel channel) throws Exception {
        return channel.eventLoop().submit(channel::isOpen).get(5, TimeUnit.SECONDS);
    }

    /**
     * Connects until refused, for at most 5 s: NIO closes a listening socket registered with a
     * selector only when the selector next runs, just after the server channel's close completes.
     */
    private static void assertRefused(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            try {
                new LineClient(port).close();
            } catch (ConnectException refused) {
                return;
            }
            assertTrue(System.nanoTime() < deadline, "the server still accepts connections");
        }
    }

    @Test
    void drain_requestInFlight_isAnsweredAsTheLast_andTheConnectionCloses() throws Exception {
        start();
        try (LineClient client = connect()) {
            client.send("slow\n");
            Calls.Call call = handler.next();
            Future<Void> drained = jobsHandler.drain(QUIET, TIMEOUT);
            assertTrue(jobsHandler.isDraining());
            assertTrue(openAfterItsLoop(last()), "the answer is still to come");

            call.respond("done");
            assertEquals("done (last)", client.read());
            assertTrue(client.closedByServer());
            assertFalse(drained.isDone(), "the quiet period has not ended");
        }
    }

    @Test
    void drain_pipelinedRequests_onlyTheAnswerThatLeavesNothingInFlightIsTheLast() throws Exception {
        start();
        try (LineClient client = connect()) {
            client.send("a\nb\n");
            Calls.Call a = handler.next();
            Calls.Call b = handler.next();
            jobsHandler.drain(QUIET, TIMEOUT);
            openAfterItsLoop(last());

            a.respond("A");
            assertEquals("A", client.read());
            b.respond("B");
            assertEquals("B (last)", client.read());
            assertTrue(client.closedByServer());
        }
    }

    @Test
    void drain_idleConnection_staysOpenThroughTheQuietPeriod_andIsServedOnce() throws Exception {
        start();
        try (LineClient client = connect()) {
            jobsHandler.drain(QUIET, TIMEOUT);
            assertTrue(openAfterItsLoop(last()), "an idle connection stays open through the quiet period");

            client.send("one more\n"); // a load balancer that has not seen the readiness check fail yet
            handler.next().respond("served");
            assertEquals("served (last)", client.read());
            assertTrue(client.closedByServer());
        }
    }

    @Test
    void drain_idleConnection_getsTheGoodbyeAndClosesWhenTheQuietPeriodEnds() throws Exception {
        start();
        try (LineClient client = connect()) {
            Future<Void> drained = jobsHandler.drain(QUIET, TIMEOUT);
            assertTrue(openAfterItsLoop(last()));

            drainLoop.advance(QUIET.minusMillis(1));
            assertTrue(openAfterItsLoop(last()), "the quiet period has not ended");
            assertTrue(server.isOpen(), "the server accepts through the quiet period");

            drainLoop.advance(Duration.ofMillis(1));
            assertEquals("BYE draining", client.read());
            assertTrue(client.closedByServer());
            assertTrue(server.closeFuture().await(5, TimeUnit.SECONDS), "the server stops accepting");
            assertTrue(drained.await(5, TimeUnit.SECONDS), "nothing was left: drained without the timeout");
            assertTrue(jobs.isClosed());
            assertEquals(0, drainLoop.pendingTimers(), "the timeout's timer is cancelled");
        }
    }

    @Test
    void drain_connectionAcceptedDuringTheQuietPeriod_isServedOneAnswer_andClosed() throws Exception {
        start();
        jobsHandler.drain(QUIET, TIMEOUT);
        try (LineClient client = connect()) {
            assertTrue(openAfterItsLoop(last()));
            client.send("new\n");
            handler.next().respond("welcome");
            assertEquals("welcome (last)", client.read());
            assertTrue(client.closedByServer());
        }
    }

    @Test
    void drain_afterTheQuietPeriod_theServerRefusesConnections_andTheJobsGetTheRestOfTheTimeout() throws Exception {
        start();
        try (LineClient client = connect()) {
            client.send("slow\n");
            Calls.Call call = handler.next();
            Future<Void> drained = jobsHandler.drain(QUIET, TIMEOUT);
            drainLoop.advance(QUIET);
            assertTrue(server.closeFuture().await(5, TimeUnit.SECONDS));
            assertRefused(port);

            drainLoop.advance(TIMEOUT.minus(QUIET).minusMillis(1));
            assertTrue(openAfterItsLoop(last()), "the job still has time");
            assertFalse(drained.isDone());
            call.respond("in time");
            assertEquals("in time (last)", client.read());
            assertTrue(client.closedByServer());
            assertTrue(drained.await(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void drain_atTheTimeout_theJobIsCancelled_itsRequestAnswered_andEverythingClosed() throws Exception {
        start();
        try (LineClient client = connect()) {
            client.send("forever\n");
            Calls.Call call = handler.next();
            Future<Void> drained = jobsHandler.drain(QUIET, TIMEOUT);
            drainLoop.advance(QUIET);
            drainLoop.advance(TIMEOUT.minus(QUIET));

            assertEquals("UNAVAILABLE CancellationException (last)", client.read(), "answered, never dropped");
            assertTrue(client.closedByServer());
            assertTrue(drained.await(5, TimeUnit.SECONDS));
            assertTrue(call.promise.isCancelled());
            assertTrue(jobs.isClosed());
        }
    }

    @Test
    void drain_atTheTimeout_closesAConnectionWithoutAnAtomicHandler() throws Exception {
        boss = LOOPS.newNioGroup(1);
        workers = LOOPS.newNioGroup(1);
        jobs = SchedulerGroup.create(workers, Scheduler.builder());
        jobsHandler = new JobsHandler(jobs, null, drainLoop);
        server = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .handler(jobsHandler)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.add(ch); // a protocol that knows nothing of draining
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
        port = ((InetSocketAddress) server.localAddress()).getPort();
        try (LineClient client = connect()) {
            Future<Void> drained = jobsHandler.drain(QUIET, TIMEOUT);
            drainLoop.advance(QUIET);
            assertTrue(drained.isDone() || openAfterItsLoop(last()));
            assertFalse(drained.isDone(), "the connection is still open");

            drainLoop.advance(TIMEOUT.minus(QUIET));
            assertTrue(client.closedByServer());
            assertTrue(drained.await(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void drain_perChannelSchedulerOfTheServerChannel_isWaitedFor_notClosedWithIt() throws Exception {
        boss = LOOPS.newNioGroup(1);
        workers = LOOPS.newNioGroup(1);
        jobsHandler = new JobsHandler(null, Scheduler.builder(), drainLoop);
        bind();
        Scheduler scheduler = ChannelJobs.schedulerOrNull(server);
        try (LineClient client = connect()) {
            client.send("slow\n");
            Calls.Call call = handler.next();
            Future<Void> drained = jobsHandler.drain(QUIET, TIMEOUT);
            drainLoop.advance(QUIET);
            assertTrue(server.closeFuture().await(5, TimeUnit.SECONDS));
            assertFalse(scheduler.isClosed(), "the server channel closed, its scheduler waits for its job");

            call.respond("kept");
            assertEquals("kept (last)", client.read());
            assertTrue(drained.await(5, TimeUnit.SECONDS));
            assertTrue(scheduler.isClosed());
        }
    }

    @Test
    void drain_secondCall_returnsTheFirstsFuture() throws Exception {
        start();
        assertFalse(jobsHandler.isDraining());
        Future<Void> first = jobsHandler.drain(QUIET, TIMEOUT);
        assertSame(first, jobsHandler.drain(Duration.ZERO, Duration.ZERO));
        drainLoop.advance(QUIET);
        assertTrue(first.await(5, TimeUnit.SECONDS));
        assertTrue(first.isSuccess());
    }

    @Test
    void drain_badArguments_failClearly_andStartNothing() throws Exception {
        start();
        NullPointerException noQuiet = assertThrows(NullPointerException.class, () -> jobsHandler.drain(null, TIMEOUT));
        assertEquals("quietPeriod", noQuiet.getMessage());
        NullPointerException noTimeout = assertThrows(NullPointerException.class, () -> jobsHandler.drain(QUIET, null));
        assertEquals("timeout", noTimeout.getMessage());
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                () -> jobsHandler.drain(Duration.ofSeconds(-1), TIMEOUT));
        assertEquals("quietPeriod: PT-1S (expected: >= 0)", negative.getMessage());
        IllegalArgumentException shorter = assertThrows(IllegalArgumentException.class,
                () -> jobsHandler.drain(QUIET, Duration.ofSeconds(1)));
        assertEquals("timeout: PT1S (expected: >= quietPeriod (PT2S))", shorter.getMessage());
        assertFalse(jobsHandler.isDraining());
    }

    @Test
    void drain_quietPeriodZero_closesIdleConnectionsAtOnce() throws Exception {
        start();
        try (LineClient client = connect()) {
            Future<Void> drained = jobsHandler.drain(Duration.ZERO, TIMEOUT);
            assertEquals("BYE draining", client.read());
            assertTrue(client.closedByServer());
            assertTrue(drained.await(5, TimeUnit.SECONDS));
        }
    }
}
