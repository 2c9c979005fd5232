package io.github.nettyjobs.channel;

import io.github.nettyjobs.ExceptionContext;
import io.github.nettyjobs.Job;
import io.github.nettyjobs.Scheduler;
import io.github.nettyjobs.testing.EmbeddedChannels;
import io.github.nettyjobs.testing.LeakDetectionExtension;
import io.github.nettyjobs.testing.LogCapture;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import static io.github.nettyjobs.channel.Lines.buffer;
import static io.github.nettyjobs.channel.Lines.outbound;
import static io.github.nettyjobs.channel.Lines.outboundLines;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The generic atomic handler over a line protocol of {@link ByteBuf}s, on an {@link EmbeddedChannel}
 * whose loop also runs the scheduler, with mock time ({@code freezeTime}): every step synchronous
 * and deterministic, every buffer tracked by paranoid leak detection.
 */
@ExtendWith(LeakDetectionExtension.class)
class AtomicHandlerTest {

    @RegisterExtension
    final FrozenJobsChannel jobs = new FrozenJobsChannel();

    private final Calls handler = new Calls();
    private final LineProtocol protocol = new LineProtocol();
    private final List<ExceptionContext> reported = jobs.reported();
    private EmbeddedChannel channel;
    private Scheduler scheduler;

    /** A channel whose lines go to {@code atomic}, bound to a shared scheduler built from {@code config}. */
    private EmbeddedChannel start(Scheduler.Builder config, ChannelHandler atomic) {
        channel = jobs.open(new LineBasedFrameDecoder(256), config, atomic);
        scheduler = jobs.scheduler();
        return channel;
    }

    private AtomicHandler.Builder<ByteBuf, ByteBuf> atomic(AsyncHandler<ByteBuf, ByteBuf> handler) {
        return AtomicHandler.builder(ByteBuf.class, handler).protocol(protocol);
    }

    private EmbeddedChannel start() {
        return start(Scheduler.builder(), atomic(handler).build());
    }

    private void send(String bytes) {
        channel.writeInbound(buffer(bytes));
    }

    private void runTasks() {
        EmbeddedChannels.runUntilQuiet(channel);
    }

    // ---- answers ----

