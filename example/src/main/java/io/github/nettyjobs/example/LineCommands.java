package io.github.nettyjobs.example;

import io.github.nettyjobs.SchedulerGroup;
import io.github.nettyjobs.channel.AsyncHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The commands of the example's line protocol, each run as an atomic job:
 * <ul>
 *   <li>{@code SLEEP <seconds>}: answers {@code SLEPT <seconds>} that much later;</li>
 *   <li>{@code BLOCK <ms>}: a blocking call of that many milliseconds, run off the loop by
 *       {@code spawnBlocking} in the blocking scheduler, then {@code BLOCKED <ms>};</li>
 *   <li>{@code ECHO <text>}: answers the text;</li>
 *   <li>{@code JOBS}: the schedulers' counts, on one line;</li>
 *   <li>{@code HELP}: the commands; {@code QUIT}: {@code BYE}, and the connection closes.</li>
 * </ul>
 * Anything else is answered {@code ERR ...}, and the connection goes on. {@code SLEEP} is long
 * work: it runs in the long scheduler, as {@code GET /atomic} does, and is answered as the protocol
 * answers an unavailable server ({@code BUSY ...}) when that scheduler refuses it or cuts it short.
 * Stateless, so one instance serves every connection.
 */
final class LineCommands implements AsyncHandler<LineCommand, String> {

    static final String HELP = "COMMANDS SLEEP <seconds> | BLOCK <ms> | ECHO <text> | JOBS | HELP | QUIT";

    private final SchedulerGroup requests;
    private final SchedulerGroup longWork;
    private final SchedulerGroup background;
    private final SchedulerGroup blocking;
    private final Activity activity;
    private final AtomicInteger sleepNames = new AtomicInteger();
    private final AtomicInteger blockNames = new AtomicInteger();

    LineCommands(SchedulerGroup requests, SchedulerGroup longWork, SchedulerGroup background, SchedulerGroup blocking,
                 Activity activity) {
        this.requests = requests;
        this.longWork = longWork;
        this.background = background;
        this.blocking = blocking;
        this.activity = activity;
    }

    @Override
    public Future<String> handle(ChannelHandlerContext ctx, LineCommand command) {
        EventExecutor executor = ctx.executor();
        switch (command.verb) {
            case "SLEEP":
                return sleep(ctx, command);
            case "BLOCK":
                return block(ctx, command);
            case "ECHO":
                return executor.newSucceededFuture(command.argument);
            case "JOBS":
                return executor.newSucceededFuture("JOBS background " + background.activeCount() + " active "
                        + background.pendingCount() + " pending, requests " + requests.activeCount() + " active "
                        + requests.pendingCount() + " pending, long " + longWork.activeCount() + " active "
                        + longWork.pendingCount() + " pending, blocking " + blocking.activeCount() + " active "
                        + blocking.pendingCount() + " pending");
            case "HELP":
                return executor.newSucceededFuture(HELP);
            case "QUIT":
                return executor.newSucceededFuture("BYE");
            default:
                return executor.newSucceededFuture("ERR unknown command " + command.verb + " (try HELP)");
        }
    }

    /** {@code BLOCKED n} after a blocking call of {@code n} ms, a job of the blocking scheduler of this loop. */
    private Future<String> block(ChannelHandlerContext ctx, LineCommand command) {
        long millis;
        try {
            millis = Long.parseLong(command.argument);
        } catch (NumberFormatException e) {
            millis = -1;
        }
        if (millis < 0 || millis > Routes.MAX_MILLIS) {
            return ctx.executor().newSucceededFuture("ERR BLOCK takes whole milliseconds from 0 to "
                    + Routes.MAX_MILLIS);
        }
        long blocked = millis;
        return LongWork.runBlocking(ctx.executor(), blocking.schedulerFor(ctx.channel().eventLoop()),
                "block command " + blockNames.incrementAndGet(), () -> Routes.blockFor(blocked), activity,
                () -> "BLOCKED " + blocked, cause -> LineProtocol.INSTANCE.unavailableResponse(ctx, command, cause));
    }

    /** {@code SLEPT n} after {@code n} seconds, as a job of the long scheduler of the connection's loop. */
    private Future<String> sleep(ChannelHandlerContext ctx, LineCommand command) {
        EventExecutor executor = ctx.executor();
        int seconds;
        try {
            seconds = Integer.parseInt(command.argument);
        } catch (NumberFormatException e) {
            seconds = -1;
        }
        if (seconds < 0 || seconds > Routes.MAX_SECONDS) {
            return executor.newSucceededFuture("ERR SLEEP takes whole seconds from 0 to " + Routes.MAX_SECONDS);
        }
        int slept = seconds;
        EventLoop loop = ctx.channel().eventLoop();
        return LongWork.run(executor, longWork.schedulerFor(loop), "sleep command " + sleepNames.incrementAndGet(),
                () -> Routes.sleep(loop, slept, null), activity, () -> "SLEPT " + slept,
                cause -> LineProtocol.INSTANCE.unavailableResponse(ctx, command, cause));
    }
}
