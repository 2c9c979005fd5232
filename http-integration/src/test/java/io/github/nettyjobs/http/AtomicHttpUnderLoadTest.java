package io.github.nettyjobs.http;

import io.github.nettyjobs.ExceptionContext;
import io.github.nettyjobs.JobOutcome;
import io.github.nettyjobs.Scheduler;
import io.github.nettyjobs.channel.FrozenJobsChannel;
import io.github.nettyjobs.testing.EmbeddedChannels;
import io.github.nettyjobs.testing.LogCapture;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HTTP's answers when the scheduler sheds load ({@code rejectWhenFull}, {@code pendingTimeout},
 * {@code jobTimeout}): {@code 503} with {@code Retry-After} in the request's turn, the connection
 * kept for the next request; a closed scheduler's {@code 503} closes it; every request released
 * once its handler is done. An {@link EmbeddedChannel} whose loop also runs the scheduler, with
 * mock time; paranoid leak detection checks the class.
 */
class AtomicHttpUnderLoadTest {

    @RegisterExtension
    final FrozenJobsChannel jobs = new FrozenJobsChannel();

    private final ControlledHandler handler = new ControlledHandler();
    private final List<ExceptionContext> reported = jobs.reported();
    private final List<JobOutcome> outcomes = jobs.outcomes();
    private EmbeddedChannel channel;
    private Scheduler scheduler;

    private void start(Scheduler.Builder config) {
        channel = jobs.open(config, HttpJobs.atomic(handler));
        scheduler = jobs.scheduler();
    }

    private void runTasks() {
        EmbeddedChannels.runUntilQuiet(channel);
    }

    private void advance(long millis) {
        EmbeddedChannels.advance(channel, Duration.ofMillis(millis));
    }

    private FullHttpResponse readResponse() {
        return Messages.readResponse(channel);
    }

    private static void assertOk(FullHttpResponse response, String body) {
        try {
            assertEquals(HttpResponseStatus.OK, response.status());
            assertEquals(body, Messages.body(response));
        } finally {
            response.release();
        }
    }

    /** A {@code 503} of a busy server: {@code Retry-After: 1}, and the connection kept. */
    private static void assertBusy(FullHttpResponse response) {
        try {
            assertEquals(HttpResponseStatus.SERVICE_UNAVAILABLE, response.status());
            assertEquals("1", response.headers().get(HttpHeaderNames.RETRY_AFTER));
            assertNull(response.headers().get(HttpHeaderNames.CONNECTION), "kept alive, as HTTP/1.1 is by default");
            assertEquals(String.valueOf(response.content().readableBytes()),
                    response.headers().get(HttpHeaderNames.CONTENT_LENGTH));
        } finally {
            response.release();
        }
    }

    /** The connection is open, reading, and serves the next request with the handler's answer. */
    private void assertServesTheNextRequest() throws Exception {
        assertTrue(channel.isOpen());
        assertTrue(channel.config().isAutoRead());
        channel.writeInbound(Messages.get("/next"));
        ControlledHandler.Call next = handler.next();
        assertEquals("/next", next.uri());
        next.respond("served");
        assertOk(readResponse(), "served");
    }

    // ---- rejectWhenFull ----

    @Test
    void fullQueue_withRejectWhenFull_gives503WithRetryAfterInItsTurn_andKeepsTheConnection() throws Exception {
        start(Scheduler.builder().limit(1).pendingLimit(1).rejectWhenFull(true));
        channel.writeInbound(Messages.get("/1"), Messages.get("/2"));
        FullHttpRequest refused = Messages.get("/3");
        channel.writeInbound(refused);

        assertTrue(channel.config().isAutoRead(), "nothing waits for room");
        assertEquals(0, refused.refCnt(), "refused: released at once");
        assertNull(channel.readOutbound(), "the 503 waits for the answers before it");
        handler.next().respond("one");
        handler.next().respond("two");
        assertOk(readResponse(), "one");
        assertOk(readResponse(), "two");
        assertBusy(readResponse());
        assertEquals(2, handler.count());
        assertServesTheNextRequest();
        assertEquals(List.of(), reported);
        assertFalse(channel.finishAndReleaseAll());
    }

    // ---- pendingTimeout ----

