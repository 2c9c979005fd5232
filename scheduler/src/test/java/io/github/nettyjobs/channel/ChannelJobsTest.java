package io.github.nettyjobs.channel;

import io.github.nettyjobs.Job;
import io.github.nettyjobs.Scheduler;
import io.github.nettyjobs.testing.LeakDetectionExtension;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerAdapter;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.DefaultChannelId;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.Callable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Finding a channel's scheduler (own, an ancestor's, none) and spawning or shielding through a context. */
@ExtendWith(LeakDetectionExtension.class)
class ChannelJobsTest {

    /** A handler that only gives the test a context in the pipeline. */
    private static final class Probe extends ChannelHandlerAdapter {
        ChannelHandlerContext ctx;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }
    }

    private static EmbeddedChannel child(EmbeddedChannel parent, ChannelHandler... handlers) {
        return new EmbeddedChannel(parent, DefaultChannelId.newInstance(), true, false, handlers);
    }

    @Test
    void nullArguments_areRejectedByName() {
        EmbeddedChannel channel = new EmbeddedChannel(JobsHandler.perChannel(Scheduler.builder()));
        ChannelHandlerContext ctx = channel.pipeline().firstContext();
        Callable<Future<Object>> task = () -> channel.eventLoop().newSucceededFuture(null);

        assertEquals("channel", assertThrows(NullPointerException.class, () -> ChannelJobs.schedulerOrNull(null))
                .getMessage());
        assertEquals("ctx", assertThrows(NullPointerException.class, () -> ChannelJobs.scheduler(null)).getMessage());
        assertEquals("task", assertThrows(NullPointerException.class, () -> ChannelJobs.spawn(ctx, null)).getMessage());
        assertEquals("name", assertThrows(NullPointerException.class, () -> ChannelJobs.spawn(ctx, null, task))
                .getMessage());
        assertEquals("task", assertThrows(NullPointerException.class, () -> ChannelJobs.spawn(ctx, "n", null))
                .getMessage());
        assertEquals("future", assertThrows(NullPointerException.class, () -> ChannelJobs.shield(ctx, null))
                .getMessage());
        assertEquals("ctx", assertThrows(NullPointerException.class, () -> ChannelJobs.spawn(null, task)).getMessage());
        assertEquals(0, ChannelJobs.schedulerOrNull(channel).size(), "nothing was spawned");
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void noJobsHandler_schedulerOrNullIsNull_andSchedulerSaysWhatToAdd() {
        Probe probe = new Probe();
        EmbeddedChannel channel = new EmbeddedChannel(probe);

        assertNull(ChannelJobs.schedulerOrNull(channel));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ChannelJobs.scheduler(probe.ctx));
        assertTrue(e.getMessage().contains("add a JobsHandler"), e.getMessage());
        assertThrows(IllegalStateException.class,
                () -> ChannelJobs.spawn(probe.ctx, () -> channel.eventLoop().newSucceededFuture(null)));
        assertFalse(channel.hasAttr(JobsHandler.BINDING), "looking must not create attributes");
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void childWithoutJobsHandler_usesItsParentsScheduler_andSoDoesAGrandchild() {
        EmbeddedChannel server = new EmbeddedChannel(JobsHandler.perChannel(Scheduler.builder()));
        EmbeddedChannel connection = child(server);
        EmbeddedChannel stream = child(connection);

        Scheduler serverScheduler = ChannelJobs.schedulerOrNull(server);
        assertSame(serverScheduler, ChannelJobs.schedulerOrNull(connection));
        assertSame(serverScheduler, ChannelJobs.schedulerOrNull(stream));
        assertFalse(stream.finishAndReleaseAll());
        assertFalse(connection.finishAndReleaseAll());
        assertFalse(server.finishAndReleaseAll());
    }

    @Test
    void childWithItsOwnJobsHandler_usesItsOwn_andItsChildrenToo() {
        EmbeddedChannel server = new EmbeddedChannel(JobsHandler.perChannel(Scheduler.builder()));
        EmbeddedChannel connection = child(server, JobsHandler.perChannel(Scheduler.builder()));
        EmbeddedChannel stream = child(connection);

        Scheduler own = ChannelJobs.schedulerOrNull(connection);
        assertTrue(own != ChannelJobs.schedulerOrNull(server));
        assertSame(own, ChannelJobs.schedulerOrNull(stream));
        assertFalse(stream.finishAndReleaseAll());
        assertFalse(connection.finishAndReleaseAll());
        assertFalse(server.finishAndReleaseAll());
    }

    @Test
    void parentClosingItsPerChannelScheduler_closesItForTheChildrenToo() {
        EmbeddedChannel server = new EmbeddedChannel(JobsHandler.perChannel(Scheduler.builder()));
        EmbeddedChannel connection = child(server);
        Scheduler scheduler = ChannelJobs.schedulerOrNull(connection);

        server.close();
        server.runPendingTasks();
        assertTrue(scheduler.isClosed());
        assertSame(scheduler, ChannelJobs.schedulerOrNull(connection));
        assertFalse(connection.finishAndReleaseAll());
        assertFalse(server.finishAndReleaseAll());
    }

    @Test
    void spawn_runsTheTaskOnTheChannelsScheduler_underTheGivenName() {
        Probe probe = new Probe();
        EmbeddedChannel channel = new EmbeddedChannel(JobsHandler.perChannel(Scheduler.builder()), probe);
        Promise<String> work = channel.eventLoop().newPromise();

        Job<String> job = ChannelJobs.<String>spawn(probe.ctx, "report", () -> work).getNow();
        assertEquals("report", job.name());
        assertSame(ChannelJobs.scheduler(probe.ctx), job.scheduler());
        assertTrue(job.isActive());
        Job<String> unnamed = ChannelJobs.<String>spawn(probe.ctx, () -> work).getNow();
        assertTrue(unnamed.name().startsWith("job-"), unnamed.name());

        work.setSuccess("done");
        assertTrue(job.isClosed());
        assertEquals("done", job.join().getNow());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void shield_isTrackedByTheChannelsScheduler_andSurvivesCancellation() {
        Probe probe = new Probe();
        EmbeddedChannel channel = new EmbeddedChannel(JobsHandler.perChannel(Scheduler.builder()), probe);
        Scheduler scheduler = ChannelJobs.scheduler(probe.ctx);
        Promise<String> important = channel.eventLoop().newPromise();

        Future<String> shielded = ChannelJobs.shield(probe.ctx, important);
        shielded.cancel(false);
        assertFalse(important.isDone());
        Future<Void> drained = scheduler.waitAndClose();
        channel.runPendingTasks();
        assertFalse(drained.isDone(), "waitAndClose waits for the shielded future");

        important.setSuccess("kept");
        channel.runPendingTasks();
        assertTrue(drained.isSuccess());
        assertFalse(channel.finishAndReleaseAll());
    }
}
