package io.github.nettyjobs.example;

import io.github.nettyjobs.Scheduler;
import io.github.nettyjobs.channel.AtomicProtocol;
import io.github.nettyjobs.channel.ChannelJobs;
import io.netty.channel.ChannelHandlerContext;

/**
 * The answers of the example's line protocol: one line per request, errors as {@code ERR ...}
 * lines, {@code BUSY} while the scheduler is busy, and {@code QUIT} as the last request.
 * Stateless, so one instance serves every connection.
 */
final class LineProtocol implements AtomicProtocol<LineCommand, String> {

    static final LineProtocol INSTANCE = new LineProtocol();

    static final String SHUTTING_DOWN = "ERR shutting down";

    private LineProtocol() {
    }

    @Override
    public String failureResponse(ChannelHandlerContext ctx, LineCommand request, Throwable cause) {
        return "ERR internal error";
    }

    /**
     * {@code BUSY} while the server only has too much to do; {@value #SHUTTING_DOWN}, and the end of the connection,
     * once it is going away.
     */
    @Override
    public String unavailableResponse(ChannelHandlerContext ctx, LineCommand request, Throwable cause) {
        Scheduler scheduler = ChannelJobs.schedulerOrNull(ctx.channel());
        return scheduler == null || scheduler.isClosed() ? SHUTTING_DOWN : "BUSY try again later";
    }

    @Override
    public Throwable decodeFailure(LineCommand request) {
        return request.problem;
    }

    /** {@code ERR} and what is wrong; the connection closes after it. */
    @Override
    public String malformedResponse(ChannelHandlerContext ctx, LineCommand request, Throwable cause) {
        return "ERR " + cause.getMessage();
    }

    @Override
    public boolean isLastRequest(LineCommand request) {
        return request.verb.equals("QUIT");
    }

    @Override
    public boolean closesConnection(LineCommand request, String response) {
        return response.equals(SHUTTING_DOWN);
    }

    /** Every answer is one line. */
    @Override
    public String prepare(LineCommand request, String response) {
        return response + "\n";
    }

    @Override
    public String describe(LineCommand request) {
        return request.toString();
    }

    @Override
    public String toString() {
        return "LineProtocol";
    }
}
