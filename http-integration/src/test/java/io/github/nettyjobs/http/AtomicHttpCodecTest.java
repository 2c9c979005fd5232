package io.github.nettyjobs.http;

import io.github.nettyjobs.Scheduler;
import io.github.nettyjobs.SchedulerGroup;
import io.github.nettyjobs.channel.AtomicHandler;
import io.github.nettyjobs.channel.JobsHandler;
import io.github.nettyjobs.testing.LogCapture;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static io.github.nettyjobs.http.Messages.bytes;
import static io.github.nettyjobs.http.Messages.outboundText;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The atomic handler behind Netty's {@link HttpServerCodec} and {@link HttpObjectAggregator}, fed
 * raw bytes: what a client sees on the wire, including what the codec and the aggregator reject.
 */
class AtomicHttpCodecTest {

    private static final int MAX_CONTENT_LENGTH = 64;

    private final ControlledHandler handler = new ControlledHandler();
    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final SchedulerGroup group = SchedulerGroup.create(channel.eventLoop(), Scheduler.builder());

    AtomicHttpCodecTest() {
        channel.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(MAX_CONTENT_LENGTH),
                new JobsHandler(group), HttpJobs.atomic(handler));
    }

    @AfterEach
    void closeScheduler() {
        group.close();
        channel.runPendingTasks();
        assertTrue(group.isClosed());
    }

    @Test
    void request_isAnsweredOnTheWire_withContentLength() throws Exception {
        channel.writeInbound(bytes("GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n"));
        handler.next().respond("hi");

        assertEquals("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nhi", outboundText(channel));
        assertTrue(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void pipelinedRequestsInOneRead_areAnsweredInOrder() throws Exception {
        channel.writeInbound(bytes("GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n"));
        ControlledHandler.Call first = handler.next();
        ControlledHandler.Call second = handler.next();
        assertEquals("/2", second.uri());
        second.respond("2");
        assertEquals("", outboundText(channel));
        first.respond("1");

        assertEquals("HTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\n1HTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\n2",
                outboundText(channel));
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void headRequest_getsHeadersWithoutBody() throws Exception {
        channel.writeInbound(bytes("HEAD /file HTTP/1.1\r\nHost: x\r\n\r\n"));
        handler.next().respond("");

        assertEquals("HTTP/1.1 200 OK\r\n\r\n", outboundText(channel));
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void malformedRequest_gives400_andClosesTheConnection() {
        channel.writeInbound(bytes("THIS IS NOT HTTP\r\n\r\n"));

        String response = outboundText(channel);
        assertTrue(response.startsWith("HTTP/1.1 400 Bad Request\r\n"), response);
        assertTrue(response.contains("connection: close\r\n"), response);
        assertTrue(response.contains("content-length: 16\r\n"), response);
        assertTrue(response.endsWith("\r\n\r\n400 Bad Request\n"), response);
        assertEquals(0, handler.count());
        assertFalse(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void tooLongRequestLine_gives414() {
        channel.writeInbound(bytes("GET /" + "a".repeat(5000) + " HTTP/1.1\r\n\r\n"));

        String response = outboundText(channel);
        assertTrue(response.startsWith("HTTP/1.1 414 Request-URI Too Long\r\n"), response);
        assertTrue(response.contains("connection: close\r\n"), response);
        assertFalse(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void tooLargeHeaders_give431() {
        channel.writeInbound(bytes("GET / HTTP/1.1\r\nX-Big: " + "b".repeat(9000) + "\r\n\r\n"));

        String response = outboundText(channel);
        assertTrue(response.startsWith("HTTP/1.1 431 Request Header Fields Too Large\r\n"), response);
        assertFalse(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void oversizedBodyWithContentLength_gives413_andTheConnectionGoesOn() throws Exception {
        channel.writeInbound(bytes("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n" + "x".repeat(100)
                + "GET /next HTTP/1.1\r\nHost: x\r\n\r\n"));

        String rejected = outboundText(channel);
        assertTrue(rejected.startsWith("HTTP/1.1 413 Request Entity Too Large\r\n"), rejected);
        ControlledHandler.Call next = handler.next();
        assertEquals("/next", next.uri());
        next.respond("ok");
        assertEquals("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok", outboundText(channel));
        assertEquals(1, handler.count());
        assertTrue(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void oversizedChunkedBody_gives413_andClosesTheConnection() {
        channel.writeInbound(bytes("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "50\r\n" + "y".repeat(80) + "\r\n0\r\n\r\n"));

        String response = outboundText(channel);
        assertTrue(response.startsWith("HTTP/1.1 413 Request Entity Too Large\r\n"), response);
        assertEquals(0, handler.count());
        assertFalse(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }

    // ---- HttpJobs.aggregator ----

    /** A channel like this class's, with {@link HttpJobs#aggregator(int)} instead of a plain aggregator. */
    private static EmbeddedChannel withJobsAggregator(SchedulerGroup group, ControlledHandler handler) {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline().addLast(new HttpServerCodec(), HttpJobs.aggregator(MAX_CONTENT_LENGTH),
                new JobsHandler(group), HttpJobs.atomic(handler));
        return channel;
    }

    private SchedulerGroup newGroup() {
        return SchedulerGroup.create(channel.eventLoop(), Scheduler.builder());
    }

    @Test
    void jobsAggregator_oversizedBody_gets413InRequestOrder_andClosesTheConnection() throws Exception {
        EmbeddedChannel pipelined = withJobsAggregator(newGroup(), handler);
        pipelined.writeInbound(bytes("GET /first HTTP/1.1\r\nHost: x\r\n\r\n"
                + "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n" + "x".repeat(100)
                + "GET /never HTTP/1.1\r\nHost: x\r\n\r\n"));
        assertEquals("", outboundText(pipelined), "the 413 overtook the answer to the first request");

        handler.next().respond("first");
        String answers = outboundText(pipelined);
        assertTrue(answers.startsWith("HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nfirst"
                + "HTTP/1.1 413 Request Entity Too Large\r\n"), answers);
        assertTrue(answers.contains("connection: close\r\n"), answers);
        assertEquals(1, handler.count(), "a job started for the oversized request or the one behind it");
        assertFalse(pipelined.isOpen());
        assertFalse(pipelined.finishAndReleaseAll());
    }

    @Test
    void jobsAggregator_expectContinueOverTheLimit_gets413_notContinue() {
        EmbeddedChannel expecting = withJobsAggregator(newGroup(), handler);
        expecting.writeInbound(bytes("POST /upload HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: "
                + "1000\r\n\r\n"));

        String response = outboundText(expecting);
        assertTrue(response.startsWith("HTTP/1.1 413 Request Entity Too Large\r\n"), response);
        assertEquals(0, handler.count());
        assertFalse(expecting.isOpen());
        assertFalse(expecting.finishAndReleaseAll());
    }

    @Test
    void handlerContentLengthThatIsNoNumber_isReplacedByTheContentsLength_withoutAWarning() throws Exception {
        try (LogCapture log = LogCapture.start()) {
            channel.writeInbound(bytes("GET /1 HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /2 HTTP/1.1\r\nHost: x\r\n\r\n"));
            FullHttpResponse abc = Messages.ok("first");
            abc.headers().set(HttpHeaderNames.CONTENT_LENGTH, "abc");
            handler.next().promise.setSuccess(abc);
            FullHttpResponse two = Messages.ok("second");
            two.headers().add(HttpHeaderNames.CONTENT_LENGTH, 1).add(HttpHeaderNames.CONTENT_LENGTH, 6);
            handler.next().promise.setSuccess(two);

            assertEquals("HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nfirst"
                    + "HTTP/1.1 200 OK\r\ncontent-length: 6\r\n\r\nsecond", outboundText(channel));
            assertEquals(List.of(), log.warnings());
        }
        assertTrue(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void jobsAggregator_continue_waitsForTheAnswerToAnEarlierRequest() throws Exception {
        EmbeddedChannel pipelined = withJobsAggregator(newGroup(), handler);
        pipelined.writeInbound(bytes("GET /first HTTP/1.1\r\nHost: x\r\n\r\n"
                + "POST /upload HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n"));
        ControlledHandler.Call first = handler.next();
        assertEquals("", outboundText(pipelined), "the 100 Continue overtook the answer to the first request");

        first.respond("first");
        assertEquals("HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nfirst"
                + "HTTP/1.1 100 Continue\r\n\r\n", outboundText(pipelined));
        pipelined.writeInbound(bytes("body"));
        ControlledHandler.Call upload = handler.next();
        assertEquals("body", upload.request.content().toString(StandardCharsets.US_ASCII));
        assertFalse(upload.request.headers().contains(HttpHeaderNames.EXPECT), "the expectation is met already");
        upload.respond("stored");
        assertEquals("HTTP/1.1 200 OK\r\ncontent-length: 6\r\n\r\nstored", outboundText(pipelined));
        assertTrue(pipelined.isOpen());
        assertFalse(pipelined.finishAndReleaseAll());
    }

    @Test
    void jobsAggregator_continue_goesOutAtOnceWhenNothingIsUnanswered() throws Exception {
        EmbeddedChannel expecting = withJobsAggregator(newGroup(), handler);
        expecting.writeInbound(bytes("POST /upload HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                + "Content-Length: 2\r\n\r\n"));
        assertEquals("HTTP/1.1 100 Continue\r\n\r\n", outboundText(expecting));
        expecting.writeInbound(bytes("ok"));
        handler.next().respond("done");
        assertEquals("HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\ndone", outboundText(expecting));
        assertFalse(expecting.finishAndReleaseAll());
    }

    @Test
    void jobsAggregator_unsupportedExpectation_gets417InRequestOrder_andClosesTheConnection() throws Exception {
        EmbeddedChannel pipelined = withJobsAggregator(newGroup(), handler);
        pipelined.writeInbound(bytes("GET /first HTTP/1.1\r\nHost: x\r\n\r\n"
                + "POST /upload HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\nContent-Length: 4\r\n\r\nbody"
                + "GET /never HTTP/1.1\r\nHost: x\r\n\r\n"));
        ControlledHandler.Call first = handler.next();
        assertEquals("", outboundText(pipelined), "the 417 overtook the answer to the first request");

        first.respond("first");
        String answers = outboundText(pipelined);
        assertTrue(answers.startsWith("HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nfirst"
                + "HTTP/1.1 417 Expectation Failed\r\n"), answers);
        assertTrue(answers.contains("connection: close\r\n"), answers);
        assertEquals(1, handler.count(), "a job started for the refused request or the one behind it");
        assertFalse(pipelined.isOpen());
        assertFalse(pipelined.finishAndReleaseAll());
    }

    @Test
    void jobsAggregator_requestBehindAnAnswerThatClosesInTheSameRead_isReleased() throws Exception {
        EmbeddedChannel pipelined = withJobsAggregator(newGroup(), handler);
        AsyncHttpHandler immediate = (ctx, request) -> ctx.executor().newSucceededFuture(Messages.ok("bye"));
        pipelined.pipeline().replace(AtomicHandler.class, null, HttpJobs.atomic(immediate));
        // The answer to the first request closes the channel while the codec is still decoding this
        // read; the aggregator's write of the second's 100 Continue fails, and its listener's close
        // tears the pipeline down (an embedded channel at once) in the middle of the aggregation.
        pipelined.writeInbound(bytes("GET /bye HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                + "POST /upload HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n"));

        String answers = outboundText(pipelined);
        assertTrue(answers.startsWith("HTTP/1.1 200 OK\r\n"), answers);
        assertTrue(answers.endsWith("\r\n\r\nbye"), "nothing behind the closing answer: " + answers);
        assertFalse(pipelined.isOpen());
        assertFalse(pipelined.finishAndReleaseAll()); // and the leak detector finds no aggregate left behind
    }

    @Test
    void clientVanishingMidBody_closesQuietly() {
        try (LogCapture log = LogCapture.start()) {
            channel.writeInbound(bytes("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\nonly a part"));
            channel.close();
            channel.runPendingTasks();
            assertEquals(List.of(), log.warnings());
        }
        channel.checkException(); // the aggregator's PrematureChannelClosureException stopped at the atomic handler
        assertEquals("", outboundText(channel));
        assertEquals(0, handler.count());
        assertFalse(channel.finishAndReleaseAll());
    }
}
