package io.github.nettyjobs.channel;

import io.github.nettyjobs.ExceptionContext;
import io.github.nettyjobs.JobOutcome;
import io.github.nettyjobs.Scheduler;
import io.github.nettyjobs.testing.EmbeddedChannels;
import io.github.nettyjobs.testing.LeakDetectionExtension;
import io.github.nettyjobs.testing.LogCapture;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.github.nettyjobs.channel.Lines.buffer;
import static io.github.nettyjobs.channel.Lines.outbound;
import static io.github.nettyjobs.channel.Lines.outboundLines;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The generic atomic handler with the scheduler's load options ({@code rejectWhenFull},
 * {@code pendingTimeout}, {@code jobTimeout}), over the line protocol of {@link LineProtocol}, on an
 * {@link EmbeddedChannel} whose loop also runs the scheduler, with mock time: a request refused,
 * dropped or timed out gets the protocol's unavailable answer in its place in the order, the
 * connection goes on, and every request is released once its handler is done.
 */
@ExtendWith(LeakDetectionExtension.class)
class AtomicHandlerUnderLoadTest {

    @RegisterExtension
    final FrozenJobsChannel jobs = new FrozenJobsChannel();

    private final Calls handler = new Calls();
    /** The line protocol, remembering the requests it answered "unavailable". */
    private final RecordingProtocol protocol = new RecordingProtocol();
    private final List<ExceptionContext> reported = jobs.reported();
    private final List<JobOutcome> outcomes = jobs.outcomes();
    private EmbeddedChannel channel;
    private Scheduler scheduler;

    private static final class RecordingProtocol extends LineProtocol {
        final List<ByteBuf> unavailable = new ArrayList<>();

        @Override
        public ByteBuf unavailableResponse(ChannelHandlerContext ctx, ByteBuf request, Throwable cause) {
            unavailable.add(request);
            return super.unavailableResponse(ctx, request, cause);
        }
    }

    /** A channel whose lines go to the atomic handler, bound to a shared scheduler built from {@code config}. */
    private void start(Scheduler.Builder config) {
        start(config, AtomicHandler.builder(ByteBuf.class, handler).protocol(protocol).build());
    }

    private void start(Scheduler.Builder config, ChannelHandler atomic) {
        channel = jobs.open(new LineBasedFrameDecoder(256), config, atomic);
        scheduler = jobs.scheduler();
    }

    /** Sends one line in a buffer of its own, and returns that buffer. */
    private ByteBuf send(String line) {
        ByteBuf bytes = buffer(line + "\n");
        channel.writeInbound(bytes);
        return bytes;
    }

    private void runTasks() {
        EmbeddedChannels.runUntilQuiet(channel);
    }

    private void advance(long millis) {
        EmbeddedChannels.advance(channel, Duration.ofMillis(millis));
    }

    /** The channel is still open and serves the next request with the handler's answer. */
    private void assertServesTheNextRequest() throws Exception {
        assertTrue(channel.isOpen());
        assertTrue(channel.config().isAutoRead());
        send("next");
        Calls.Call next = handler.next();
        assertEquals("next", next.line);
        next.respond("served");
        assertEquals("served\n", outbound(channel));
    }

    // ---- rejectWhenFull ----

    @Test
    void fullQueue_withRejectWhenFull_refusesTheJobAtOnce_answeredUnavailableInItsTurn_andTheConnectionGoesOn()
            throws Exception {
        start(Scheduler.builder().limit(1).pendingLimit(1).rejectWhenFull(true));
        send("1");
        send("2");
        ByteBuf third = send("3");

        assertTrue(channel.config().isAutoRead(), "nothing waits for room: no reason to stop reading");
        assertEquals(1, handler.count());
        assertEquals(1, scheduler.pendingCount());
        assertEquals(0, third.refCnt(), "refused: released at once");
        assertEquals("", outbound(channel), "the refusal waits for the answers before it");

        handler.next().respond("one");
        handler.next().respond("two");
        assertEquals(List.of("one", "two", "UNAVAILABLE RejectedExecutionException"), outboundLines(channel));
        assertEquals(2, handler.count(), "the refused request's handler was never called");
        assertEquals(List.of(JobOutcome.SUCCEEDED, JobOutcome.SUCCEEDED), outcomes);
        assertServesTheNextRequest();
        assertEquals(List.of(), reported);
        assertFalse(channel.finishAndReleaseAll());
    }

