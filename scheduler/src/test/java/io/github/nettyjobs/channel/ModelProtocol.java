package io.github.nettyjobs.channel;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;

/**
 * The protocol of {@link AtomicHandlerModelTest}: a request is a line {@code "<id> <KIND>"}, and
 * every answer names the request it belongs to, so that the model can tell which answer went out.
 * A line with a byte below {@code 0x08} is undecodable; {@code LAST} is the last request; a
 * response starting with {@code BYE} closes the connection.
 */
final class ModelProtocol implements AtomicProtocol<ByteBuf, ByteBuf> {

    private final boolean nullFailure;

    ModelProtocol(boolean nullFailure) {
        this.nullFailure = nullFailure;
    }

    /** The id at the start of a request line. */
    static int id(ByteBuf request) {
        String line = Lines.text(request);
        int space = line.indexOf(' ');
        return Integer.parseInt(space < 0 ? line : line.substring(0, space));
    }

    @Override
    public ByteBuf failureResponse(ChannelHandlerContext ctx, ByteBuf request, Throwable cause) {
        return nullFailure ? null : Lines.buffer("FAILED " + id(request));
    }

    @Override
    public ByteBuf unavailableResponse(ChannelHandlerContext ctx, ByteBuf request, Throwable cause) {
        return Lines.buffer("UNAVAILABLE " + id(request));
    }

    @Override
    public Throwable decodeFailure(ByteBuf request) {
        for (int i = request.readerIndex(); i < request.writerIndex(); i++) {
            if (request.getByte(i) < 0x08) {
                return new IllegalArgumentException("undecodable byte");
            }
        }
        return null;
    }

    @Override
    public ByteBuf malformedResponse(ChannelHandlerContext ctx, ByteBuf request, Throwable cause) {
        return Lines.buffer("MALFORMED " + id(request));
    }

    @Override
    public boolean closesConnection(ByteBuf request, ByteBuf response) {
        return Lines.text(response).startsWith("BYE");
    }

    @Override
    public boolean isLastRequest(ByteBuf request) {
        return Lines.text(request).endsWith(" LAST");
    }

    @Override
    public ByteBuf prepare(ByteBuf request, ByteBuf response) {
        return response.writeByte('\n');
    }
}
