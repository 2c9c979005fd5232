package io.github.nettyjobs;

import io.github.nettyjobs.testing.EventLoops;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link CompletionStages}: Netty futures and jobs as {@code CompletableFuture}s, and stages as jobs. */
@Timeout(30)
class CompletionStagesTest {

    @RegisterExtension
    static final EventLoops LOOPS = new EventLoops();

    private final EventLoop loop = LOOPS.loop();
    private final List<ExceptionContext> reports = new CopyOnWriteArrayList<>();
    private final CompletableFuture<ExceptionContext> firstReport = new CompletableFuture<>();
    private final Scheduler scheduler = Scheduler.builder()
            .exceptionHandler((s, context) -> {
                reports.add(context);
                firstReport.complete(context);
            })
            .build(loop);

    @AfterEach
    void closeScheduler() throws Exception {
        scheduler.close().get(5, SECONDS);
    }

    // ---- Netty future -> CompletableFuture ----

    @Test
    void toCompletableFuture_completesWithTheFuturesResult() throws Exception {
        Promise<String> promise = loop.newPromise();
        CompletableFuture<String> stage = CompletionStages.toCompletableFuture(promise);
        assertFalse(stage.isDone());
        promise.setSuccess("result");
        assertEquals("result", stage.get(5, SECONDS));
    }

    @Test
    void toCompletableFuture_failsWithTheFuturesCause() {
        Promise<String> promise = loop.newPromise();
        CompletableFuture<String> stage = CompletionStages.toCompletableFuture(promise);
        IllegalStateException boom = new IllegalStateException("boom");
        promise.setFailure(boom);
        ExecutionException failure = assertThrows(ExecutionException.class, () -> stage.get(5, SECONDS));
        assertSame(boom, failure.getCause());
    }

    @Test
    void toCompletableFuture_isCancelledWhenTheFutureIs() {
        Promise<String> promise = loop.newPromise();
        CompletableFuture<String> stage = CompletionStages.toCompletableFuture(promise);
        promise.cancel(false);
        assertThrows(CancellationException.class, () -> stage.get(5, SECONDS));
        assertTrue(stage.isCancelled());
    }

    @Test
    void toCompletableFuture_cancel_cancelsTheFuture() {
        Promise<String> promise = loop.newPromise();
        CompletableFuture<String> stage = CompletionStages.toCompletableFuture(promise);
        assertTrue(stage.cancel(false));
        assertTrue(promise.isCancelled());
    }

    @Test
    void toCompletableFuture_completingItOtherwise_leavesTheFutureAlone() {
        Promise<String> promise = loop.newPromise();
        CompletableFuture<String> stage = CompletionStages.toCompletableFuture(promise);
        assertTrue(stage.complete("mine"));
        assertFalse(promise.isDone());
        promise.setSuccess("theirs");
        assertEquals("mine", stage.join());
    }

    @Test
    void toCompletableFuture_ofADoneFuture_isCompleteAtOnce_evenAfterItsLoopShutDown() {
        EventLoop own = LOOPS.newLoop();
        Future<String> done = own.newSucceededFuture("result");
        EventLoops.shutDown(own);
        CompletableFuture<String> stage = CompletionStages.toCompletableFuture(done);
        assertTrue(stage.isDone());
        assertEquals("result", stage.join());
    }

    @Test
    void toCompletableFuture_ofASpawn_cancel_withdrawsAWaitingSpawn() throws Exception {
        Scheduler full = Scheduler.builder().limit(1).pendingLimit(1).build(loop);
        Promise<String> first = loop.newPromise();
        full.spawn(() -> first).get(5, SECONDS);
        full.spawn(() -> loop.<String>newPromise()).get(5, SECONDS); // pending: the queue is full now
        AtomicBoolean called = new AtomicBoolean();
        Future<Job<String>> waiting = full.spawn(() -> {
            called.set(true);
            return loop.newSucceededFuture("never");
        });
        CompletableFuture<Job<String>> stage = CompletionStages.toCompletableFuture(waiting);
        assertTrue(stage.cancel(false));
        assertTrue(waiting.isCancelled());
        first.setSuccess("done");
        assertEquals(1, onLoop(full::size)); // the pending job started; the withdrawn spawn did not enter
        full.close().get(5, SECONDS);
        assertFalse(called.get());
    }

    // ---- a job's outcome -> CompletableFuture ----

