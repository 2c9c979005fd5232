package io.github.nettyjobs.channel;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;

import java.util.concurrent.CancellationException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The line protocol of the channel tests: requests and responses are lines in {@link ByteBuf}s
 * (tracked by the leak detector), the atomic handler's answers are words a test can read:
 * <ul>
 *   <li>a failure: {@code FAILED <exception's simple class name>};</li>
 *   <li>unavailable: {@code UNAVAILABLE <exception's simple class name>};</li>
 *   <li>a line with a byte below {@code 0x08} is undecodable: {@code MALFORMED} (other control
 *       characters, such as CR, are allowed, to test how they are logged);</li>
 *   <li>a response starting with {@code BYE} closes the connection; a request {@code LAST} is the last one;</li>
 *   <li>{@link #prepare} ends every response with {@code "\n"} and counts the calls.</li>
 * </ul>
 * Each answer can be switched to {@code null} ("close without answering"), or to throwing.
 */
class LineProtocol implements AtomicProtocol<ByteBuf, ByteBuf> {

    final AtomicInteger prepared = new AtomicInteger();
    volatile boolean nullFailure;
    volatile boolean nullUnavailable;
    volatile boolean nullMalformed;
    volatile boolean throwInPrepare;

    @Override
    public ByteBuf failureResponse(ChannelHandlerContext ctx, ByteBuf request, Throwable cause) {
        return nullFailure ? null : Lines.buffer("FAILED " + cause.getClass().getSimpleName());
    }

    @Override
    public ByteBuf unavailableResponse(ChannelHandlerContext ctx, ByteBuf request, Throwable cause) {
        // Netty's own cancellation exceptions are subclasses that differ between Netty 4.1 and 4.2, and
        // the scheduler refuses with a stackless subclass of RejectedExecutionException.
        String kind = cause instanceof CancellationException ? "CancellationException"
                : cause instanceof RejectedExecutionException ? "RejectedExecutionException"
                : cause.getClass().getSimpleName();
        return nullUnavailable ? null : Lines.buffer("UNAVAILABLE " + kind);
    }

    @Override
    public Throwable decodeFailure(ByteBuf request) {
        for (int i = request.readerIndex(); i < request.writerIndex(); i++) {
            if (request.getByte(i) < 0x08) {
                return new IllegalArgumentException("undecodable byte at " + (i - request.readerIndex()));
            }
        }
        return null;
    }

    @Override
    public ByteBuf malformedResponse(ChannelHandlerContext ctx, ByteBuf request, Throwable cause) {
        return nullMalformed ? null : Lines.buffer("MALFORMED");
    }

    @Override
    public boolean closesConnection(ByteBuf request, ByteBuf response) {
        return Lines.text(response).startsWith("BYE");
    }

    @Override
    public boolean isLastRequest(ByteBuf request) {
        return Lines.text(request).equals("LAST");
    }

    @Override
    public ByteBuf prepare(ByteBuf request, ByteBuf response) {
        prepared.incrementAndGet();
        if (throwInPrepare) {
            throw new IllegalStateException("prepare fails on purpose");
        }
        return response.writeByte('\n');
    }

    @Override
    public String describe(ByteBuf request) {
        return "line " + Lines.text(request);
    }
}
