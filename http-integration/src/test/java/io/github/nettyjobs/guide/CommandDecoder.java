package io.github.nettyjobs.guide;

// tag::command-decoder[]
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Each line (framed by a LineBasedFrameDecoder) to a Command; a line that is not UTF-8 is undecodable. */
final class CommandDecoder extends MessageToMessageDecoder<ByteBuf> {

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf line, List<Object> out) {
        try {
            // A new CharsetDecoder reports malformed input instead of replacing it.
            out.add(Command.parse(StandardCharsets.UTF_8.newDecoder().decode(line.nioBuffer()).toString()));
        } catch (CharacterCodingException e) {
            out.add(Command.undecodable(e));
        }
    }
}
// end::command-decoder[]
