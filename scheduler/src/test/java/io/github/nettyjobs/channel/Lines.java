package io.github.nettyjobs.channel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Buffers for the line-protocol tests: direct buffers of Netty's unpooled allocator, which the leak
 * detector tracks (unlike wrapped arrays), so a buffer nettyjobs forgets to release is reported, and
 * which are never recycled, so a released one keeps reporting a reference count of 0. A pooled
 * buffer's object goes back to its thread's recycler when released, and the next allocation may take
 * it: its {@code refCnt()} then reads 1 again, the count of that other buffer.
 */
final class Lines {

    private static final ByteBufAllocator UNPOOLED = UnpooledByteBufAllocator.DEFAULT;

    private Lines() {
    }

    /** {@code text} as a new tracked buffer. */
    static ByteBuf buffer(String text) {
        ByteBuf buffer = UNPOOLED.directBuffer(ByteBufUtil.utf8Bytes(text));
        ByteBufUtil.writeUtf8(buffer, text);
        return buffer;
    }

    /** The readable bytes of {@code buffer} as text; the buffer is not released. */
    static String text(ByteBuf buffer) {
        return buffer.toString(StandardCharsets.UTF_8);
    }

    /** Everything written to {@code channel} so far, as text, each buffer released. */
    static String outbound(EmbeddedChannel channel) {
        StringBuilder text = new StringBuilder();
        for (Object message; (message = channel.readOutbound()) != null; ) {
            try {
                text.append(text((ByteBuf) message));
            } finally {
                ReferenceCountUtil.release(message);
            }
        }
        return text.toString();
    }

    /** The lines written to {@code channel} so far, each buffer released. */
    static List<String> outboundLines(EmbeddedChannel channel) {
        List<String> lines = new ArrayList<>();
        String all = outbound(channel);
        for (String line : all.split("\n", -1)) {
            if (!line.isEmpty()) {
                lines.add(line);
            }
        }
        return lines;
    }
}