    // ---- pendingTimeout ----

    @Test
    void pendingJob_pastThePendingTimeout_isDropped_answeredUnavailable_withoutCallingItsHandler() throws Exception {
        start(Scheduler.builder().limit(1).pendingTimeout(Duration.ofSeconds(1)));
        send("1");
        ByteBuf second = send("2");
        Calls.Call first = handler.next();

        advance(999);
        assertEquals(1, scheduler.pendingCount());
        advance(1);
        assertEquals(0, scheduler.pendingCount(), "dropped at its deadline");
        assertEquals(0, second.refCnt(), "a dropped request is released at once");
        assertEquals("", outbound(channel), "its answer waits for the one before it");

        first.respond("one");
        assertEquals(List.of("one", "UNAVAILABLE TimeoutException"), outboundLines(channel));
        assertEquals(1, handler.count());
        assertEquals(List.of(JobOutcome.DROPPED, JobOutcome.SUCCEEDED), outcomes);
        assertServesTheNextRequest();
        assertEquals(List.of(), reported, "shedding is not reported");
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void spawnWaitingForRoom_pastThePendingTimeout_isAnsweredUnavailable_andReadingResumes() throws Exception {
        start(Scheduler.builder().limit(1).pendingLimit(1).pendingTimeout(Duration.ofSeconds(1)));
        send("1");
        send("2");
        ByteBuf third = send("3");
        Calls.Call first = handler.next();
        assertFalse(channel.config().isAutoRead(), "the third spawn waits for room");

        advance(1000);
        // The pending job ahead is dropped first; the waiting spawn takes its place, then is dropped too.
        assertEquals(0, scheduler.pendingCount());
        assertTrue(channel.config().isAutoRead(), "nothing waits for room any more");
        assertEquals(0, third.refCnt());

        first.respond("one");
        assertEquals(List.of("one", "UNAVAILABLE TimeoutException", "UNAVAILABLE TimeoutException"),
                outboundLines(channel));
        assertEquals(1, handler.count());
        assertEquals(2, protocol.unavailable.size());
        assertServesTheNextRequest();
        assertEquals(List.of(), reported);
        assertFalse(channel.finishAndReleaseAll());
    }

    // ---- jobTimeout ----

    @Test
    void jobPastTheJobTimeout_isAnsweredUnavailable_itsHandlerCancelled_andTheConnectionGoesOn() throws Exception {
        start(Scheduler.builder().jobTimeout(Duration.ofSeconds(2)));
        send("slow");
        Calls.Call call = handler.next();

        advance(1999);
        assertEquals("", outbound(channel));
        advance(1);
        assertTrue(call.promise.isCancelled(), "closed as by Job.close()");
        assertEquals("UNAVAILABLE TimeoutException\n", outbound(channel));
        assertEquals(0, call.request.refCnt());
        assertEquals(List.of(JobOutcome.TIMED_OUT), outcomes);
        assertEquals(List.of(), reported, "the atomic handler took the timeout: nothing for the exception handler");
        assertServesTheNextRequest();
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void jobPastTheJobTimeout_whoseHandlerIgnoresCancellation_keepsItsRequestUntilTheHandlerEnds() throws Exception {
        start(Scheduler.builder().jobTimeout(Duration.ofSeconds(1)).closeTimeout(Duration.ofMillis(100)));
        send("stubborn");
        Calls.Call call = handler.next();
        call.promise.setUncancellable();

        advance(1000);
        assertEquals("", outbound(channel), "closing: the handler has its close timeout to end");
        advance(100);
        assertEquals("UNAVAILABLE TimeoutException\n", outbound(channel));
        assertEquals(List.of(JobOutcome.ABANDONED), outcomes);
        assertEquals(1, call.request.refCnt(), "released while its handler still runs");
        assertEquals(1, reported.size());
        assertEquals("Job closing timed out", reported.get(0).message());

        ByteBuf late = buffer("too late");
        call.promise.setSuccess(late);
        assertEquals(0, call.request.refCnt(), "released once the handler finally ended");
        assertEquals(0, late.refCnt(), "a response nobody can use is released");
        assertServesTheNextRequest();
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void timedOutJob_isAnsweredInItsTurn_afterTheSlowerRequestBeforeIt() throws Exception {
        start(Scheduler.builder().jobTimeout(Duration.ofSeconds(5)));
        send("1");
        advance(2000);
        send("2");
        Calls.Call first = handler.next();
        Calls.Call second = handler.next();

        advance(3000); // the first job's deadline
        assertTrue(first.promise.isCancelled());
        assertFalse(second.promise.isDone());
        assertEquals("UNAVAILABLE TimeoutException\n", outbound(channel));
        second.respond("two");
        assertEquals("two\n", outbound(channel));
        assertServesTheNextRequest();
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void unordered_timedOutJob_isAnsweredAtOnce_aheadOfARunningOne() throws Exception {
        start(Scheduler.builder().jobTimeout(Duration.ofSeconds(1)),
                AtomicHandler.builder(ByteBuf.class, handler).protocol(protocol).ordered(false).build());
        send("slow");
        Calls.Call first = handler.next();
        advance(500);
        send("quick");
        Calls.Call second = handler.next();

        advance(500);
        assertTrue(first.promise.isCancelled());
        assertEquals("UNAVAILABLE TimeoutException\n", outbound(channel));
        second.respond("quick");
        assertEquals("quick\n", outbound(channel));
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void handlerFailingWithItsOwnTimeout_beforeTheJobTimeout_isAFailure_notUnavailable() throws Exception {
        start(Scheduler.builder().jobTimeout(Duration.ofSeconds(10)).pendingTimeout(Duration.ofSeconds(1)));
        try (LogCapture log = LogCapture.start()) {
            send("x");
            handler.next().promise.setFailure(new java.util.concurrent.TimeoutException("the handler's own deadline"));
            runTasks();

            assertEquals("FAILED TimeoutException\n", outbound(channel));
            assertEquals(1, log.warnings().size());
        }
        assertEquals(List.of(JobOutcome.FAILED), outcomes);
        assertEquals(List.of(), protocol.unavailable);
        assertServesTheNextRequest();
        assertFalse(channel.finishAndReleaseAll());
    }

    // ---- closed scheduler ----

    @Test
    void closedScheduler_withEveryLoadOption_stillGetsTheUnavailableAnswerWithTheRejection() {
        start(Scheduler.builder().limit(1).pendingLimit(1).rejectWhenFull(true)
                .pendingTimeout(Duration.ofSeconds(1)).jobTimeout(Duration.ofSeconds(1)));
        scheduler.close();
        runTasks();
        ByteBuf request = send("late");

        assertEquals("UNAVAILABLE RejectedExecutionException\n", outbound(channel));
        assertEquals(0, handler.count());
        assertEquals(0, request.refCnt());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void schedulerClosedWhileJobsWaitForTheirDeadlines_cancelsThem_andEachIsAnsweredOnce() throws Exception {
        start(Scheduler.builder().limit(1).pendingTimeout(Duration.ofSeconds(1)).jobTimeout(Duration.ofSeconds(1)));
        send("1");
        send("2");
        Calls.Call first = handler.next();

        scheduler.close();
        runTasks();
        assertTrue(first.promise.isCancelled());
        assertEquals(List.of("UNAVAILABLE CancellationException", "UNAVAILABLE CancellationException"),
                outboundLines(channel));
        advance(1000); // the deadlines' timers were cancelled: nothing more happens
        assertEquals("", outbound(channel));
        assertEquals(List.of(JobOutcome.CANCELLED, JobOutcome.CANCELLED), List.copyOf(outcomes));
        assertEquals(1, handler.count());
        assertFalse(channel.finishAndReleaseAll());
    }
}