    @Test
    void join_givesTheJobsResult() throws Exception {
        Promise<String> work = loop.newPromise();
        Job<String> job = scheduler.spawn(() -> work).get(5, SECONDS);
        CompletableFuture<String> outcome = CompletionStages.join(job);
        work.setSuccess("done");
        assertEquals("done", outcome.get(5, SECONDS));
    }

    @Test
    void join_ofAFailingJob_failsWithItsException_andTheHandlerIsNotCalled() throws Exception {
        Promise<String> work = loop.newPromise();
        Job<String> job = scheduler.spawn(() -> work).get(5, SECONDS);
        CompletableFuture<String> outcome = CompletionStages.join(job);
        IllegalStateException boom = new IllegalStateException("boom");
        work.setFailure(boom);
        ExecutionException failure = assertThrows(ExecutionException.class, () -> outcome.get(5, SECONDS));
        assertSame(boom, failure.getCause());
        onLoop(() -> null);
        assertEquals(List.of(), reports);
    }

    @Test
    void join_cancel_stopsWaiting_andLeavesTheJobRunning() throws Exception {
        Promise<String> work = loop.newPromise();
        Job<String> job = scheduler.spawn(() -> work).get(5, SECONDS);
        CompletableFuture<String> outcome = CompletionStages.join(job);
        assertTrue(outcome.cancel(true));
        assertTrue(onLoop(job::isActive));
        assertFalse(work.isDone());
        work.setSuccess("done");
        assertEquals("done", job.join().get(5, SECONDS));
    }

    @Test
    void joinClosingOnCancel_cancel_closesTheJob_andCancelsItsFuture() throws Exception {
        Promise<String> work = loop.newPromise();
        Job<String> job = scheduler.spawn(() -> work).get(5, SECONDS);
        CompletableFuture<String> outcome = CompletionStages.joinClosingOnCancel(job);
        assertTrue(outcome.cancel(false));
        assertCancelled(job.join());
        assertTrue(job.isClosed());
        assertTrue(work.isCancelled());
        assertTrue(outcome.isCancelled());
    }

    @Test
    void joinClosingOnCancel_ofAPendingJob_dropsItWithoutCallingItsTask() throws Exception {
        Scheduler one = Scheduler.builder().limit(1).build(loop);
        Promise<String> first = loop.newPromise();
        one.spawn(() -> first).get(5, SECONDS);
        AtomicBoolean called = new AtomicBoolean();
        Job<String> pending = one.<String>spawn(() -> {
            called.set(true);
            return loop.newSucceededFuture("never");
        }).get(5, SECONDS);
        assertTrue(pending.isPending());
        CompletionStages.joinClosingOnCancel(pending).cancel(false);
        assertCancelled(pending.join());
        first.setSuccess("done");
        assertEquals(0, onLoop(one::size));
        assertFalse(called.get());
        one.close().get(5, SECONDS);
    }

    @Test
    void joinClosingOnCancel_completesWithTheResult_whenNotCancelled() throws Exception {
        Job<String> job = scheduler.spawn(() -> loop.newSucceededFuture("done")).get(5, SECONDS);
        assertEquals("done", CompletionStages.joinClosingOnCancel(job).get(5, SECONDS));
    }

    @Test
    void spawnAndJoinInOneChain_asDocsCompletionStageShows() throws Exception {
        Callable<Future<String>> task = () -> loop.newSucceededFuture("hello");
        CompletableFuture<String> result = CompletionStages.toCompletableFuture(scheduler.spawn(task))
                .thenCompose(CompletionStages::join);
        assertEquals("hello", result.get(5, SECONDS));
    }

    // ---- CompletionStage -> job ----

    @Test
    void spawn_theJobEndsWithTheStagesResult_completedOnAnotherThread() throws Exception {
        CompletableFuture<String> stage = new CompletableFuture<>();
        Job<String> job = CompletionStages.spawn(scheduler, "remote", () -> stage).get(5, SECONDS);
        assertEquals("remote", job.name());
        assertTrue(onLoop(job::isActive));
        Thread completer = new Thread(() -> stage.complete("result"));
        completer.start();
        assertEquals("result", job.join().get(5, SECONDS));
        completer.join(5_000);
    }

    @Test
    void spawn_aFailedStage_failsTheJobWithTheUnwrappedException() throws Exception {
        CompletableFuture<String> source = new CompletableFuture<>();
        IllegalStateException boom = new IllegalStateException("boom");
        Job<String> job = CompletionStages.<String>spawn(scheduler, () -> source.thenApply(s -> {
            throw boom;
        })).get(5, SECONDS);
        source.complete("input");
        ExecutionException failure = assertThrows(ExecutionException.class, () -> job.join().get(5, SECONDS));
        assertSame(boom, failure.getCause());
    }

