package io.github.nettyjobs.http;

import io.github.nettyjobs.ExceptionContext;
import io.github.nettyjobs.Scheduler;
import io.github.nettyjobs.channel.FrozenJobsChannel;
import io.github.nettyjobs.testing.EmbeddedChannels;
import io.github.nettyjobs.testing.LogCapture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.LogRecord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The atomic handler on an {@link EmbeddedChannel} whose loop also runs the scheduler, with mock
 * time ({@code freezeTime}): every step is synchronous and deterministic. The handler sees {@link FullHttpRequest}s
 * directly here; {@link AtomicHttpCodecTest} puts the HTTP codec in front.
 */
class AtomicHttpHandlerTest {

    @RegisterExtension
    final FrozenJobsChannel jobs = new FrozenJobsChannel();

    private final ControlledHandler handler = new ControlledHandler();
    private final List<ExceptionContext> reported = jobs.reported();
    private EmbeddedChannel channel;
    private Scheduler scheduler;

    /** A channel with a shared scheduler (one that outlives the connection) and the atomic handler. */
    private EmbeddedChannel start(Scheduler.Builder config, ChannelHandler atomic) {
        channel = jobs.open(config, atomic);
        scheduler = jobs.scheduler();
        return channel;
    }

    private EmbeddedChannel start() {
        return start(Scheduler.builder(), HttpJobs.atomic(handler));
    }

    private void runTasks() {
        EmbeddedChannels.runUntilQuiet(channel);
    }

    private FullHttpResponse readResponse() {
        return Messages.readResponse(channel);
    }

    private static void assertResponse(FullHttpResponse response, HttpResponseStatus status, String body) {
        try {
            assertEquals(status, response.status());
            assertEquals(body, Messages.body(response));
            assertEquals(String.valueOf(response.content().readableBytes()),
                    response.headers().get(HttpHeaderNames.CONTENT_LENGTH));
        } finally {
            response.release();
        }
    }

    // ---- responses ----

