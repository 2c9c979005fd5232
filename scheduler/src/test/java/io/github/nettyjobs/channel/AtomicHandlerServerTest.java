package io.github.nettyjobs.channel;

import io.github.nettyjobs.Job;
import io.github.nettyjobs.JobOutcome;
import io.github.nettyjobs.Scheduler;
import io.github.nettyjobs.SchedulerGroup;
import io.github.nettyjobs.SchedulerListener;
import io.github.nettyjobs.testing.EventLoops;
import io.github.nettyjobs.testing.LeakDetectionExtension;
import io.github.nettyjobs.testing.LogCapture;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The generic atomic handler on a real NIO server speaking the line protocol, driven by plain
 * sockets. Each test runs twice: with the schedulers on the connections' own loops, and with one
 * scheduler on a loop of its own, so that every spawn and every outcome crosses loops.
 */
@ExtendWith(LeakDetectionExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AtomicHandlerServerTest {

    @RegisterExtension
    static final EventLoops LOOPS = new EventLoops();

    /** Where the jobs run. */
    enum Mode {
        /** A {@link SchedulerGroup} over the worker loops: each connection's jobs on its own loop. */
        SAME_LOOP,
        /** A {@link SchedulerGroup} over a loop without I/O: every job on another loop than its channel. */
        OTHER_LOOP
    }

    private final Calls handler = new Calls();
    private final LineProtocol protocol = new LineProtocol();
    /** What answers the lines: {@link #handler} unless a test sets another before it starts the server. */
    private AsyncHandler<ByteBuf, ByteBuf> served = handler;
    private final Queue<SocketChannel> connections = new ConcurrentLinkedQueue<>();
    private final List<EventLoopGroup> groups = new ArrayList<>();
    private SchedulerGroup jobs;
    private Channel server;

    private int start(Mode mode, Scheduler.Builder config, int maxInFlight) throws Exception {
        return start(mode, config, maxInFlight, true);
    }

    private int start(Mode mode, Scheduler.Builder config, int maxInFlight, boolean ordered) throws Exception {
        EventLoopGroup boss = track(LOOPS.newNioGroup(1));
        EventLoopGroup workers = track(LOOPS.newNioGroup(2));
        jobs = SchedulerGroup.create(mode == Mode.SAME_LOOP ? workers : track(LOOPS.newGroup(1)), config);
        server = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .handler(new JobsHandler(jobs))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.add(ch);
                        ch.pipeline().addLast(new LineBasedFrameDecoder(1024),
                                AtomicHandler.builder(ByteBuf.class, served).protocol(protocol)
                                        .maxInFlight(maxInFlight).ordered(ordered).build());
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    private EventLoopGroup track(EventLoopGroup group) {
        groups.add(group);
        return group;
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            assertTrue(server.close().await(5, TimeUnit.SECONDS));
        }
        if (jobs != null) {
            assertTrue(jobs.close().await(5, TimeUnit.SECONDS));
        }
        for (EventLoopGroup group : groups) {
            EventLoops.shutDown(group);
        }
    }

    private static <T> T onLoop(EventExecutor loop, Callable<T> action) throws Exception {
        return loop.submit(action).get(5, TimeUnit.SECONDS);
    }

    /** A line's buffer that completes {@code released} when its last reference goes. */
    private static ByteBuf bufferObservingRelease(String text, CompletableFuture<Void> released) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ByteBuf buffer = new UnpooledHeapByteBuf(ByteBufAllocator.DEFAULT, bytes.length, bytes.length) {
            @Override
            protected void deallocate() {
                super.deallocate();
                released.complete(null);
            }
        };
        return buffer.writeBytes(bytes);
    }

    /** The first connection the server accepted. */
    private SocketChannel connection() throws Exception {
        onLoop(server.eventLoop(), () -> null);
        SocketChannel channel = connections.peek();
        assertNotNull(channel, "no connection was accepted");
        return channel;
    }

    /** Checks {@code condition} once per turn of {@code loop} until it holds, for at most 5 seconds. */
    private static void awaitOnLoop(EventExecutor loop, Callable<Boolean> condition, String message) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!onLoop(loop, condition)) {
            assertTrue(System.nanoTime() < deadline, message);
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void pipelinedLines_areAnsweredInOrder_whicheverLoopRunsTheJobs(Mode mode) throws Exception {
        int port = start(mode, Scheduler.builder(), 16);
        try (LineClient client = new LineClient(port)) {
            client.send("1\n2\n3\n");
            Calls.Call first = handler.next();
            Calls.Call second = handler.next();
            Calls.Call third = handler.next();
            Scheduler scheduler = ChannelJobs.schedulerOrNull(connection());
            if (mode == Mode.SAME_LOOP) {
                assertSame(connection().eventLoop(), scheduler.executor());
            } else {
                assertNotSame(connection().eventLoop(), scheduler.executor());
            }

            third.respond("three");
            second.respond("two");
            first.respond("one");
            assertEquals("one", client.read());
            assertEquals("two", client.read());
            assertEquals("three", client.read());
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void failingHandler_getsItsFailureAnswer_loggedOnce_andTheConnectionGoesOn(Mode mode) throws Exception {
        int port = start(mode, Scheduler.builder(), 16);
        try (LogCapture log = LogCapture.start(); LineClient client = new LineClient(port)) {
            client.send("fails\nworks\n");
            handler.next().promise.setFailure(new IllegalStateException("on purpose"));
            handler.next().respond("fine");

            assertEquals("FAILED IllegalStateException", client.read());
            assertEquals("fine", client.read());
            assertEquals(1, log.warnings().size(), () -> "logged: " + log.warnings());
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void closedScheduler_getsTheUnavailableAnswer(Mode mode) throws Exception {
        int port = start(mode, Scheduler.builder(), 16);
        assertTrue(jobs.close().await(5, TimeUnit.SECONDS));
        try (LineClient client = new LineClient(port)) {
            client.send("late\n");
            assertEquals("UNAVAILABLE RejectedExecutionException", client.read());
        }
        assertEquals(0, handler.count());
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void clientGoneMidJob_jobRunsToItsEnd_waitAndCloseWaitsForIt_andNothingLeaks(Mode mode) throws Exception {
        int port = start(mode, Scheduler.builder(), 16);
        Calls.Call call;
        try (LineClient client = new LineClient(port)) {
            client.send("slow\n");
            call = handler.next();
            client.abort();
        }
        SocketChannel connection = connection();
        assertTrue(connection.closeFuture().await(5, TimeUnit.SECONDS));
        Scheduler scheduler = ChannelJobs.schedulerOrNull(connection);
        assertEquals(1, (int) onLoop(scheduler.executor(), scheduler::activeCount), "the job survived its client");

        Future<Void> drained = scheduler.waitAndClose(Duration.ofSeconds(10));
        onLoop(scheduler.executor(), () -> null);
        assertFalse(drained.isDone(), "waitAndClose waits for the job");

        CompletableFuture<Void> released = new CompletableFuture<>();
        call.promise.setSuccess(bufferObservingRelease("nobody listens", released));
        assertTrue(drained.await(5, TimeUnit.SECONDS));
        // The release may come on the connection's loop after waitAndClose is done: wait for it, not for turns.
        released.get(5, TimeUnit.SECONDS); // the response nobody could receive was released
        onLoop(connection.eventLoop(), () -> null); // the request goes in the same task, just after
        onLoop(scheduler.executor(), () -> null);
        assertEquals(0, call.request.refCnt());
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void spawnsWaitingForRoom_stopReading_andEveryLineIsAnsweredInOrder(Mode mode) throws Exception {
        int port = start(mode, Scheduler.builder().limit(1).pendingLimit(1), 16);
        int lines = 6;
        try (LineClient client = new LineClient(port)) {
            StringBuilder burst = new StringBuilder();
            for (int i = 0; i < lines; i++) {
                burst.append(i).append('\n');
            }
            client.send(burst.toString());
            Calls.Call first = handler.next();
            SocketChannel connection = connection();
            // Once the third line is read, its spawn waits for room and the channel stops reading.
            awaitOnLoop(connection.eventLoop(), () -> !connection.config().isAutoRead(),
                    "the channel never stopped reading");
            assertEquals(1, handler.count(), "limit 1: one job at a time");

            first.respond("0");
            for (int i = 1; i < lines; i++) {
                handler.next().respond(String.valueOf(i));
            }
            for (int i = 0; i < lines; i++) {
                assertEquals(String.valueOf(i), client.read());
            }
            assertTrue(onLoop(connection.eventLoop(), () -> connection.config().isAutoRead()), "reading again");
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void unordered_slowLineThenAnUndecodableOne_bothAreAnswered_thenTheConnectionCloses(Mode mode) throws Exception {
        int port = start(mode, Scheduler.builder(), 16, false);
        try (LineClient client = new LineClient(port)) {
            client.send("slow\n\u0001\n");
            Calls.Call slow = handler.next();
            slow.respond("SLOW");

            assertEquals("SLOW", client.read(), "the slow line's answer was lost");
            assertEquals("MALFORMED", client.read());
            assertTrue(client.closedByServer());
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void unordered_slowLineThenALastOne_bothAreAnswered_thenTheConnectionCloses(Mode mode) throws Exception {
        int port = start(mode, Scheduler.builder(), 16, false);
        try (LineClient client = new LineClient(port)) {
            client.send("slow\nLAST\n");
            Calls.Call slow = handler.next();
            handler.next().respond("ok");
            slow.respond("SLOW");

            assertEquals("SLOW", client.read(), "the slow line's answer was lost");
            assertEquals("ok", client.read());
            assertTrue(client.closedByServer());
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void lineBehindAnAnswerThatClosesTheConnection_inTheSameRead_isNeverProcessed(boolean ordered) throws Exception {
        Queue<String> handled = new ConcurrentLinkedQueue<>();
        served = (ctx, line) -> {
            handled.add(Lines.text(line));
            String answer = Lines.text(line).equals("logout") ? "BYE" : "charged";
            return ctx.executor().newSucceededFuture(Lines.buffer(answer));
        };
        int port = start(Mode.SAME_LOOP, Scheduler.builder(), 16, ordered);
        try (LineClient client = new LineClient(port)) {
            client.send("logout\ncharge\n");
            assertEquals("BYE", client.read());
            assertTrue(client.closedByServer());
        }
        assertTrue(connection().closeFuture().await(5, TimeUnit.SECONDS));
        assertEquals(List.of("logout"), List.copyOf(handled), "a line behind the closing answer was processed");
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void fiftyLinesInOneWrite_beyondMaxInFlight_waitUnspawned_andNoneIsRefused(Mode mode) throws Exception {
        CountDownLatch refused = new CountDownLatch(1);
        int port = start(mode, Scheduler.builder().limit(8).pendingLimit(8).rejectWhenFull(true)
                .listener(shedding(refused, new CountDownLatch(0))), 16);
        int lines = 50;
        try (LineClient client = new LineClient(port)) {
            StringBuilder burst = new StringBuilder();
            for (int i = 0; i < lines; i++) {
                burst.append(i).append('\n');
            }
            client.send(burst.toString());
            for (int i = 0; i < lines; i++) {
                Calls.Call call = handler.next();
                call.respond(call.line);
            }
            for (int i = 0; i < lines; i++) {
                assertEquals(String.valueOf(i), client.read());
            }
        }
        assertEquals(1, refused.getCount(), "a line was refused");
    }

    // ---- the load options: refused, dropped and timed-out jobs ----

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

    @ParameterizedTest
    @EnumSource(Mode.class)
    void fullQueue_withRejectWhenFull_getsTheUnavailableAnswerInOrder_andTheConnectionGoesOn(Mode mode)
            throws Exception {
        CountDownLatch refused = new CountDownLatch(1);
        int port = start(mode, Scheduler.builder().limit(1).pendingLimit(1).rejectWhenFull(true)
                .listener(shedding(refused, new CountDownLatch(0))), 16);
        try (LineClient client = new LineClient(port)) {
            client.send("1\n2\n3\n");
            Calls.Call first = handler.next();
            // The lines may arrive in more than one read: the first job ends only once the third was refused.
            assertTrue(refused.await(5, TimeUnit.SECONDS), "the third line was not refused");
            first.respond("one");
            handler.next().respond("two");
            assertEquals("one", client.read());
            assertEquals("two", client.read());
            assertEquals("UNAVAILABLE RejectedExecutionException", client.read());
            assertEquals(2, handler.count(), "the refused line's handler was never called");

            client.send("4\n");
            handler.next().respond("four");
            assertEquals("four", client.read(), "the connection serves the next line");
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void pendingJobPastThePendingTimeout_isDropped_andTheConnectionGoesOn(Mode mode) throws Exception {
        CountDownLatch dropped = new CountDownLatch(1);
        int port = start(mode, Scheduler.builder().limit(1).pendingTimeout(Duration.ofMillis(200))
                .listener(shedding(new CountDownLatch(0), dropped)), 16);
        try (LineClient client = new LineClient(port)) {
            client.send("1\n2\n");
            Calls.Call first = handler.next();
            assertTrue(dropped.await(5, TimeUnit.SECONDS), "the pending job was not dropped");

            first.respond("one");
            assertEquals("one", client.read());
            assertEquals("UNAVAILABLE TimeoutException", client.read());
            assertEquals(1, handler.count(), "the dropped line's handler was never called");

            client.send("3\n");
            handler.next().respond("three");
            assertEquals("three", client.read());
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void jobPastItsJobTimeout_getsTheUnavailableAnswer_isReleased_andTheConnectionGoesOn(Mode mode) throws Exception {
        int port = start(mode, Scheduler.builder().jobTimeout(Duration.ofMillis(200)), 16);
        try (LineClient client = new LineClient(port)) {
            client.send("slow\n");
            Calls.Call call = handler.next();
            assertEquals("UNAVAILABLE TimeoutException", client.read());
            assertTrue(call.promise.isCancelled());
            SocketChannel connection = connection();
            awaitOnLoop(connection.eventLoop(), () -> call.request.refCnt() == 0, "the request was not released");

            client.send("next\n");
            handler.next().respond("served");
            assertEquals("served", client.read());
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void closedScheduler_withTheLoadOptions_stillGetsTheUnavailableAnswer(Mode mode) throws Exception {
        int port = start(mode, Scheduler.builder().limit(1).pendingLimit(1).rejectWhenFull(true)
                .pendingTimeout(Duration.ofSeconds(1)).jobTimeout(Duration.ofSeconds(1)), 16);
        assertTrue(jobs.close().await(5, TimeUnit.SECONDS));
        try (LineClient client = new LineClient(port)) {
            client.send("late\n");
            assertEquals("UNAVAILABLE RejectedExecutionException", client.read());
        }
        assertEquals(0, handler.count());
    }
}
