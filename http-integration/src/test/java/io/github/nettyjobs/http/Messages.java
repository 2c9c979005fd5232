package io.github.nettyjobs.http;

import io.github.nettyjobs.testing.LeakDetectionExtension;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
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
 * HTTP messages for the tests, with content from Netty's default allocator, whose buffers the leak
 * detector tracks (unlike {@code Unpooled.EMPTY_BUFFER}, wrapped arrays or unpooled heap buffers), so
 * a message nettyjobs forgets to release is reported by {@link LeakDetectionExtension}.
 */
final class Messages {

    private Messages() {
    }

    static FullHttpRequest get(String uri) {
        return request(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
    }

    static FullHttpRequest request(HttpVersion version, HttpMethod method, String uri) {
        return new DefaultFullHttpRequest(version, method, uri, ByteBufAllocator.DEFAULT.heapBuffer(0));
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
        ByteBuf content = ByteBufUtil.writeUtf8(ByteBufAllocator.DEFAULT, body);
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
        ByteBuf content = ByteBufUtil.writeUtf8(ByteBufAllocator.DEFAULT, body);
        return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
    }

    static String body(FullHttpResponse response) {
        return response.content().toString(StandardCharsets.UTF_8);
    }

    static ByteBuf bytes(String text) {
        return ByteBufUtil.writeAscii(ByteBufAllocator.DEFAULT, text);
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
