package io.github.nettyjobs.channel;

import io.github.nettyjobs.Job;
import io.github.nettyjobs.Scheduler;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.Future;

import java.util.concurrent.Callable;

import static java.util.Objects.requireNonNull;

/**
 * Static helpers, callable from any thread, that find a channel's scheduler and spawn or shield on
 * it from channel handlers: the counterparts of aiojobs' aiohttp {@code get_scheduler},
 * {@code spawn} and {@code shield}, for any protocol.
 *
 * <p>A channel's scheduler is the one its own {@link JobsHandler} bound, else the one bound by the
 * nearest ancestor channel's (for an accepted connection, the server channel's; for an HTTP/2
 * stream, its connection's), else none.
 */
public final class ChannelJobs {

    private ChannelJobs() {
    }

    /**
     * The scheduler of {@code channel}: its own, else its nearest ancestor's, else {@code null}.
     *
     * @param channel the channel whose scheduler to find
     * @return the scheduler, which may be closed, or {@code null} if no {@code JobsHandler} serves the
     *         channel
     * @throws NullPointerException if {@code channel} is {@code null}
     */
    public static Scheduler schedulerOrNull(Channel channel) {
        ChannelBinding own = binding(requireNonNull(channel, "channel"));
        if (own != null) {
            return own.scheduler;
        }
        for (Channel ancestor = channel.parent(); ancestor != null; ancestor = ancestor.parent()) {
            ChannelBinding binding = binding(ancestor);
            if (binding != null) {
                return binding.schedulerForDescendant(channel);
            }
        }
        return null;
    }

    private static ChannelBinding binding(Channel channel) {
        // hasAttr first: attr() would create an empty attribute on every channel looked at.
        return channel.hasAttr(JobsHandler.BINDING) ? channel.attr(JobsHandler.BINDING).get() : null;
    }

    /**
     * The scheduler of {@code ctx}'s channel, as {@link #schedulerOrNull(Channel)}.
     *
     * @param ctx a context of the channel's pipeline, such as the calling handler's
     * @return the scheduler, never {@code null}; it may be closed
     * @throws NullPointerException  if {@code ctx} is {@code null}
     * @throws IllegalStateException if neither the channel nor an ancestor has a {@link JobsHandler}
     */
    public static Scheduler scheduler(ChannelHandlerContext ctx) {
        Channel channel = requireNonNull(ctx, "ctx").channel();
        Scheduler scheduler = schedulerOrNull(channel);
        if (scheduler == null) {
            throw new IllegalStateException(noSchedulerMessage(channel));
        }
        return scheduler;
    }

    static String noSchedulerMessage(Channel channel) {
        return "No nettyjobs scheduler for " + channel
                + ": add a JobsHandler to its pipeline, or to a parent channel (ServerBootstrap.handler(...))";
    }

    /**
     * Spawns {@code task} as a job of the channel's scheduler under a default name.
     *
     * @param ctx  a context of the channel's pipeline, such as the calling handler's
     * @param task called on the scheduler's event loop when the job starts
     * @param <T>  the type of the job's result
     * @return what {@link Scheduler#spawn(Callable)} returns
     * @see Scheduler#spawn(Callable)
     * @throws NullPointerException  if an argument is {@code null}
     * @throws IllegalStateException if the channel has no scheduler
     */
    public static <T> Future<Job<T>> spawn(ChannelHandlerContext ctx, Callable<? extends Future<T>> task) {
        requireNonNull(task, "task");
        return scheduler(ctx).spawn(task);
    }

    /**
     * Spawns {@code task} as a job named {@code name} of the channel's scheduler.
     *
     * @param ctx  a context of the channel's pipeline, such as the calling handler's
     * @param name the job's name
     * @param task called on the scheduler's event loop when the job starts
     * @param <T>  the type of the job's result
     * @return what {@link Scheduler#spawn(String, Callable)} returns
     * @see Scheduler#spawn(String, Callable)
     * @throws NullPointerException  if an argument is {@code null}
     * @throws IllegalStateException if the channel has no scheduler
     */
    public static <T> Future<Job<T>> spawn(ChannelHandlerContext ctx, String name, Callable<? extends Future<T>> task) {
        requireNonNull(name, "name");
        requireNonNull(task, "task");
        return scheduler(ctx).spawn(name, task);
    }

    /**
     * Shields {@code future} with the channel's scheduler: cancelling the returned future never
     * cancels {@code future}, and the scheduler's {@code waitAndClose()} waits for it.
     *
     * @param ctx    a context of the channel's pipeline, such as the calling handler's
     * @param future the future to shield
     * @param <T>    the type of the future's result
     * @return what {@link Scheduler#shield(Future)} returns
     * @see Scheduler#shield(Future)
     * @throws NullPointerException  if an argument is {@code null}
     * @throws IllegalStateException if the channel has no scheduler
     */
    public static <T> Future<T> shield(ChannelHandlerContext ctx, Future<T> future) {
        requireNonNull(future, "future");
        return scheduler(ctx).shield(future);
    }
}
