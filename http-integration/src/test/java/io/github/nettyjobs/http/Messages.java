package io.github.nettyjobs.http;

import io.github.nettyjobs.testing.LeakDetectionExtension;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * HTTP messages for the tests, with content in direct buffers of Netty's unpooled allocator: the leak
 * detector tracks them (unlike {@code Unpooled.EMPTY_BUFFER}, wrapped arrays or unpooled heap buffers),
 * so a message nettyjobs forgets to release is reported by {@link LeakDetectionExtension}; and they are
 * never recycled, so a released message keeps reporting a reference count of 0 (a pooled buffer's object
 * may be handed out again, and read 1, by the next allocation).
 */
final class Messages {

    /** Makes direct buffers, tracked by the leak detector and never recycled. */
    static final ByteBufAllocator UNPOOLED = UnpooledByteBufAllocator.DEFAULT;

    private Messages() {
    }

    static FullHttpRequest get(String uri) {
        return request(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
    }

    static FullHttpRequest request(HttpVersion version, HttpMethod method, String uri) {
        return new DefaultFullHttpRequest(version, method, uri, UNPOOLED.directBuffer(0));
    }

    static FullHttpResponse ok(String body) {
        return response(HttpResponseStatus.OK, body);
    }

    /** For handlers that write responses themselves, without the atomic handler to frame them. */
    static FullHttpResponse okWithLength(String body) {
        FullHttpResponse response = ok(body);
        HttpUtil.setContentLength(response, response.content().readableBytes());
        return response;
    }

    /**
     * A {@code 200} response that completes {@code released} when its last reference goes: a test
     * waits for that event instead of for loop turns.
     */
    static FullHttpResponse okObservingRelease(String body, CompletableFuture<Void> released) {
        ByteBuf content = ByteBufUtil.writeUtf8(UNPOOLED, body);
        return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, content) {
            @Override
            public boolean release() {
                return completeIf(super.release());
            }

            @Override
            public boolean release(int decrement) {
                return completeIf(super.release(decrement));
            }

            private boolean completeIf(boolean deallocated) {
                if (deallocated) {
                    released.complete(null);
                }
                return deallocated;
            }
        };
    }

    static FullHttpResponse response(HttpResponseStatus status, String body) {
        ByteBuf content = ByteBufUtil.writeUtf8(UNPOOLED, body);
        return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
    }

    /** The next response the channel wrote; fails the test if there is none. */
    static FullHttpResponse readResponse(EmbeddedChannel channel) {
        FullHttpResponse response = channel.readOutbound();
        if (response == null) {
            throw new AssertionError("no response was written");
        }
        return response;
    }

    static String body(FullHttpResponse response) {
        return response.content().toString(StandardCharsets.UTF_8);
    }

    static ByteBuf bytes(String text) {
        return ByteBufUtil.writeAscii(UNPOOLED, text);
    }

    /** Everything the channel wrote as bytes (through a codec), as text; the buffers are released. */
    static String outboundText(EmbeddedChannel channel) {
        StringBuilder text = new StringBuilder();
        for (Object message; (message = channel.readOutbound()) != null; ) {
            try {
                text.append(((ByteBuf) message).toString(StandardCharsets.US_ASCII));
            } finally {
                ReferenceCountUtil.release(message);
            }
        }
        return text.toString();
    }
}
