package io.github.nettyjobs.channel;

import io.github.nettyjobs.Scheduler;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;

/**
 * What a {@link JobsHandler} stored on its channel: the channel's scheduler and the pipeline entry
 * that bound it. Immutable; written on the channel's loop, read from any thread.
 */
final class ChannelBinding {

    final JobsHandler handler;
    /** The context that bound the channel: only it may close a per-channel scheduler. */
    final ChannelHandlerContext owner;
    final Scheduler scheduler;

    ChannelBinding(JobsHandler handler, ChannelHandlerContext owner, Scheduler scheduler) {
        this.handler = handler;
        this.owner = owner;
        this.scheduler = scheduler;
    }

    /** The scheduler that serves {@code descendant}, a child (or grandchild) of the bound channel. */
    Scheduler schedulerForDescendant(Channel descendant) {
        return handler.schedulerForDescendant(descendant, scheduler);
    }

    @Override
    public String toString() {
        return "ChannelBinding{" + owner.name() + " -> " + scheduler + '}';
    }
}
