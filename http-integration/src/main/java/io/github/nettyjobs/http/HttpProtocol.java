package io.github.nettyjobs.http;

import io.github.nettyjobs.Scheduler;
import io.github.nettyjobs.channel.AtomicProtocol;
import io.github.nettyjobs.channel.ChannelJobs;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpContentException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * HTTP's answers, {@link HttpJobs#protocol()}: stateless, so one instance serves every connection
 * and thread. Keep-alive and lengths go through {@link HttpUtil}.
 */
final class HttpProtocol implements AtomicProtocol<FullHttpRequest, FullHttpResponse> {

    static final HttpProtocol INSTANCE = new HttpProtocol();

    /** The {@code Retry-After} of a {@code 503} from a busy scheduler, in seconds. */
    static final int RETRY_AFTER_SECONDS = 1;

    /** The digits of the longest {@code Content-Length} kept: any larger does not fit a {@code long}. */
    private static final int MAX_LENGTH_DIGITS = 18;

    private HttpProtocol() {
    }

    /** {@code 500 Internal Server Error}; the connection stays as the request asked. */
    @Override
    public FullHttpResponse failureResponse(ChannelHandlerContext ctx, FullHttpRequest request, Throwable cause) {
        return errorResponse(HttpResponseStatus.INTERNAL_SERVER_ERROR);
    }

    /**
     * {@code 503 Service Unavailable}. A scheduler that is closed (or gone with its loop) means the
     * server is going away: the connection closes. Otherwise the server is only busy (the job was
     * refused, dropped, timed out or closed on its own): {@code Retry-After}, and the connection
     * stays as the request asked.
     */
    @Override
    public FullHttpResponse unavailableResponse(ChannelHandlerContext ctx, FullHttpRequest request, Throwable cause) {
        FullHttpResponse response = errorResponse(HttpResponseStatus.SERVICE_UNAVAILABLE);
        if (isGoingAway(ChannelJobs.schedulerOrNull(ctx.channel()))) {
            HttpUtil.setKeepAlive(response, false);
        } else {
            response.headers().setInt(HttpHeaderNames.RETRY_AFTER, RETRY_AFTER_SECONDS);
        }
        return response;
    }

    private static boolean isGoingAway(Scheduler scheduler) {
        return scheduler == null || scheduler.isClosed() || scheduler.executor().isShuttingDown();
    }

    @Override
    public Throwable decodeFailure(FullHttpRequest request) {
        DecoderResult result = request.decoderResult();
        return result.isFailure() ? result.cause() : null;
    }

    /**
     * {@code 400 Bad Request}, or {@code 414}, {@code 431} and {@code 413} for too long a request
     * line, too large headers and too large a body, {@code 417} for an {@code Expect} that
     * {@link HttpJobs#aggregator(int)} cannot meet, with {@code Connection: close}. A client that
     * went away in the middle of its request gets nothing.
     */
    @Override
    public FullHttpResponse malformedResponse(ChannelHandlerContext ctx, FullHttpRequest request, Throwable cause) {
        if (cause instanceof PrematureChannelClosureException) {
            return null;
        }
        FullHttpResponse response = errorResponse(statusOf(cause));
        HttpUtil.setKeepAlive(response, false);
        return response;
    }

    private static HttpResponseStatus statusOf(Throwable decodingFailure) {
        if (decodingFailure instanceof TooLongHttpLineException) {
            return HttpResponseStatus.REQUEST_URI_TOO_LONG;
        }
        if (decodingFailure instanceof TooLongHttpHeaderException) {
            return HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
        }
        if (decodingFailure instanceof TooLongHttpContentException) {
            return HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE;
        }
        if (decodingFailure instanceof ExpectationFailedException) {
            return HttpResponseStatus.EXPECTATION_FAILED;
        }
        return HttpResponseStatus.BAD_REQUEST;
    }

    /**
     * {@code Connection: close}, or HTTP/1.0 without keep-alive: requests pipelined behind it are not processed (RFC
     * 9112, 9.6).
     */
    @Override
    public boolean isLastRequest(FullHttpRequest request) {
        return !HttpUtil.isKeepAlive(request);
    }

    /**
     * Whether the prepared response says {@code Connection: close}: {@link #prepare} already put
     * there what the request asked for.
     */
    @Override
    public boolean closesConnection(FullHttpRequest request, FullHttpResponse response) {
        return !HttpUtil.isKeepAlive(response);
    }

    /**
     * Keep-alive as both sides ask ({@code Connection: close} from either closes; an HTTP/1.0
     * client that asked for keep-alive is told it is kept), and {@code Content-Length} made the
     * content's length whatever the handler set (a value that is no number, or several values, would
     * leave the client unable to find the next response): none for {@code 1xx}, {@code 204} and a
     * chunked response, and for {@code HEAD} and {@code 304} the handler's own if it is one valid
     * length.
     */
    @Override
    public FullHttpResponse prepare(FullHttpRequest request, FullHttpResponse response) {
        if (HttpUtil.isKeepAlive(request) && HttpUtil.isKeepAlive(response)) {
            HttpUtil.setKeepAlive(response.headers(), request.protocolVersion(), true);
        } else {
            HttpUtil.setKeepAlive(response, false);
        }
        HttpHeaders headers = response.headers();
        int code = response.status().code();
        if (code < 200 || code == 204 || HttpUtil.isTransferEncodingChunked(response)) {
            // Never a body, never a length (RFC 9110, 8.6); never a length beside chunked (RFC 9112, 6.2).
            headers.remove(HttpHeaderNames.CONTENT_LENGTH);
        } else if (HttpMethod.HEAD.equals(request.method()) || code == 304) {
            // The length of the body a GET would get, which only the handler knows.
            if (!isOneValidLength(headers)) {
                headers.remove(HttpHeaderNames.CONTENT_LENGTH);
            }
        } else {
            headers.setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        }
        return response;
    }

    /** Whether the headers hold no {@code Content-Length}, or exactly one that is a length. */
    private static boolean isOneValidLength(HttpHeaders headers) {
        List<String> values = headers.getAll(HttpHeaderNames.CONTENT_LENGTH);
        if (values.isEmpty()) {
            return true;
        }
        if (values.size() > 1) {
            return false;
        }
        String value = values.get(0);
        if (value.isEmpty() || value.length() > MAX_LENGTH_DIGITS) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** {@code Connection: close}: a draining server's last answer on this connection. */
    @Override
    public FullHttpResponse lastResponse(ChannelHandlerContext ctx, FullHttpResponse response) {
        HttpUtil.setKeepAlive(response, false);
        return response;
    }

    /** The method and the URI; the atomic handler escapes them before they reach a log line. */
    @Override
    public String describe(FullHttpRequest request) {
        return request.method() + " " + request.uri();
    }

    /** A plain-text error answer whose body is its status line. */
    static FullHttpResponse errorResponse(HttpResponseStatus status) {
        byte[] body = (status + "\n").getBytes(StandardCharsets.US_ASCII);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN);
        return response;
    }

    @Override
    public String toString() {
        return "HttpJobs.protocol()";
    }
}