    @Test
    void spawn_aFailedStageNobodyAwaits_goesToTheExceptionHandler() throws Exception {
        CompletableFuture<String> stage = new CompletableFuture<>();
        Job<String> job = CompletionStages.spawn(scheduler, () -> stage).get(5, SECONDS);
        IllegalStateException boom = new IllegalStateException("boom");
        stage.completeExceptionally(boom);
        assertSame(boom, firstReport.get(5, SECONDS).exception());
        assertTrue(job.isClosed());
        onLoop(() -> null); // a second report would have been made by now
        assertEquals(1, reports.size());
    }

    @Test
    void jobClose_cancelsTheStage() throws Exception {
        CompletableFuture<String> stage = new CompletableFuture<>();
        Job<String> job = CompletionStages.spawn(scheduler, () -> stage).get(5, SECONDS);
        job.close().get(5, SECONDS);
        assertTrue(stage.isCancelled());
        assertCancelled(job.join());
    }

    @Test
    void schedulerClose_cancelsEveryStage() throws Exception {
        CompletableFuture<String> first = new CompletableFuture<>();
        CompletableFuture<String> second = new CompletableFuture<>();
        CompletionStages.spawn(scheduler, () -> first).get(5, SECONDS);
        CompletionStages.spawn(scheduler, () -> second).get(5, SECONDS);
        scheduler.close().get(5, SECONDS);
        assertTrue(first.isCancelled());
        assertTrue(second.isCancelled());
    }

    @Test
    void aStageCancelledByItsOwner_endsTheJobCancelled_unreported() throws Exception {
        CompletableFuture<String> stage = new CompletableFuture<>();
        Job<String> job = CompletionStages.spawn(scheduler, () -> stage).get(5, SECONDS);
        stage.cancel(false);
        assertCancelled(job.join());
        assertTrue(job.isClosed());
        onLoop(() -> null); // a report would have been made by now
        assertEquals(List.of(), reports);
    }

    @Test
    void spawn_aTaskReturningNull_failsTheJob() throws Exception {
        Job<String> job = CompletionStages.<String>spawn(scheduler, () -> null).get(5, SECONDS);
        ExecutionException failure = assertThrows(ExecutionException.class, () -> job.join().get(5, SECONDS));
        assertInstanceOf(NullPointerException.class, failure.getCause());
    }

    @Test
    void spawn_aTaskThatThrows_failsTheJobWithItsException() throws Exception {
        IllegalStateException boom = new IllegalStateException("boom");
        Job<String> job = CompletionStages.<String>spawn(scheduler, () -> {
            throw boom;
        }).get(5, SECONDS);
        ExecutionException failure = assertThrows(ExecutionException.class, () -> job.join().get(5, SECONDS));
        assertSame(boom, failure.getCause());
    }

    @Test
    void toFuture_ofAStageWithoutToCompletableFuture_cancelsOnlyTheFuture() throws Exception {
        CompletableFuture<String> source = new CompletableFuture<>();
        CompletionStage<String> minimal = source.minimalCompletionStage();
        Future<String> future = CompletionStages.toFuture(loop, minimal);
        assertTrue(future.cancel(false));
        assertFalse(source.isDone());
        source.complete("late");
        assertTrue(future.isCancelled());
    }

    @Test
    void task_callsTheTaskOnEachCall() throws Exception {
        int[] calls = new int[1];
        Callable<Future<Integer>> task = CompletionStages.task(loop,
                () -> CompletableFuture.completedFuture(++calls[0]));
        assertEquals(1, task.call().get(5, SECONDS));
        assertEquals(2, task.call().get(5, SECONDS));
    }

    @Test
    void nullArguments_throwNullPointerException_namingTheParameter() {
        assertEquals("future", assertThrows(NullPointerException.class,
                () -> CompletionStages.toCompletableFuture(null)).getMessage());
        assertEquals("job", assertThrows(NullPointerException.class,
                () -> CompletionStages.join(null)).getMessage());
        assertEquals("job", assertThrows(NullPointerException.class,
                () -> CompletionStages.joinClosingOnCancel(null)).getMessage());
        assertEquals("executor", assertThrows(NullPointerException.class,
                () -> CompletionStages.toFuture(null, new CompletableFuture<>())).getMessage());
        assertEquals("stage", assertThrows(NullPointerException.class,
                () -> CompletionStages.toFuture(loop, null)).getMessage());
        assertEquals("task", assertThrows(NullPointerException.class,
                () -> CompletionStages.task(loop, null)).getMessage());
        assertEquals("scheduler", assertThrows(NullPointerException.class,
                () -> CompletionStages.spawn(null, CompletableFuture::new)).getMessage());
        assertEquals("name", assertThrows(NullPointerException.class,
                () -> CompletionStages.spawn(scheduler, null, CompletableFuture::new)).getMessage());
    }

