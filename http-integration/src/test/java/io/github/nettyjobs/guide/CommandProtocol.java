package io.github.nettyjobs.guide;

// tag::command-protocol[]
import io.github.nettyjobs.Scheduler;
import io.github.nettyjobs.channel.AtomicProtocol;
import io.github.nettyjobs.channel.ChannelJobs;
import io.netty.channel.ChannelHandlerContext;

/** The protocol's answers to what goes wrong, and its framing; stateless, so one instance serves all. */
final class CommandProtocol implements AtomicProtocol<Command, String> {

    static final CommandProtocol INSTANCE = new CommandProtocol();

    // The two methods every protocol implements.

    @Override
    public String failureResponse(ChannelHandlerContext ctx, Command request, Throwable cause) {
        return "ERR internal error";            // the handler threw or failed; the atomic handler logged it
    }

    @Override
    public String unavailableResponse(ChannelHandlerContext ctx, Command request, Throwable cause) {
        Scheduler scheduler = ChannelJobs.schedulerOrNull(ctx.channel());
        if (scheduler == null || scheduler.isClosed()) {
            return null;                        // the server is going away: close without answering
        }
        return "BUSY try again later";          // refused, timed out or dropped: only busy
    }

    // Defaults this protocol overrides.

    @Override
    public Throwable decodeFailure(Command request) {
        return request.undecodable();           // non-null: answered by malformedResponse, no job
    }

    @Override
    public String malformedResponse(ChannelHandlerContext ctx, Command request, Throwable cause) {
        return "ERR not UTF-8";                 // then the connection closes
    }

    @Override
    public boolean closesConnection(Command request, String response) {
        return request.verb().equals("QUIT");   // nothing pipelined behind a QUIT is processed
    }

    @Override
    public String prepare(Command request, String response) {
        return response + "\n";                 // every answer, the protocol's own included
    }

    @Override
    public String describe(Command request) {
        return request.verb();                  // for log lines: the argument may be private
    }
}
// end::command-protocol[]
