package io.github.nettyjobs.channel;

import io.github.nettyjobs.ExceptionContext;
import io.github.nettyjobs.Job;
import io.github.nettyjobs.JobOutcome;
import io.github.nettyjobs.Scheduler;
import io.github.nettyjobs.SchedulerGroup;
import io.github.nettyjobs.SchedulerListener;
import io.github.nettyjobs.testing.EmbeddedChannels;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An {@link EmbeddedChannel} whose loop also runs a shared scheduler (a {@link SchedulerGroup} over
 * that loop, bound by a {@link JobsHandler} in the pipeline), with mock time: {@code freezeTime}, so
 * only {@code advanceTimeBy} moves it, and the scheduler's timers with it. What the scheduler
 * reports to its exception handler and the outcome of every job that ends are recorded.
 *
 * <p>Registered as an extension ({@code @RegisterExtension}), it closes the group after each test,
 * runs what the closing queued, and fails the test if the group did not close. The HTTP module's
 * tests use it too (the scheduler's test jar holds it).
 */
public final class FrozenJobsChannel implements AfterEachCallback {

    private final List<ExceptionContext> reported = new CopyOnWriteArrayList<>();
    private final List<JobOutcome> outcomes = new CopyOnWriteArrayList<>();
    private EmbeddedChannel channel;
    private SchedulerGroup group;

    /** Opens the channel: the {@link JobsHandler}, then {@code handlers}; the scheduler built from {@code config}. */
    public EmbeddedChannel open(Scheduler.Builder config, ChannelHandler... handlers) {
        return open(List.of(), config, List.of(handlers));
    }

    /**
     * Opens the channel with {@code decoder} in front of the {@link JobsHandler}, then {@code handlers},
     * on a scheduler built from {@code config}.
     */
    public EmbeddedChannel open(ChannelHandler decoder, Scheduler.Builder config, ChannelHandler... handlers) {
        return open(List.of(decoder), config, List.of(handlers));
    }

    private EmbeddedChannel open(List<ChannelHandler> before, Scheduler.Builder config, List<ChannelHandler> after) {
        channel = new EmbeddedChannel();
        channel.freezeTime();
        group = SchedulerGroup.create(channel.eventLoop(),
                config.exceptionHandler((s, context) -> reported.add(context)).listener(new SchedulerListener() {
                    @Override
                    public void jobEnded(Job<?> job, JobOutcome outcome, long queuedNanos, long runNanos) {
                        outcomes.add(outcome);
                    }
                }));
        List<ChannelHandler> pipeline = new ArrayList<>(before);
        pipeline.add(new JobsHandler(group));
        pipeline.addAll(after);
        channel.pipeline().addLast(pipeline.toArray(ChannelHandler[]::new));
        return channel;
    }

    /** The scheduler of the channel's loop. */
    public Scheduler scheduler() {
        return group.schedulerFor(channel.eventLoop());
    }

    /** What the scheduler reported to its exception handler, in order. */
    public List<ExceptionContext> reported() {
        return reported;
    }

    /** The outcomes of the jobs that ended, in order. */
    public List<JobOutcome> outcomes() {
        return outcomes;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (group != null) {
            group.close();
            EmbeddedChannels.runUntilQuiet(channel);
            assertTrue(group.isClosed(), "the scheduler group closed");
        }
    }
}
