package io.github.nettyjobs.http;

import io.github.nettyjobs.Scheduler;
import io.github.nettyjobs.channel.AtomicProtocol;
import io.github.nettyjobs.channel.JobsHandler;
import io.netty.channel.ChannelHandlerAdapter;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpContentException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link HttpJobs#protocol()} on its own: each answer, keep-alive and framing, and how a busy
 * scheduler ({@code 503} with {@code Retry-After}, kept alive) is told from one going away
 * ({@code 503}, closed). The scheduler options that refuse or shed work in a busy scheduler give
 * {@code RejectedExecutionException}s and cut-short jobs; here they are stood in for by the causes
 * themselves.
 */
class HttpProtocolTest {

    private final AtomicProtocol<FullHttpRequest, FullHttpResponse> protocol = HttpJobs.protocol();
    private final Probe probe = new Probe();
    private final EmbeddedChannel channel = new EmbeddedChannel(JobsHandler.perChannel(Scheduler.builder()), probe);

    /** A handler that only gives the test a context in the pipeline. */
    private static final class Probe extends ChannelHandlerAdapter {
        ChannelHandlerContext ctx;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }
    }

    @AfterEach
    void close() {
        assertFalse(channel.finishAndReleaseAll());
    }

    private static String header(FullHttpResponse response, CharSequence name) {
        return response.headers().get(name);
    }

    /** {@code response} as the atomic handler would write it: prepared; then released. */
    private FullHttpResponse prepared(FullHttpRequest request, FullHttpResponse response) {
        FullHttpResponse prepared = protocol.prepare(request, response);
        assertSame(response, prepared);
        return prepared;
    }

    @Test
    void busyScheduler_refusal_gives503WithRetryAfter_andKeepsTheConnection() {
        FullHttpRequest request = Messages.get("/");
        FullHttpResponse response = prepared(request,
                protocol.unavailableResponse(probe.ctx, request,
                        new RejectedExecutionException("the pending queue is full")));
        try {
            assertEquals(HttpResponseStatus.SERVICE_UNAVAILABLE, response.status());
            assertEquals("1", header(response, HttpHeaderNames.RETRY_AFTER));
            assertNull(header(response, HttpHeaderNames.CONNECTION));
            assertFalse(protocol.closesConnection(request, response));
        } finally {
            response.release();
            request.release();
        }
    }

    @Test
    void busyScheduler_droppedOrTimedOutOrClosedJob_gives503WithRetryAfter() {
        for (Throwable cause : new Throwable[] {new TimeoutException("dropped"), new CancellationException()}) {
            FullHttpRequest request = Messages.get("/");
            FullHttpResponse response = prepared(request, protocol.unavailableResponse(probe.ctx, request, cause));
            try {
                assertEquals("1", header(response, HttpHeaderNames.RETRY_AFTER), cause.toString());
                assertFalse(protocol.closesConnection(request, response), cause.toString());
            } finally {
                response.release();
                request.release();
            }
        }
    }

    @Test
    void closedScheduler_gives503_andClosesTheConnection() {
        channel.close(); // closes the per-channel scheduler
        channel.runPendingTasks();
        FullHttpRequest request = Messages.get("/");
        FullHttpResponse response = prepared(request,
                protocol.unavailableResponse(probe.ctx, request, new RejectedExecutionException("closed")));
        try {
            assertEquals(HttpResponseStatus.SERVICE_UNAVAILABLE, response.status());
            assertEquals("close", header(response, HttpHeaderNames.CONNECTION));
            assertNull(header(response, HttpHeaderNames.RETRY_AFTER));
            assertTrue(protocol.closesConnection(request, response));
        } finally {
            response.release();
            request.release();
        }
    }

    @Test
    void failure_gives500_keptAlive() {
        FullHttpRequest request = Messages.get("/");
        FullHttpResponse response = prepared(request,
                protocol.failureResponse(probe.ctx, request, new TimeoutException()));
        try {
            assertEquals(HttpResponseStatus.INTERNAL_SERVER_ERROR, response.status());
            assertEquals("500 Internal Server Error\n", Messages.body(response));
            assertEquals("26", header(response, HttpHeaderNames.CONTENT_LENGTH));
            assertFalse(protocol.closesConnection(request, response));
        } finally {
            response.release();
            request.release();
        }
    }

    @Test
    void decodingFailures_getTheirStatus_andClose() {
        Object[][] cases = {
                {new IllegalArgumentException("bad"), HttpResponseStatus.BAD_REQUEST},
                {new TooLongHttpLineException("line"), HttpResponseStatus.REQUEST_URI_TOO_LONG},
                {new TooLongHttpHeaderException("headers"), HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE},
                {new TooLongHttpContentException("body"), HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE},
        };
        for (Object[] c : cases) {
            FullHttpRequest request = Messages.get("/");
            request.setDecoderResult(DecoderResult.failure((Throwable) c[0]));
            Throwable cause = protocol.decodeFailure(request);
            assertSame(c[0], cause);
            FullHttpResponse response = prepared(request, protocol.malformedResponse(probe.ctx, request, cause));
            try {
                assertEquals(c[1], response.status());
                assertEquals("close", header(response, HttpHeaderNames.CONNECTION));
                assertTrue(protocol.closesConnection(request, response));
            } finally {
                response.release();
                request.release();
            }
        }
    }

    @Test
    void clientGoneMidRequest_getsNoAnswer() {
        FullHttpRequest request = Messages.get("/");
        try {
            assertNull(protocol.malformedResponse(probe.ctx, request, new PrematureChannelClosureException("gone")));
            assertNull(protocol.decodeFailure(request), "a decoded request is not malformed");
        } finally {
            request.release();
        }
    }

    @Test
    void keepAlive_followsTheRequest_andHttp10IsToldItIsKept() {
        FullHttpRequest closing = Messages.get("/");
        closing.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        FullHttpRequest http10 = Messages.request(HttpVersion.HTTP_1_0, HttpMethod.GET, "/");
        FullHttpRequest http10KeepAlive = Messages.request(HttpVersion.HTTP_1_0, HttpMethod.GET, "/");
        http10KeepAlive.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        try {
            assertTrue(protocol.isLastRequest(closing));
            assertTrue(protocol.isLastRequest(http10));
            assertFalse(protocol.isLastRequest(http10KeepAlive));
            FullHttpResponse kept = prepared(http10KeepAlive, Messages.ok("x"));
            assertEquals("keep-alive", header(kept, HttpHeaderNames.CONNECTION));
            kept.release();
            FullHttpResponse closed = prepared(http10, Messages.ok("x"));
            assertEquals("close", header(closed, HttpHeaderNames.CONNECTION));
            assertTrue(protocol.closesConnection(http10, closed));
            closed.release();
        } finally {
            closing.release();
            http10.release();
            http10KeepAlive.release();
        }
    }

    @Test
    void contentLength_isSetFromTheContent_exceptWhereHttpSaysOtherwise() {
        FullHttpRequest get = Messages.get("/");
        FullHttpRequest head = Messages.request(HttpVersion.HTTP_1_1, HttpMethod.HEAD, "/");
        try {
            FullHttpResponse wrong = Messages.ok("four");
            wrong.headers().set(HttpHeaderNames.CONTENT_LENGTH, 99);
            assertEquals("4", header(prepared(get, wrong), HttpHeaderNames.CONTENT_LENGTH));
            wrong.release();

            FullHttpResponse headResponse = Messages.ok("");
            headResponse.headers().set(HttpHeaderNames.CONTENT_LENGTH, 42);
            assertEquals("42", header(prepared(head, headResponse), HttpHeaderNames.CONTENT_LENGTH));
            headResponse.release();

            for (HttpResponseStatus status
                    : new HttpResponseStatus[] {HttpResponseStatus.NO_CONTENT, HttpResponseStatus.CONTINUE}) {
                FullHttpResponse none = Messages.response(status, "");
                none.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
                assertFalse(prepared(get, none).headers().contains(HttpHeaderNames.CONTENT_LENGTH), status.toString());
                none.release();
            }

            FullHttpResponse notModified = Messages.response(HttpResponseStatus.NOT_MODIFIED, "");
            notModified.headers().set(HttpHeaderNames.CONTENT_LENGTH, 1234);
            assertEquals("1234", header(prepared(get, notModified), HttpHeaderNames.CONTENT_LENGTH));
            notModified.release();
        } finally {
            get.release();
            head.release();
        }
    }

    @Test
    void contentLength_isTheContentsLength_whateverTheHandlerSet() {
        FullHttpRequest get = Messages.get("/");
        FullHttpRequest head = Messages.request(HttpVersion.HTTP_1_1, HttpMethod.HEAD, "/");
        try {
            FullHttpResponse noNumber = Messages.ok("four");
            noNumber.headers().set(HttpHeaderNames.CONTENT_LENGTH, "abc");
            assertEquals(List.of("4"), prepared(get, noNumber).headers().getAll(HttpHeaderNames.CONTENT_LENGTH));
            noNumber.release();

            FullHttpResponse twoValues = Messages.ok("four");
            twoValues.headers().add(HttpHeaderNames.CONTENT_LENGTH, 4).add(HttpHeaderNames.CONTENT_LENGTH, 9);
            assertEquals(List.of("4"), prepared(get, twoValues).headers().getAll(HttpHeaderNames.CONTENT_LENGTH));
            twoValues.release();

            for (String invalid : new String[] {"abc", "-1", "", "99999999999999999999"}) {
                FullHttpResponse headResponse = Messages.ok("");
                headResponse.headers().set(HttpHeaderNames.CONTENT_LENGTH, invalid);
                assertFalse(prepared(head, headResponse).headers().contains(HttpHeaderNames.CONTENT_LENGTH), invalid);
                headResponse.release();
            }
            FullHttpResponse headTwoValues = Messages.ok("");
            headTwoValues.headers().add(HttpHeaderNames.CONTENT_LENGTH, 4).add(HttpHeaderNames.CONTENT_LENGTH, 4);
            assertFalse(prepared(head, headTwoValues).headers().contains(HttpHeaderNames.CONTENT_LENGTH));
            headTwoValues.release();

            FullHttpResponse chunked = Messages.ok("four");
            chunked.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            chunked.headers().set(HttpHeaderNames.CONTENT_LENGTH, 4);
            assertFalse(prepared(get, chunked).headers().contains(HttpHeaderNames.CONTENT_LENGTH));
            chunked.release();
        } finally {
            get.release();
            head.release();
        }
    }

    @Test
    void describe_isTheMethodAndTheUri() {
        FullHttpRequest request = Messages.request(HttpVersion.HTTP_1_1, HttpMethod.POST, "/jobs?x=1");
        try {
            assertEquals("POST /jobs?x=1", protocol.describe(request));
            assertEquals("HttpJobs.protocol()", protocol.toString());
            assertSame(protocol, HttpJobs.protocol());
        } finally {
            request.release();
        }
    }
}
