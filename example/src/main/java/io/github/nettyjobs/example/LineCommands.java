package io.github.nettyjobs.example;

import io.github.nettyjobs.SchedulerGroup;
import io.github.nettyjobs.channel.AsyncHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * The commands of the example's line protocol, each run as an atomic job:
 * <ul>
 *   <li>{@code SLEEP <seconds>}: answers {@code SLEPT <seconds>} that much later;</li>
 *   <li>{@code ECHO <text>}: answers the text;</li>
 *   <li>{@code JOBS}: the schedulers' counts, on one line;</li>
 *   <li>{@code HELP}: the commands; {@code QUIT}: {@code BYE}, and the connection closes.</li>
 * </ul>
 * Anything else is answered {@code ERR ...}, and the connection goes on. Stateless, so one instance
 * serves every connection.
 */
final class LineCommands implements AsyncHandler<LineCommand, String> {

    static final String HELP = "COMMANDS SLEEP <seconds> | ECHO <text> | JOBS | HELP | QUIT";

    private final SchedulerGroup requests;
    private final SchedulerGroup background;

    LineCommands(SchedulerGroup requests, SchedulerGroup background) {
        this.requests = requests;
        this.background = background;
    }

    @Override
    public Future<String> handle(ChannelHandlerContext ctx, LineCommand command) {
        EventExecutor executor = ctx.executor();
        switch (command.verb) {
            case "SLEEP":
                return sleep(executor, command.argument);
            case "ECHO":
                return executor.newSucceededFuture(command.argument);
            case "JOBS":
                return executor.newSucceededFuture("JOBS background " + background.activeCount() + " active "
                        + background.pendingCount() + " pending, requests " + requests.activeCount() + " active "
                        + requests.pendingCount() + " pending");
            case "HELP":
                return executor.newSucceededFuture(HELP);
            case "QUIT":
                return executor.newSucceededFuture("BYE");
            default:
                return executor.newSucceededFuture("ERR unknown command " + command.verb + " (try HELP)");
        }
    }

    /** {@code SLEPT n} after {@code n} seconds; cancelling the future (the scheduler closing) stops the timer. */
    private static Future<String> sleep(EventExecutor executor, String argument) {
        int seconds;
        try {
            seconds = Integer.parseInt(argument);
        } catch (NumberFormatException e) {
            seconds = -1;
        }
        if (seconds < 0 || seconds > Routes.MAX_SECONDS) {
            return executor.newSucceededFuture("ERR SLEEP takes whole seconds from 0 to " + Routes.MAX_SECONDS);
        }
        int slept = seconds;
        Promise<String> done = executor.newPromise();
        ScheduledFuture<?> timer = executor.schedule(() -> done.trySuccess("SLEPT " + slept), seconds, TimeUnit.SECONDS);
        done.addListener(f -> timer.cancel(false));
        return done;
    }
}
