package io.github.nettyjobs.example;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.MessageToMessageDecoder;
import io.netty.handler.codec.TooLongFrameException;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Turns the frames of a {@code LineBasedFrameDecoder} into {@link LineCommand}s; per connection,
 * confined to its event loop. A line that is not UTF-8 text, or too long a line (which the frame
 * decoder reports as an exception), becomes an undecodable command, so that the atomic handler
 * answers it in order with the others.
 */
final class LineDecoder extends MessageToMessageDecoder<ByteBuf> {

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) {
        out.add(decode(frame));
    }

    private static LineCommand decode(ByteBuf frame) {
        String line;
        try {
            line = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(frame.nioBuffer()).toString();
        } catch (CharacterCodingException e) {
            return LineCommand.undecodable(new CorruptedFrameException("not UTF-8 text"));
        }
        for (int i = 0; i < line.length(); i++) {
            if (Character.isISOControl(line.charAt(i))) {
                return LineCommand.undecodable(new CorruptedFrameException("control character in the line"));
            }
        }
        return LineCommand.parse(line);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            ctx.fireChannelRead(LineCommand.undecodable(new TooLongFrameException("line too long")));
            return;
        }
        ctx.fireExceptionCaught(cause);
    }
}
