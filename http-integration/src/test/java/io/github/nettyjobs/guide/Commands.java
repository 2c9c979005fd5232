package io.github.nettyjobs.guide;

// tag::commands[]
import io.github.nettyjobs.channel.AsyncHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

import java.util.concurrent.TimeUnit;

/** The work: each request's answer, as a future; called on the scheduler's loop, as a job. */
final class Commands implements AsyncHandler<Command, String> {

    @Override
    public Future<String> handle(ChannelHandlerContext ctx, Command request) {
        EventExecutor loop = ctx.executor();
        switch (request.verb()) {
            case "ECHO":
                return loop.newSucceededFuture(request.argument());
            case "SLEEP": {                     // answers later; the answers behind it wait their turn
                long millis = Long.parseLong(request.argument());   // not a number: failureResponse
                Promise<String> slept = loop.newPromise();
                loop.schedule(() -> slept.trySuccess("SLEPT " + millis), millis, TimeUnit.MILLISECONDS);
                return slept;
            }
            case "QUIT":
                return loop.newSucceededFuture("BYE");
            default:
                return loop.newSucceededFuture("ERR unknown command");
        }
    }
}
// end::commands[]