    @Test
    void response_isWrittenPrepared_andTheConnectionStaysOpen() throws Exception {
        start();
        send("hello\n");
        Calls.Call call = handler.next();
        assertEquals("hello", call.line);
        assertEquals(1, scheduler.activeCount());
        assertEquals("", outbound(channel));

        call.respond("HELLO");
        assertEquals("HELLO\n", outbound(channel));
        assertEquals(1, protocol.prepared.get());
        assertEquals(0, scheduler.size());
        assertTrue(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void request_isReleasedOnlyAfterTheJobEnds() throws Exception {
        start();
        send("one\n");
        Calls.Call call = handler.next();
        assertEquals(1, call.request.refCnt());

        call.respond("ONE");
        assertEquals(0, call.request.refCnt());
        assertEquals("ONE\n", outbound(channel));
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void synchronousResponse_isWrittenInsideChannelRead() {
        start(Scheduler.builder(), atomic((ctx, line) ->
                ctx.executor().newSucceededFuture(buffer(Lines.text(line).toUpperCase()))).build());
        send("now\n");

        assertEquals("NOW\n", outbound(channel));
        assertEquals(0, scheduler.size());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void ordered_responsesGoOutInRequestOrder_whenLaterJobsFinishFirst() throws Exception {
        start();
        send("1\n2\n3\n");
        Calls.Call first = handler.next();
        Calls.Call second = handler.next();
        Calls.Call third = handler.next();

        third.respond("3");
        second.respond("2");
        assertEquals("", outbound(channel), "a response overtook the first one");
        first.respond("1");

        assertEquals(List.of("1", "2", "3"), outboundLines(channel));
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void unordered_eachResponseGoesOutAsItsJobEnds() throws Exception {
        start(Scheduler.builder(), atomic(handler).ordered(false).build());
        send("1\n2\n3\n");
        Calls.Call first = handler.next();
        Calls.Call second = handler.next();
        Calls.Call third = handler.next();

        third.respond("3");
        assertEquals("3\n", outbound(channel));
        first.respond("1");
        assertEquals("1\n", outbound(channel));
        second.respond("2");
        assertEquals("2\n", outbound(channel));
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void manyRequests_completingInReverse_comeOutInOrder() throws Exception {
        start(Scheduler.builder(), atomic(handler).maxInFlight(64).build());
        int n = 50;
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < n; i++) {
            lines.append(i).append('\n');
        }
        send(lines.toString());
        List<Calls.Call> calls = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            calls.add(handler.next());
        }
        for (int i = n - 1; i >= 0; i--) {
            calls.get(i).respond(String.valueOf(i));
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            expected.add(String.valueOf(i));
        }
        assertEquals(expected, outboundLines(channel));
        assertFalse(channel.finishAndReleaseAll());
    }

    // ---- failures ----

    @Test
    void handlerThatThrows_getsTheFailureResponse_loggedOnceEscaped_andNotReportedToTheScheduler() {
        IllegalStateException boom = new IllegalStateException("boom");
        start(Scheduler.builder(), atomic((ctx, line) -> {
            throw boom;
        }).build());
        try (LogCapture log = LogCapture.start()) {
            send("fail\rFORGED\n"); // a CR inside the line, which would start a forged log line
            runTasks(); // where a deferred failure report would run

            List<LogRecord> warnings = log.warnings();
            assertEquals(1, warnings.size(), () -> "logged: " + warnings);
            assertSame(boom, warnings.get(0).getThrown());
            String message = LogCapture.text(warnings.get(0));
            assertTrue(message.contains("line fail\\rFORGED: the atomic handler failed"), message);
            assertFalse(message.contains("fail\rFORGED"), "a raw CR reached the log");
            assertEquals(List.of(), reported);
        }
        assertEquals("FAILED IllegalStateException\n", outbound(channel));
        assertTrue(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void handlerWhoseFutureFails_getsTheFailureResponse() throws Exception {
        start();
        try (LogCapture log = LogCapture.start()) {
            send("x\n");
            Calls.Call call = handler.next();
            IllegalArgumentException failure = new IllegalArgumentException("late failure");
            call.promise.setFailure(failure);
            runTasks();

            assertEquals("FAILED IllegalArgumentException\n", outbound(channel));
            assertEquals(0, call.request.refCnt());
            assertEquals(1, log.warnings().size());
            assertSame(failure, log.warnings().get(0).getThrown());
            assertEquals(List.of(), reported);
        }
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void handlerWhoseFutureFailsWithATimeout_isAFailure_notUnavailable() throws Exception {
        start();
        try (LogCapture log = LogCapture.start()) {
            send("x\n");
            handler.next().promise.setFailure(new TimeoutException("the handler's own deadline"));
            runTasks();

            assertEquals("FAILED TimeoutException\n", outbound(channel));
            assertEquals(1, log.warnings().size());
        }
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void handlerReturningNull_orCompletingWithNull_getsTheFailureResponse() throws Exception {
        start(Scheduler.builder(),
                atomic((ctx, line) -> Lines.text(line).equals("null") ? null : handler.handle(ctx, line)).build());
        try (LogCapture log = LogCapture.start()) {
            send("null\nempty\n");
            handler.next().promise.setSuccess(null);
            runTasks();

            assertEquals(List.of("FAILED NullPointerException", "FAILED NullPointerException"), outboundLines(channel));
            assertEquals(2, log.warnings().size());
        }
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void closedScheduler_getsTheUnavailableResponse_withTheRejection() {
        start();
        scheduler.close();
        runTasks();
        ByteBuf request = buffer("late\n");
        channel.writeInbound(request);

        assertEquals("UNAVAILABLE RejectedExecutionException\n", outbound(channel));
        assertEquals(0, handler.count());
        assertEquals(0, request.refCnt());
        assertTrue(channel.isOpen(), "this protocol keeps the connection; HTTP's closes it");
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void jobClosedWhileTheSchedulerStaysOpen_getsTheUnavailableResponse() throws Exception {
        start();
        send("slow\n");
        Calls.Call call = handler.next();
        Job<?> job = scheduler.jobs().get(0);

        job.close();
        runTasks();
        assertTrue(call.promise.isCancelled());
        assertEquals("UNAVAILABLE CancellationException\n", outbound(channel));
        assertFalse(scheduler.isClosed());
        assertEquals(0, call.request.refCnt());
        assertTrue(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void jobCancelledByTheSchedulersClose_getsTheUnavailableResponse() throws Exception {
        start();
        send("slow\n");
        Calls.Call call = handler.next();

        scheduler.close();
        runTasks();
        assertEquals("UNAVAILABLE CancellationException\n", outbound(channel));
        assertEquals(0, call.request.refCnt());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void jobAbandonedAfterItsCloseTimeout_keepsItsRequestUntilTheHandlerEnds() throws Exception {
        start(Scheduler.builder().closeTimeout(Duration.ofMillis(100)), atomic(handler).build());
        send("stubborn\n");
        Calls.Call call = handler.next();
        call.promise.setUncancellable();

        Future<Void> closed = scheduler.close();
        runTasks();
        assertFalse(closed.isDone());
        channel.advanceTimeBy(100, TimeUnit.MILLISECONDS);
        runTasks();
        assertTrue(closed.isDone());

        assertEquals("UNAVAILABLE CancellationException\n", outbound(channel));
        assertEquals(1, call.request.refCnt(), "released while its handler still runs");
        ByteBuf late = buffer("too late");
        call.promise.setSuccess(late);
        assertEquals(0, call.request.refCnt());
        assertEquals(0, late.refCnt());
        assertEquals(1, reported.size());
        assertEquals("Job closing timed out", reported.get(0).message());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void noScheduler_getsTheFailureResponse_andWarnsOncePerConnection() {
        channel = new EmbeddedChannel(new LineBasedFrameDecoder(256), atomic(handler).build());
        try (LogCapture log = LogCapture.start()) {
            send("1\n2\n");

            assertEquals(List.of("FAILED IllegalStateException", "FAILED IllegalStateException"),
                    outboundLines(channel));
            assertEquals(1, log.warnings().size());
            assertTrue(log.warnings().get(0).getMessage().contains("JobsHandler"));
        }
        assertEquals(0, handler.count());
        assertFalse(channel.finishAndReleaseAll());
    }

    // ---- the protocol's hooks ----

    @Test
    void undecodableRequest_getsTheMalformedResponse_inOrder_thenTheConnectionCloses() throws Exception {
        start();
        ByteBuf behind = buffer("bad\u0001line\nnever\n");
        send("first\n");
        channel.writeInbound(behind);
        assertEquals("", outbound(channel), "the malformed answer overtook the first one");
        assertEquals(1, handler.count(), "a job started for a request behind the malformed one");

        handler.next().respond("FIRST");
        assertEquals(List.of("FIRST", "MALFORMED"), outboundLines(channel));
        assertEquals(2, protocol.prepared.get(), "the protocol's own answer is prepared too");
        assertFalse(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void undecodableRequest_withoutAMalformedResponse_closesWithoutAnswering() {
        protocol.nullMalformed = true;
        start();
        send("\u0002\n");

        assertEquals("", outbound(channel));
        assertFalse(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void undecodableRequest_afterTheClientLeft_isReleasedQuietly() {
        start();
        ByteBuf request = buffer("half\u0003");
        // As a decoder's decodeLast does: the last, broken request comes once the channel is inactive.
        channel.pipeline().addBefore(channel.pipeline().context(JobsHandler.class).name(), "last-words",
                new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelInactive(ChannelHandlerContext ctx) {
                        ctx.fireChannelRead(request);
                        ctx.fireChannelInactive();
                    }
                });
        try (LogCapture log = LogCapture.start()) {
            channel.close();
            assertEquals(List.of(), log.warnings());
        }
        assertEquals(0, request.refCnt());
        assertEquals(0, protocol.prepared.get());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void responseThatClosesTheConnection_closesAfterIt_andLaterResponsesAreReleased() throws Exception {
        start();
        send("1\n2\n");
        Calls.Call first = handler.next();
        Calls.Call second = handler.next();

        first.respond("BYE");
        assertEquals("BYE\n", outbound(channel));
        assertFalse(channel.isOpen());

        ByteBuf late = buffer("2");
        second.promise.setSuccess(late);
        assertEquals(0, late.refCnt());
        assertEquals(0, second.request.refCnt());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void lastRequest_isAnswered_requestsBehindItAreReleasedUnanswered_andTheConnectionCloses() throws Exception {
        start();
        ByteBuf behind = buffer("ignored\n");
        send("LAST\n");
        channel.writeInbound(behind);
        assertEquals(0, behind.refCnt());
        assertEquals(1, handler.count());

        handler.next().respond("ok");
        assertEquals("ok\n", outbound(channel));
        assertFalse(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void unordered_slowRequestThenAnUndecodableOne_slowAnswerGoesOutBeforeTheMalformedAnswerAndTheClose()
            throws Exception {
        start(Scheduler.builder(), atomic(handler).ordered(false).build());
        send("slow\n\u0001\n");
        Calls.Call slow = handler.next();
        assertEquals("", outbound(channel), "the malformed answer went out before the slow one's");
        assertTrue(channel.isOpen(), "closed before the slow request was answered");

        slow.respond("SLOW");
        assertEquals(List.of("SLOW", "MALFORMED"), outboundLines(channel));
        assertFalse(channel.isOpen());
        assertEquals(0, slow.request.refCnt());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void unordered_slowRequestThenALastOne_slowAnswerGoesOutBeforeTheLastAnswerAndTheClose() throws Exception {
        start(Scheduler.builder(), atomic(handler).ordered(false).build());
        send("slow\nLAST\n");
        Calls.Call slow = handler.next();
        handler.next().respond("ok");
        assertEquals("", outbound(channel), "the last answer went out before the slow one's");
        assertTrue(channel.isOpen());

        slow.respond("SLOW");
        assertEquals(List.of("SLOW", "ok"), outboundLines(channel));
        assertFalse(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void unordered_closeWithoutAnswering_waitsForTheAnswersBeforeIt() throws Exception {
        protocol.nullFailure = true;
        start(Scheduler.builder(), atomic(handler).ordered(false).build());
        try (LogCapture ignored = LogCapture.start()) {
            send("slow\nfails\n");
            Calls.Call slow = handler.next();
            handler.next().promise.setFailure(new IllegalStateException("on purpose"));
            assertTrue(channel.isOpen(), "closed before the slow request was answered");

            slow.respond("SLOW");
        }
        assertEquals(List.of("SLOW"), outboundLines(channel));
        assertFalse(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void ordered_requestsBehindAnAnswerThatClosesTheConnection_areNeverProcessed() {
        requestsBehindAnAnswerThatClosesTheConnection_areNeverProcessed(true);
    }

    @Test
    void unordered_requestsBehindAnAnswerThatClosesTheConnection_areNeverProcessed() {
        requestsBehindAnAnswerThatClosesTheConnection_areNeverProcessed(false);
    }

    private void requestsBehindAnAnswerThatClosesTheConnection_areNeverProcessed(boolean ordered) {
        List<String> handled = new ArrayList<>();
        start(Scheduler.builder(), atomic((ctx, line) -> {
            handled.add(Lines.text(line));
            return ctx.executor().newSucceededFuture(buffer(Lines.text(line).equals("logout") ? "BYE" : "charged"));
        }).ordered(ordered).build());
        send("logout\ncharge\n"); // one read

        assertEquals(List.of("logout"), handled, "a request behind the closing answer was processed");
        assertEquals("BYE\n", outbound(channel));
        assertFalse(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll()); // and the request behind it was released
    }

    @Test
    void spawnWaitingForRoomBehindAClosingAnswerHeldForOrder_isWithdrawn_admittedOnesRunUnanswered()
            throws Exception {
        start(Scheduler.builder().limit(2).pendingLimit(1), atomic(handler).build());
        send("slow\nlogout\npending\nadmitted\nwaiting\n");
        Calls.Call slow = handler.next();
        Calls.Call logout = handler.next();
        assertEquals(1, scheduler.pendingCount());
        assertFalse(channel.config().isAutoRead(), "two spawns wait for room");

        // The logout job's end makes room (the pending job starts, the first waiting spawn is
        // admitted) before its answer is made; the answer, held behind the slow one's, withdraws
        // the spawn still waiting.
        logout.respond("BYE");
        runTasks();
        assertTrue(channel.isOpen(), "closed before the slow request was answered");
        List<String> ran = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Calls.Call admitted = handler.next();
            ran.add(admitted.line);
            ByteBuf unanswered = buffer("never written");
            admitted.promise.setSuccess(unanswered);
            runTasks();
            assertEquals(0, unanswered.refCnt());
        }
        assertEquals(List.of("pending", "admitted"), ran);
        slow.respond("SLOW");
        runTasks();
        assertEquals(List.of("SLOW", "BYE"), outboundLines(channel));
        assertFalse(channel.isOpen());
        assertEquals(4, handler.count(), "the spawn waiting for room behind the closing answer started a job");
        assertEquals(0, scheduler.size());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void prepare_isAppliedToEveryResponse_errorAnswersIncluded() throws Exception {
        start();
        send("ok\nfails\nclosed\n");
        handler.next().respond("OK");
        handler.next().promise.setFailure(new IllegalStateException("on purpose"));
        Calls.Call third = handler.next();
        try (LogCapture ignored = LogCapture.start()) {
            scheduler.jobs().get(0).close();
            runTasks();
        }
        send("\u0004\n");

        assertEquals(List.of("OK", "FAILED IllegalStateException", "UNAVAILABLE CancellationException", "MALFORMED"),
                outboundLines(channel));
        assertEquals(4, protocol.prepared.get());
        assertEquals(0, third.request.refCnt());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void nullFromAnErrorAnswer_closesWithoutAnswering_afterTheEarlierResponses() throws Exception {
        protocol.nullFailure = true;
        start();
        try (LogCapture ignored = LogCapture.start()) {
            send("1\n2\n3\n");
            Calls.Call first = handler.next();
            handler.next().promise.setFailure(new IllegalStateException("on purpose"));
            Calls.Call third = handler.next();
            assertTrue(channel.isOpen(), "closed before the first answer went out");

            first.respond("1");
            assertEquals("1\n", outbound(channel));
            assertFalse(channel.isOpen());
            third.respond("3");
            assertEquals("", outbound(channel));
        }
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void nullFromTheUnavailableAnswer_closesWithoutAnswering() {
        protocol.nullUnavailable = true;
        start();
        scheduler.close();
        runTasks();
        send("late\n");

        assertEquals("", outbound(channel));
        assertFalse(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void closeOnError_closesWithoutAnswering_onAFailure() throws Exception {
        start(Scheduler.builder(), AtomicHandler.builder(ByteBuf.class, handler).build());
        try (LogCapture log = LogCapture.start()) {
            send("1\n");
            handler.next().promise.setFailure(new IllegalStateException("on purpose"));

            assertEquals("", outbound(channel));
            assertFalse(channel.isOpen());
            assertEquals(1, log.warnings().size(), "the failure is still logged");
        }
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void closeOnError_closesWithoutAnswering_whenTheSchedulerIsClosed_andWritesResponsesAsTheyAre() throws Exception {
        start(Scheduler.builder(), AtomicHandler.builder(ByteBuf.class, handler).build());
        send("1\n");
        handler.next().respond("plain"); // no prepare: written as the handler made it
        assertEquals("plain", outbound(channel));

        scheduler.close();
        runTasks();
        send("2\n");
        assertFalse(channel.isOpen());
        assertEquals("", outbound(channel));
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void protocolThatThrows_closesWithoutAnswering_andIsLogged() throws Exception {
        protocol.throwInPrepare = true;
        start();
        try (LogCapture log = LogCapture.start()) {
            send("1\n");
            ByteBuf response = buffer("1");
            handler.next().promise.setSuccess(response);

            assertEquals(0, response.refCnt(), "the response the protocol could not prepare was released");
            assertFalse(channel.isOpen());
            assertTrue(log.warnings().get(0).getMessage().contains("prepare threw"),
                    log.warnings().get(0).getMessage());
        }
        assertEquals("", outbound(channel));
        assertFalse(channel.finishAndReleaseAll());
    }

    // ---- backpressure and writability ----

    @Test
    void spawnWaitingForRoom_stopsReading_untilItIsAdmitted() throws Exception {
        start(Scheduler.builder().limit(1).pendingLimit(1), atomic(handler).build());
        send("1\n2\n");
        assertTrue(channel.config().isAutoRead(), "an active and a pending job: no reason to stop");

        send("3\n");
        assertFalse(channel.config().isAutoRead(), "the third spawn waits for room");
        assertEquals(1, scheduler.activeCount());
        assertEquals(1, scheduler.pendingCount());

        handler.next().respond("1");
        assertTrue(channel.config().isAutoRead(), "admitted once the first job ended");
        handler.next().respond("2");
        handler.next().respond("3");
        assertEquals(List.of("1", "2", "3"), outboundLines(channel));
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void maxInFlight_stopsReading_untilAResponseIsWritten_heldResponsesCounting() throws Exception {
        start(Scheduler.builder(), atomic(handler).maxInFlight(2).build());
        send("1\n");
        assertTrue(channel.config().isAutoRead());
        send("2\n");
        assertFalse(channel.config().isAutoRead());

        Calls.Call first = handler.next();
        handler.next().respond("2");
        assertFalse(channel.config().isAutoRead(), "the second response waits behind the first");
        first.respond("1");
        assertTrue(channel.config().isAutoRead());
        assertEquals(List.of("1", "2"), outboundLines(channel));
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void ordered_maxInFlightIsAHardBound_requestsBeyondItWaitUnspawned_andNoneIsRefused() throws Exception {
        maxInFlightIsAHardBound_requestsBeyondItWaitUnspawned_andNoneIsRefused(true);
    }

    @Test
    void unordered_maxInFlightIsAHardBound_requestsBeyondItWaitUnspawned_andNoneIsRefused() throws Exception {
        maxInFlightIsAHardBound_requestsBeyondItWaitUnspawned_andNoneIsRefused(false);
    }

    private void maxInFlightIsAHardBound_requestsBeyondItWaitUnspawned_andNoneIsRefused(boolean ordered)
            throws Exception {
        start(Scheduler.builder().limit(8).pendingLimit(8).rejectWhenFull(true),
                atomic(handler).maxInFlight(16).ordered(ordered).build());
        int n = 50;
        StringBuilder lines = new StringBuilder();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            lines.append(i).append('\n');
            expected.add(String.valueOf(i));
        }
        send(lines.toString()); // one read decodes all fifty
        assertEquals(8, scheduler.activeCount());
        assertEquals(8, scheduler.pendingCount(), "spawned beyond maxInFlight");
        assertEquals("", outbound(channel), "a request was refused");
        assertFalse(channel.config().isAutoRead());

        List<String> answered = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Calls.Call call = handler.next();
            call.respond(call.line);
            runTasks();
            answered.addAll(outboundLines(channel));
            assertTrue(scheduler.size() <= 16, "more than maxInFlight spawned: " + scheduler.size());
        }
        assertEquals(expected, answered);
        assertTrue(channel.config().isAutoRead());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void requestsWaitingBeyondMaxInFlight_areReleasedWhenTheConnectionCloses() throws Exception {
        start(Scheduler.builder(), atomic(handler).maxInFlight(1).build());
        send("1\n2\n3\n");
        Calls.Call first = handler.next();
        assertEquals(1, handler.count());

        channel.close();
        first.respond("1");
        runTasks();
        assertEquals(1, handler.count(), "a waiting request was spawned after the close");
        assertFalse(channel.finishAndReleaseAll()); // the two waiting requests were released
    }

    @Test
    void requestsWaitingBeyondMaxInFlight_behindAnUndecodableOne_areReleasedUnanswered() throws Exception {
        start(Scheduler.builder(), atomic(handler).maxInFlight(1).build());
        send("1\n\u0002\nafter\n");
        handler.next().respond("1");
        runTasks();

        assertEquals(List.of("1", "MALFORMED"), outboundLines(channel));
        assertEquals(1, handler.count());
        assertFalse(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void unordered_maxInFlight_countsUnansweredRequests() throws Exception {
        start(Scheduler.builder(), atomic(handler).maxInFlight(2).ordered(false).build());
        send("1\n2\n");
        assertFalse(channel.config().isAutoRead());
        Calls.Call first = handler.next();

        handler.next().respond("2");
        assertEquals("2\n", outbound(channel));
        assertTrue(channel.config().isAutoRead(), "one request unanswered: reading again");
        first.respond("1");
        assertEquals("1\n", outbound(channel));
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void autoReadTurnedOffByTheUser_isLeftOff() throws Exception {
        start(Scheduler.builder(), atomic(handler).maxInFlight(1).build());
        channel.config().setAutoRead(false);
        send("1\n");
        handler.next().respond("1");

        assertFalse(channel.config().isAutoRead());
        assertEquals("1\n", outbound(channel));
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void unwritableChannel_holdsResponses_untilItIsWritableAgain() throws Exception {
        start();
        send("1\n2\n");
        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
        runTasks(); // channelWritabilityChanged comes a loop turn later
        assertFalse(channel.isWritable());

        handler.next().respond("1");
        handler.next().respond("2");
        assertEquals("", outbound(channel));

        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
        runTasks();
        assertEquals(List.of("1", "2"), outboundLines(channel));
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void unordered_unwritableChannel_holdsResponses_thenWritesThemAll() throws Exception {
        start(Scheduler.builder(), atomic(handler).ordered(false).build());
        send("1\n2\n3\n");
        Calls.Call first = handler.next();
        Calls.Call second = handler.next();
        Calls.Call third = handler.next();
        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
        runTasks();

        third.respond("3");
        first.respond("1");
        assertEquals("", outbound(channel));
        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
        runTasks();
        assertEquals(List.of("1", "3"), outboundLines(channel), "ready ones go out, oldest request first");
        second.respond("2");
        assertEquals("2\n", outbound(channel));
        assertFalse(channel.finishAndReleaseAll());
    }

    // ---- disconnects, removal, errors ----

    @Test
    void clientGoneMidJob_jobRunsToItsEnd_andWaitAndCloseWaitsForIt() throws Exception {
        start();
        send("slow\n");
        Calls.Call call = handler.next();

        channel.close();
        assertFalse(call.promise.isDone());
        assertEquals(1, scheduler.activeCount());
        Future<Void> drained = scheduler.waitAndClose();
        runTasks();
        assertFalse(drained.isDone());

        ByteBuf response = buffer("nobody listens");
        call.promise.setSuccess(response);
        runTasks();
        assertTrue(drained.isSuccess());
        assertEquals(0, response.refCnt(), "the unwritable response was released");
        assertEquals(0, call.request.refCnt());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void clientGone_withdrawsASpawnStillWaitingForRoom() throws Exception {
        start(Scheduler.builder().limit(1).pendingLimit(1), atomic(handler).build());
        send("1\n2\n3\n");
        Calls.Call first = handler.next();

        channel.close();
        runTasks();
        first.respond("1");
        handler.next().respond("2");
        runTasks();

        assertEquals(2, handler.count(), "the withdrawn spawn never ran");
        assertEquals(0, scheduler.size());
        assertFalse(channel.finishAndReleaseAll()); // and the withdrawn request was released: no leak
    }

    @Test
    void responsesHeldAtDisconnect_areReleased() throws Exception {
        start();
        send("1\n2\n");
        Calls.Call first = handler.next();
        ByteBuf held = buffer("2");
        handler.next().promise.setSuccess(held);
        assertEquals(1, held.refCnt());

        channel.close();
        assertEquals(0, held.refCnt());
        first.respond("1");
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void handlerRemoved_releasesHeldResponses_andTurnsReadingBackOn() throws Exception {
        AtomicHandler<ByteBuf, ByteBuf> atomic = atomic(handler).maxInFlight(2).build();
        start(Scheduler.builder(), atomic);
        send("1\n2\n");
        assertFalse(channel.config().isAutoRead());
        Calls.Call first = handler.next();
        ByteBuf held = buffer("2");
        handler.next().promise.setSuccess(held);

        channel.pipeline().remove(atomic);
        assertTrue(channel.config().isAutoRead());
        assertEquals(0, held.refCnt());
        ByteBuf late = buffer("1");
        first.promise.setSuccess(late);
        assertEquals(0, late.refCnt());
        assertEquals("", outbound(channel));
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void connectionReset_closesTheChannelQuietly_andTheAdmittedJobRunsOn() throws Exception {
        start();
        send("slow\n");
        Calls.Call call = handler.next();

        try (LogCapture log = LogCapture.start()) {
            channel.pipeline().fireExceptionCaught(new IOException("Connection reset by peer"));
            runTasks();
            assertEquals(List.of(), log.warnings());
            assertTrue(log.text(Level.FINE).contains("went away"), "logged at DEBUG");
        }
        channel.checkException(); // handled here: nothing reached the pipeline's tail
        assertFalse(channel.isOpen());
        assertEquals(1, scheduler.activeCount());

        call.respond("late");
        runTasks();
        assertEquals(0, scheduler.activeCount());
        assertEquals(0, call.request.refCnt());
        assertEquals("", outbound(channel));
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void exceptionAfterTheClientLeft_isQuiet() {
        start();
        // As an aggregator does when the connection ends in the middle of a message.
        channel.pipeline().addBefore(channel.pipeline().context(JobsHandler.class).name(), "aggregating",
                new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelInactive(ChannelHandlerContext ctx) {
                        ctx.fireExceptionCaught(new IllegalStateException("closed while still aggregating"));
                        ctx.fireChannelInactive();
                    }
                });
        try (LogCapture log = LogCapture.start()) {
            channel.close();
            assertEquals(List.of(), log.warnings());
        }
        channel.checkException(); // handled by the atomic handler: nothing reached the pipeline's tail
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
    void otherMessages_passOnUnchanged() {
        start();
        channel.pipeline().fireChannelRead("not a line");

        assertEquals("not a line", channel.readInbound());
        assertEquals(0, handler.count());
        assertFalse(channel.finishAndReleaseAll());
    }

    // ---- the builder and the handler ----

    @Test
    void build_returnsANewUnsharableHandlerEachCall() {
        AtomicHandler.Builder<ByteBuf, ByteBuf> builder = atomic(handler);
        AtomicHandler<ByteBuf, ByteBuf> first = builder.build();
        AtomicHandler<ByteBuf, ByteBuf> second = builder.build();

        assertNotSame(first, second);
        assertFalse(first.isSharable());
    }

    @Test
    void builder_rejectsBadArguments_byName() {
        assertEquals("requestType", assertThrows(NullPointerException.class,
                () -> AtomicHandler.builder(null, handler)).getMessage());
        assertEquals("handler", assertThrows(NullPointerException.class,
                () -> AtomicHandler.<ByteBuf, ByteBuf>builder(ByteBuf.class, null)).getMessage());
        assertEquals("protocol", assertThrows(NullPointerException.class,
                () -> atomic(handler).protocol(null)).getMessage());
        assertEquals("maxInFlight: 0 (expected: >= 1)", assertThrows(IllegalArgumentException.class,
                () -> atomic(handler).maxInFlight(0)).getMessage());
    }

    @Test
    void builder_defaults_areCloseOnErrorSixteenInFlightOrdered() {
        AtomicHandler.Builder<ByteBuf, ByteBuf> builder = AtomicHandler.builder(ByteBuf.class, handler);
        assertEquals("AtomicHandler.Builder{ByteBuf, AtomicProtocol.closeOnError(), maxInFlight=16, ordered}",
                builder.toString());
        assertEquals(16, AtomicHandler.DEFAULT_MAX_IN_FLIGHT);
        assertSame(AtomicProtocol.closeOnError(), AtomicProtocol.<String, String>closeOnError());
        assertNull(AtomicProtocol.closeOnError().failureResponse(null, "request", new Exception()));
    }

    @Test
    void toString_namesTheRequestTypeTheModeAndTheCounts() throws Exception {
        AtomicHandler<ByteBuf, ByteBuf> atomic = atomic(handler).ordered(false).maxInFlight(4).build();
        start(Scheduler.builder(), atomic);
        send("1\n");
        assertEquals("AtomicHandler{ByteBuf, unordered, unanswered=1, maxInFlight=4}", atomic.toString());
        handler.next().respond("1");
        channel.close();
        assertEquals("AtomicHandler{ByteBuf, unordered, unanswered=0, maxInFlight=4, closed}", atomic.toString());
        outbound(channel);
        assertFalse(channel.finishAndReleaseAll());
    }
}