    @Test
    void pendingJob_droppedPastThePendingTimeout_gives503WithRetryAfter_andKeepsTheConnection() throws Exception {
        start(Scheduler.builder().limit(1).pendingTimeout(Duration.ofMillis(500)));
        channel.writeInbound(Messages.get("/1"));
        FullHttpRequest dropped = Messages.get("/2");
        channel.writeInbound(dropped);
        ControlledHandler.Call first = handler.next();

        advance(500);
        assertEquals(0, scheduler.pendingCount());
        assertEquals(0, dropped.refCnt(), "dropped: released at once, its handler never called");
        first.respond("one");
        assertOk(readResponse(), "one");
        assertBusy(readResponse());
        assertEquals(1, handler.count());
        assertEquals(List.of(JobOutcome.DROPPED, JobOutcome.SUCCEEDED), outcomes);
        assertServesTheNextRequest();
        assertEquals(List.of(), reported, "shedding is not reported");
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void spawnWaitingForRoom_pastThePendingTimeout_gives503_andReadingResumes() throws Exception {
        start(Scheduler.builder().limit(1).pendingLimit(1).pendingTimeout(Duration.ofMillis(500)));
        channel.writeInbound(Messages.get("/1"), Messages.get("/2"));
        FullHttpRequest waiting = Messages.get("/3");
        channel.writeInbound(waiting);
        ControlledHandler.Call first = handler.next();
        assertFalse(channel.config().isAutoRead(), "the third spawn waits for room");

        advance(500);
        assertTrue(channel.config().isAutoRead());
        assertEquals(0, waiting.refCnt());
        first.respond("one");
        assertOk(readResponse(), "one");
        assertBusy(readResponse());
        assertBusy(readResponse());
        assertEquals(1, handler.count());
        assertServesTheNextRequest();
        assertFalse(channel.finishAndReleaseAll());
    }

    // ---- jobTimeout ----

    @Test
    void jobPastTheJobTimeout_gives503WithRetryAfter_cancelsTheHandler_andKeepsTheConnection() throws Exception {
        start(Scheduler.builder().jobTimeout(Duration.ofSeconds(30)));
        channel.writeInbound(Messages.get("/slow"));
        ControlledHandler.Call call = handler.next();

        advance(29_999);
        assertNull(channel.readOutbound());
        advance(1);
        assertTrue(call.promise.isCancelled());
        assertBusy(readResponse());
        assertEquals(0, call.request.refCnt());
        assertEquals(List.of(JobOutcome.TIMED_OUT), outcomes);
        assertEquals(List.of(), reported, "the atomic handler took the timeout");
        assertServesTheNextRequest();
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void jobPastTheJobTimeout_whoseHandlerIgnoresCancellation_gives503_andKeepsItsRequestUntilTheHandlerEnds()
            throws Exception {
        start(Scheduler.builder().jobTimeout(Duration.ofSeconds(1)).closeTimeout(Duration.ofMillis(100)));
        channel.writeInbound(Messages.get("/stubborn"));
        ControlledHandler.Call call = handler.next();
        call.promise.setUncancellable();

        advance(1000);
        assertNull(channel.readOutbound(), "the handler has its close timeout to end");
        advance(100);
        assertBusy(readResponse());
        assertEquals(1, call.request.refCnt(), "released while its handler still runs");
        assertEquals(1, reported.size());
        assertEquals("Job closing timed out", reported.get(0).message());

        FullHttpResponse late = Messages.ok("too late");
        call.promise.setSuccess(late);
        assertEquals(0, call.request.refCnt(), "released once the handler finally ended");
        assertEquals(0, late.refCnt());
        assertServesTheNextRequest();
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void handlerFailingWithItsOwnTimeout_withAJobTimeoutSet_gives500_not503() throws Exception {
        start(Scheduler.builder().jobTimeout(Duration.ofSeconds(10)).pendingTimeout(Duration.ofSeconds(1))
                .rejectWhenFull(true));
        try (LogCapture log = LogCapture.start()) {
            channel.writeInbound(Messages.get("/"));
            advance(5000);
            handler.next().promise.setFailure(new TimeoutException("the handler's own deadline"));
            runTasks();

            FullHttpResponse response = readResponse();
            assertEquals(HttpResponseStatus.INTERNAL_SERVER_ERROR, response.status());
            assertNull(response.headers().get(HttpHeaderNames.RETRY_AFTER));
            response.release();
            assertEquals(1, log.warnings().size());
            assertTrue(log.warnings().get(0).getThrown() instanceof TimeoutException);
        }
        assertEquals(List.of(JobOutcome.FAILED), outcomes);
        assertServesTheNextRequest();
        assertFalse(channel.finishAndReleaseAll());
    }

    // ---- a closed scheduler ----

    @Test
    void closedScheduler_withEveryLoadOption_gives503_andClosesTheConnection() {
        start(Scheduler.builder().limit(1).pendingLimit(1).rejectWhenFull(true)
                .pendingTimeout(Duration.ofSeconds(1)).jobTimeout(Duration.ofSeconds(1)));
        scheduler.close();
        runTasks();
        FullHttpRequest request = Messages.get("/");
        channel.writeInbound(request);

        FullHttpResponse response = readResponse();
        assertEquals(HttpResponseStatus.SERVICE_UNAVAILABLE, response.status());
        assertEquals("close", response.headers().get(HttpHeaderNames.CONNECTION));
        assertNull(response.headers().get(HttpHeaderNames.RETRY_AFTER), "going away, not busy");
        response.release();
        assertEquals(0, handler.count());
        assertEquals(0, request.refCnt());
        assertFalse(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void schedulerClosedWhileDeadlinesArePending_gives503AndCloses_once() throws Exception {
        start(Scheduler.builder().limit(1).pendingTimeout(Duration.ofSeconds(1)).jobTimeout(Duration.ofSeconds(1)));
        channel.writeInbound(Messages.get("/1"), Messages.get("/2"));
        ControlledHandler.Call first = handler.next();

        scheduler.close();
        runTasks();
        assertTrue(first.promise.isCancelled());
        FullHttpResponse response = readResponse();
        assertEquals(HttpResponseStatus.SERVICE_UNAVAILABLE, response.status());
        assertEquals("close", response.headers().get(HttpHeaderNames.CONNECTION));
        response.release();
        assertNull(channel.readOutbound(), "nothing after an answer that closes");
        advance(1000); // the deadlines' timers were cancelled with the jobs
        assertNull(channel.readOutbound());
        assertFalse(channel.isOpen());
        assertEquals(0, first.request.refCnt());
        assertFalse(channel.finishAndReleaseAll());
    }
}
