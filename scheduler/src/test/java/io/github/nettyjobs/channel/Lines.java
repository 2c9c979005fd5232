package io.github.nettyjobs.channel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Buffers for the line-protocol tests, from Netty's default allocator, whose buffers the leak
 * detector tracks (unlike wrapped arrays), so a buffer nettyjobs forgets to release is reported.
 */
final class Lines {

    private Lines() {
    }

    /** {@code text} as a new tracked buffer. */
    static ByteBuf buffer(String text) {
        return ByteBufUtil.writeUtf8(ByteBufAllocator.DEFAULT, text);
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