    @Test
    void connectionReset_closesTheChannelQuietly_andTheAdmittedJobRunsOn() throws Exception {
        start();
        FullHttpRequest request = Messages.get("/slow");
        channel.writeInbound(request);
        ControlledHandler.Call call = handler.next();

        channel.pipeline().fireExceptionCaught(new java.io.IOException("Connection reset by peer"));
        runTasks();
        channel.checkException(); // handled here: nothing reached the pipeline's tail
        assertFalse(channel.isOpen());
        assertEquals(1, scheduler.activeCount());

        call.promise.setSuccess(Messages.ok("late"));
        runTasks();
        assertEquals(0, scheduler.activeCount());
        assertEquals(0, request.refCnt());
        assertNull(channel.readOutbound());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void otherExceptions_goOnDownThePipeline() {
        start();
        channel.pipeline().fireExceptionCaught(new IllegalStateException("not an I/O error"));

        assertThrows(IllegalStateException.class, channel::checkException);
        assertTrue(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void response_isWrittenWithContentLength_andKeepsTheConnectionOpen() throws Exception {
        start();
        FullHttpRequest request = Messages.get("/hello");
        channel.writeInbound(request);

        ControlledHandler.Call call = handler.next();
        assertSame(request, call.request);
        assertEquals(1, scheduler.activeCount());
        assertNull(channel.readOutbound());
        call.respond("hello");

        FullHttpResponse response = readResponse();
        assertNull(response.headers().get(HttpHeaderNames.CONNECTION));
        assertResponse(response, HttpResponseStatus.OK, "hello");
        assertEquals(0, scheduler.size());
        assertTrue(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void request_isReleasedOnlyAfterTheJobEnds() throws Exception {
        start();
        FullHttpRequest request = Messages.get("/");
        channel.writeInbound(request);
        ControlledHandler.Call call = handler.next();
        assertEquals(1, request.refCnt());

        call.respond("done");
        assertEquals(0, request.refCnt());
        readResponse().release();
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void synchronousResponse_isWrittenInsideChannelRead() {
        start(Scheduler.builder(), HttpJobs.atomic((ctx, request) ->
                ctx.executor().newSucceededFuture(Messages.ok(request.uri()))));
        channel.writeInbound(Messages.get("/now"));

        assertResponse(readResponse(), HttpResponseStatus.OK, "/now");
        assertEquals(0, scheduler.size());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void pipelinedResponses_goOutInRequestOrder_whenLaterJobsFinishFirst() throws Exception {
        start();
        channel.writeInbound(Messages.get("/1"), Messages.get("/2"), Messages.get("/3"));
        ControlledHandler.Call first = handler.next();
        ControlledHandler.Call second = handler.next();
        ControlledHandler.Call third = handler.next();

        third.respond("3");
        second.respond("2");
        assertNull(channel.readOutbound(), "a response overtook the first one");
        first.respond("1");

        assertResponse(readResponse(), HttpResponseStatus.OK, "1");
        assertResponse(readResponse(), HttpResponseStatus.OK, "2");
        assertResponse(readResponse(), HttpResponseStatus.OK, "3");
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void contentLength_replacesAWrongOne() throws Exception {
        start();
        channel.writeInbound(Messages.get("/"));
        FullHttpResponse response = Messages.ok("four");
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, 99);
        handler.next().promise.setSuccess(response);

        assertResponse(readResponse(), HttpResponseStatus.OK, "four");
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void headResponse_keepsTheContentLengthTheHandlerSet() throws Exception {
        start();
        channel.writeInbound(Messages.request(HttpVersion.HTTP_1_1, HttpMethod.HEAD, "/"));
        FullHttpResponse response = Messages.ok("");
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, 42);
        handler.next().promise.setSuccess(response);

        FullHttpResponse written = readResponse();
        assertEquals("42", written.headers().get(HttpHeaderNames.CONTENT_LENGTH));
        written.release();
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void noContentResponse_hasNoContentLength() throws Exception {
        start();
        channel.writeInbound(Messages.get("/"));
        FullHttpResponse response = Messages.response(HttpResponseStatus.NO_CONTENT, "");
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
        handler.next().promise.setSuccess(response);

        FullHttpResponse written = readResponse();
        assertFalse(written.headers().contains(HttpHeaderNames.CONTENT_LENGTH));
        written.release();
        assertFalse(channel.finishAndReleaseAll());
    }

    // ---- keep-alive ----

    @Test
    void connectionClose_isHonoured_andRequestsPipelinedBehindItAreDropped() throws Exception {
        start();
        FullHttpRequest closing = Messages.get("/last");
        closing.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        FullHttpRequest behind = Messages.get("/ignored");
        channel.writeInbound(closing, behind);

        assertEquals(0, behind.refCnt());
        handler.next().respond("bye");
        assertEquals(1, handler.count());

        FullHttpResponse response = readResponse();
        assertEquals("close", response.headers().get(HttpHeaderNames.CONNECTION));
        assertResponse(response, HttpResponseStatus.OK, "bye");
        assertFalse(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void http10WithoutKeepAlive_closesAfterTheResponse() throws Exception {
        start();
        channel.writeInbound(Messages.request(HttpVersion.HTTP_1_0, HttpMethod.GET, "/"));
        handler.next().respond("old");

        FullHttpResponse response = readResponse();
        assertEquals("close", response.headers().get(HttpHeaderNames.CONNECTION));
        assertResponse(response, HttpResponseStatus.OK, "old");
        assertFalse(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void http10WithKeepAlive_staysOpen_andSaysSo() throws Exception {
        start();
        FullHttpRequest request = Messages.request(HttpVersion.HTTP_1_0, HttpMethod.GET, "/");
        request.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        channel.writeInbound(request);
        handler.next().respond("old");

        FullHttpResponse response = readResponse();
        assertEquals("keep-alive", response.headers().get(HttpHeaderNames.CONNECTION));
        assertResponse(response, HttpResponseStatus.OK, "old");
        assertTrue(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void responseWithConnectionClose_closesAfterIt_andLaterResponsesAreReleased() throws Exception {
        start();
        channel.writeInbound(Messages.get("/1"), Messages.get("/2"));
        ControlledHandler.Call first = handler.next();
        ControlledHandler.Call second = handler.next();

        FullHttpResponse closing = Messages.ok("1");
        closing.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        first.promise.setSuccess(closing);
        assertResponse(readResponse(), HttpResponseStatus.OK, "1");
        assertFalse(channel.isOpen());

        FullHttpResponse late = Messages.ok("2");
        second.promise.setSuccess(late);
        assertEquals(0, late.refCnt());
        assertEquals(0, second.request.refCnt());
        assertFalse(channel.finishAndReleaseAll());
    }

    // ---- failures ----

    @Test
    void handlerThatThrows_gives500_loggedOnce_andNotReportedToTheScheduler() {
        IllegalStateException boom = new IllegalStateException("boom");
        start(Scheduler.builder(), HttpJobs.atomic((ctx, request) -> {
            throw boom;
        }));
        try (LogCapture log = LogCapture.start()) {
            FullHttpRequest request = Messages.get("/fail");
            channel.writeInbound(request);
            runTasks(); // where a deferred failure report would run

            assertResponse(readResponse(), HttpResponseStatus.INTERNAL_SERVER_ERROR, "500 Internal Server Error\n");
            assertEquals(0, request.refCnt());
            List<LogRecord> warnings = log.warnings();
            assertEquals(1, warnings.size(), () -> "logged: " + warnings);
            assertSame(boom, warnings.get(0).getThrown());
            assertTrue(warnings.get(0).getMessage().contains("GET /fail"), warnings.get(0).getMessage());
            assertEquals(List.of(), reported);
        }
        assertTrue(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void handlerWhoseFutureFails_gives500_loggedOnce() throws Exception {
        start();
        try (LogCapture log = LogCapture.start()) {
            channel.writeInbound(Messages.get("/"));
            IllegalArgumentException failure = new IllegalArgumentException("late failure");
            handler.next().promise.setFailure(failure);
            runTasks();

            assertResponse(readResponse(), HttpResponseStatus.INTERNAL_SERVER_ERROR, "500 Internal Server Error\n");
            assertEquals(1, log.warnings().size());
            assertSame(failure, log.warnings().get(0).getThrown());
            assertEquals(List.of(), reported);
        }
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void handlerReturningNull_gives500() {
        start(Scheduler.builder(), HttpJobs.atomic((ctx, request) -> null));
        try (LogCapture log = LogCapture.start()) {
            channel.writeInbound(Messages.get("/"));
            runTasks();

            assertResponse(readResponse(), HttpResponseStatus.INTERNAL_SERVER_ERROR, "500 Internal Server Error\n");
            assertEquals(1, log.warnings().size());
            assertTrue(log.warnings().get(0).getThrown() instanceof NullPointerException);
            assertEquals(List.of(), reported);
        }
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void handlerCompletingWithNull_gives500() throws Exception {
        start();
        try (LogCapture log = LogCapture.start()) {
            channel.writeInbound(Messages.get("/"));
            handler.next().promise.setSuccess(null);

            assertResponse(readResponse(), HttpResponseStatus.INTERNAL_SERVER_ERROR, "500 Internal Server Error\n");
            assertEquals(1, log.warnings().size());
        }
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void closedScheduler_gives503_andClosesTheConnection() {
        start();
        scheduler.close();
        runTasks();
        FullHttpRequest request = Messages.get("/");
        channel.writeInbound(request);

        FullHttpResponse response = readResponse();
        assertEquals("close", response.headers().get(HttpHeaderNames.CONNECTION));
        assertResponse(response, HttpResponseStatus.SERVICE_UNAVAILABLE, "503 Service Unavailable\n");
        assertEquals(0, handler.count());
        assertEquals(0, request.refCnt());
        assertFalse(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void jobCancelledByTheSchedulersClose_gives503() throws Exception {
        start();
        channel.writeInbound(Messages.get("/"));
        ControlledHandler.Call call = handler.next();

        scheduler.close();
        runTasks();
        assertTrue(call.promise.isCancelled());
        FullHttpResponse response = readResponse();
        assertEquals("close", response.headers().get(HttpHeaderNames.CONNECTION));
        assertResponse(response, HttpResponseStatus.SERVICE_UNAVAILABLE, "503 Service Unavailable\n");
        assertEquals(0, call.request.refCnt());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void jobClosedWhileTheSchedulerStaysOpen_gives503WithRetryAfter_andKeepsTheConnection() throws Exception {
        start();
        channel.writeInbound(Messages.get("/slow"));
        ControlledHandler.Call call = handler.next();

        scheduler.jobs().get(0).close(); // as a job timeout or a shed pending job would: the server is busy
        runTasks();
        FullHttpResponse response = readResponse();
        assertEquals("1", response.headers().get(HttpHeaderNames.RETRY_AFTER));
        assertNull(response.headers().get(HttpHeaderNames.CONNECTION));
        assertResponse(response, HttpResponseStatus.SERVICE_UNAVAILABLE, "503 Service Unavailable\n");
        assertEquals(0, call.request.refCnt());
        assertTrue(channel.isOpen());

        channel.writeInbound(Messages.get("/next"));
        handler.next().respond("served");
        assertResponse(readResponse(), HttpResponseStatus.OK, "served");
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void handlerFailingWithItsOwnTimeout_gives500_not503() throws Exception {
        start();
        try (LogCapture log = LogCapture.start()) {
            channel.writeInbound(Messages.get("/"));
            handler.next().promise.setFailure(new java.util.concurrent.TimeoutException("the handler's own deadline"));
            runTasks();

            assertResponse(readResponse(), HttpResponseStatus.INTERNAL_SERVER_ERROR, "500 Internal Server Error\n");
            assertEquals(1, log.warnings().size());
        }
        assertTrue(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void failureLogLine_escapesTheUri_soAClientCannotForgeLogLines() {
        start(Scheduler.builder(), HttpJobs.atomic((ctx, request) -> {
            throw new IllegalStateException("boom");
        }));
        try (LogCapture log = LogCapture.start()) {
            // Netty's decoder refuses control characters in a URI today; the log line must not rely on it.
            channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/placeholder",
                    Messages.UNPOOLED.directBuffer(0)) {
                @Override
                public String uri() {
                    return "/a\r\nWARNING: forged \u001b[2K";
                }
            });
            runTasks();

            String message = LogCapture.text(log.warnings().get(0));
            assertTrue(message.contains("GET /a\\r\\nWARNING: forged \\u001b[2K: the atomic handler failed"), message);
            assertFalse(message.contains("\nWARNING: forged"), message);
            assertFalse(message.contains("\u001b"), message);
        }
        readResponse().release();
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void jobAbandonedAfterItsCloseTimeout_keepsItsRequestUntilTheHandlerEnds() throws Exception {
        start(Scheduler.builder().closeTimeout(Duration.ofMillis(100)), HttpJobs.atomic(handler));
        channel.writeInbound(Messages.get("/stubborn"));
        ControlledHandler.Call call = handler.next();
        call.promise.setUncancellable();

        Future<Void> closed = scheduler.close();
        runTasks();
        assertFalse(closed.isDone());
        channel.advanceTimeBy(100, TimeUnit.MILLISECONDS);
        runTasks();
        assertTrue(closed.isDone());

        assertResponse(readResponse(), HttpResponseStatus.SERVICE_UNAVAILABLE, "503 Service Unavailable\n");
        assertEquals(1, call.request.refCnt(), "released while its handler still runs");
        FullHttpResponse late = Messages.ok("too late");
        call.promise.setSuccess(late);
        assertEquals(0, call.request.refCnt());
        assertEquals(0, late.refCnt());
        assertEquals(1, reported.size());
        assertEquals("Job closing timed out", reported.get(0).message());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void noScheduler_gives500_andWarnsOncePerConnection() {
        channel = new EmbeddedChannel(HttpJobs.atomic(handler));
        try (LogCapture log = LogCapture.start()) {
            channel.writeInbound(Messages.get("/1"), Messages.get("/2"));

            assertResponse(readResponse(), HttpResponseStatus.INTERNAL_SERVER_ERROR, "500 Internal Server Error\n");
            assertResponse(readResponse(), HttpResponseStatus.INTERNAL_SERVER_ERROR, "500 Internal Server Error\n");
            assertEquals(1, log.warnings().size());
            assertTrue(log.warnings().get(0).getMessage().contains("JobsHandler"));
        }
        assertEquals(0, handler.count());
        assertFalse(channel.finishAndReleaseAll());
    }

    // ---- backpressure ----

    @Test
    void spawnWaitingForRoom_stopsReading_untilItIsAdmitted() throws Exception {
        start(Scheduler.builder().limit(1).pendingLimit(1), HttpJobs.atomic(handler));
        channel.writeInbound(Messages.get("/1"), Messages.get("/2"));
        assertTrue(channel.config().isAutoRead(), "an active and a pending job: no reason to stop");

        channel.writeInbound(Messages.get("/3"));
        assertFalse(channel.config().isAutoRead(), "the third spawn waits for room");
        assertEquals(1, scheduler.activeCount());
        assertEquals(1, scheduler.pendingCount());

        handler.next().respond("1");
        assertTrue(channel.config().isAutoRead(), "admitted once the first job ended");
        assertEquals(1, scheduler.pendingCount());
        handler.next().respond("2");
        handler.next().respond("3");

        assertResponse(readResponse(), HttpResponseStatus.OK, "1");
        assertResponse(readResponse(), HttpResponseStatus.OK, "2");
        assertResponse(readResponse(), HttpResponseStatus.OK, "3");
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void maxInFlightRequests_stopReading_untilAResponseIsWritten() throws Exception {
        start(Scheduler.builder(), HttpJobs.atomic(handler, 2));
        channel.writeInbound(Messages.get("/1"));
        assertTrue(channel.config().isAutoRead());
        channel.writeInbound(Messages.get("/2"));
        assertFalse(channel.config().isAutoRead());

        ControlledHandler.Call first = handler.next();
        ControlledHandler.Call second = handler.next();
        second.respond("2");
        assertFalse(channel.config().isAutoRead(), "the second response waits behind the first");
        first.respond("1");
        assertTrue(channel.config().isAutoRead());

        assertResponse(readResponse(), HttpResponseStatus.OK, "1");
        assertResponse(readResponse(), HttpResponseStatus.OK, "2");
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void autoReadTurnedOffByTheUser_isLeftOff() throws Exception {
        start(Scheduler.builder(), HttpJobs.atomic(handler, 1));
        channel.config().setAutoRead(false);
        channel.writeInbound(Messages.get("/1"));
        handler.next().respond("1");

        assertFalse(channel.config().isAutoRead());
        assertResponse(readResponse(), HttpResponseStatus.OK, "1");
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void unwritableChannel_holdsResponses_untilItIsWritableAgain() throws Exception {
        start();
        channel.writeInbound(Messages.get("/1"), Messages.get("/2"));
        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
        runTasks(); // channelWritabilityChanged comes a loop turn later
        assertFalse(channel.isWritable());

        handler.next().respond("1");
        handler.next().respond("2");
        assertNull(channel.readOutbound());

        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
        runTasks();
        assertResponse(readResponse(), HttpResponseStatus.OK, "1");
        assertResponse(readResponse(), HttpResponseStatus.OK, "2");
        assertFalse(channel.finishAndReleaseAll());
    }

    // ---- disconnects and removal ----

    @Test
    void clientDisconnect_letsTheJobRunToItsEnd_andWaitAndCloseWaitsForIt() throws Exception {
        start();
        channel.writeInbound(Messages.get("/slow"));
        ControlledHandler.Call call = handler.next();

        channel.close();
        assertFalse(call.promise.isDone());
        assertEquals(1, scheduler.activeCount());
        Future<Void> drained = scheduler.waitAndClose();
        runTasks();
        assertFalse(drained.isDone());

        FullHttpResponse response = Messages.ok("nobody listens");
        call.promise.setSuccess(response);
        runTasks();
        assertTrue(drained.isSuccess());
        assertEquals(0, response.refCnt(), "the unwritable response was released");
        assertEquals(0, call.request.refCnt());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void clientDisconnect_withdrawsASpawnStillWaitingForRoom() throws Exception {
        start(Scheduler.builder().limit(1).pendingLimit(1), HttpJobs.atomic(handler));
        FullHttpRequest waiting = Messages.get("/3");
        channel.writeInbound(Messages.get("/1"), Messages.get("/2"), waiting);
        ControlledHandler.Call first = handler.next();

        channel.close();
        runTasks();
        assertEquals(0, waiting.refCnt(), "the withdrawn request was released");
        first.respond("1");
        handler.next().respond("2");
        runTasks();

        assertEquals(2, handler.count(), "the withdrawn spawn never ran");
        assertEquals(0, scheduler.size());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void responsesHeldAtDisconnect_areReleased() throws Exception {
        start();
        channel.writeInbound(Messages.get("/1"), Messages.get("/2"));
        ControlledHandler.Call first = handler.next();
        FullHttpResponse held = Messages.ok("2");
        handler.next().promise.setSuccess(held);
        assertEquals(1, held.refCnt());

        channel.close();
        assertEquals(0, held.refCnt());
        first.respond("1");
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void handlerRemoved_releasesHeldResponses_andTurnsReadingBackOn() throws Exception {
        ChannelHandler atomic = HttpJobs.atomic(handler, 2);
        start(Scheduler.builder(), atomic);
        channel.writeInbound(Messages.get("/1"), Messages.get("/2"));
        assertFalse(channel.config().isAutoRead());
        ControlledHandler.Call first = handler.next();
        FullHttpResponse held = Messages.ok("2");
        handler.next().promise.setSuccess(held);

        channel.pipeline().remove(atomic);
        assertTrue(channel.config().isAutoRead());
        assertEquals(0, held.refCnt());
        FullHttpResponse late = Messages.ok("1");
        first.promise.setSuccess(late);
        assertEquals(0, late.refCnt());
        assertNull(channel.readOutbound());
        assertFalse(channel.finishAndReleaseAll());
    }

    // ---- the handler itself ----

    @Test
    void otherMessages_passOnUnchanged() {
        start();
        channel.writeInbound("not a request");

        assertEquals("not a request", channel.readInbound());
        assertEquals(0, handler.count());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void atomic_returnsANewUnsharableHandlerEachCall() {
        ChannelHandler first = HttpJobs.atomic(handler);
        ChannelHandler second = HttpJobs.atomic(handler);

        assertNotSame(first, second);
        assertFalse(first.getClass().isAnnotationPresent(ChannelHandler.Sharable.class));
    }

    @Test
    void atomic_rejectsBadArguments() {
        NullPointerException npe = assertThrows(NullPointerException.class, () -> HttpJobs.atomic(null));
        assertEquals("handler", npe.getMessage());
        IllegalArgumentException iae = assertThrows(IllegalArgumentException.class, () -> HttpJobs.atomic(handler, 0));
        assertEquals("maxInFlight: 0 (expected: >= 1)", iae.getMessage());
    }

    @Test
    void manyPipelinedRequests_completingInReverse_comeOutInOrder() throws Exception {
        start(Scheduler.builder(), HttpJobs.atomic(handler, 64));
        int n = 50;
        for (int i = 0; i < n; i++) {
            channel.writeInbound(Messages.get("/" + i));
        }
        List<ControlledHandler.Call> calls = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            calls.add(handler.next());
        }
        for (int i = n - 1; i >= 0; i--) {
            calls.get(i).respond(String.valueOf(i));
        }
        for (int i = 0; i < n; i++) {
            assertResponse(readResponse(), HttpResponseStatus.OK, String.valueOf(i));
        }
        assertFalse(channel.finishAndReleaseAll());
    }
}