    // ---- with the JDK's HttpClient, against a loopback server ----

    @Test
    void httpClient_theResponseBecomesTheJobsResult() throws Exception {
        try (LoopbackHttpServer server = new LoopbackHttpServer(true)) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            Job<HttpResponse<String>> job = CompletionStages.spawn(scheduler,
                    () -> client.sendAsync(HttpRequest.newBuilder(server.uri()).build(),
                            HttpResponse.BodyHandlers.ofString())).get(5, SECONDS);
            HttpResponse<String> response = job.join().get(10, SECONDS);
            assertEquals(200, response.statusCode());
            assertEquals("ok", response.body());
        }
    }

    @Test
    void httpClient_closingTheJob_abortsTheExchange() throws Exception {
        try (LoopbackHttpServer server = new LoopbackHttpServer(false)) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            AtomicReference<CompletableFuture<HttpResponse<String>>> sent = new AtomicReference<>();
            Job<HttpResponse<String>> job = CompletionStages.spawn(scheduler, () -> {
                sent.set(client.sendAsync(HttpRequest.newBuilder(server.uri()).build(),
                        HttpResponse.BodyHandlers.ofString()));
                return sent.get();
            }).get(5, SECONDS);
            assertTrue(server.requestReceived.await(10, SECONDS), "the request did not arrive");
            job.close().get(5, SECONDS);
            // The JDK's future may complete with its own cancellation (the exchange aborted inline)
            // before its cancel() marks it cancelled: either way the exchange was cancelled.
            RuntimeException ended = assertThrows(RuntimeException.class, sent.get()::join);
            Throwable cause = ended instanceof CompletionException ? ended.getCause() : ended;
            assertTrue(cause instanceof CancellationException, ended::toString);
            assertTrue(server.connectionClosed.await(10, SECONDS), "the client kept the connection open");
            assertCancelled(job.join());
        }
    }

    /** A raw loopback server: answers {@code 200 ok} to the first request, or never answers. */
    private static final class LoopbackHttpServer implements AutoCloseable {
        final CountDownLatch requestReceived = new CountDownLatch(1);
        final CountDownLatch connectionClosed = new CountDownLatch(1);
        private final EventLoopGroup group = LOOPS.newNioGroup(1);
        private final Channel channel;

        LoopbackHttpServer(boolean answer) {
            channel = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                private final StringBuilder request = new StringBuilder();

                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                    ByteBuf bytes = (ByteBuf) msg;
                                    try {
                                        request.append(bytes.toString(StandardCharsets.US_ASCII));
                                    } finally {
                                        bytes.release();
                                    }
                                    if (request.indexOf("\r\n\r\n") < 0) {
                                        return;
                                    }
                                    requestReceived.countDown();
                                    if (answer) {
                                        ctx.writeAndFlush(Unpooled.copiedBuffer(
                                                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
                                                        StandardCharsets.US_ASCII));
                                    }
                                }

                                @Override
                                public void channelInactive(ChannelHandlerContext ctx) {
                                    connectionClosed.countDown();
                                }

                                @Override
                                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                    ctx.close();
                                }
                            });
                        }
                    })
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                    .syncUninterruptibly()
                    .channel();
        }

        URI uri() {
            InetSocketAddress address = (InetSocketAddress) channel.localAddress();
            return URI.create("http://" + address.getHostString() + ':' + address.getPort() + "/");
        }

        @Override
        public void close() {
            channel.close().syncUninterruptibly();
            EventLoops.shutDown(group);
        }
    }

    // ---- helpers ----

    private <T> T onLoop(Callable<T> read) throws Exception {
        return loop.submit(read).get(5, SECONDS);
    }

    private static void assertCancelled(Future<?> future) {
        assertTrue(future.awaitUninterruptibly(5, SECONDS), "not done: " + future);
        assertInstanceOf(CancellationException.class, future.cause());
        assertNull(future.getNow());
    }
}
