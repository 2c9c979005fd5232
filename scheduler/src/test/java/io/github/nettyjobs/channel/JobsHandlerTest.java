package io.github.nettyjobs.channel;

import io.github.nettyjobs.Job;
import io.github.nettyjobs.Scheduler;
import io.github.nettyjobs.testing.LeakDetectionExtension;
import io.github.nettyjobs.SchedulerGroup;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipelineException;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.RejectedExecutionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Binding channels to schedulers: shared per-loop schedulers, per-channel ones, and their lifecycle. */
@ExtendWith(LeakDetectionExtension.class)
class JobsHandlerTest {

    @Test
    void constructors_rejectNull() {
        assertEquals("group", assertThrows(NullPointerException.class, () -> new JobsHandler(null)).getMessage());
        assertEquals("config", assertThrows(NullPointerException.class, () -> JobsHandler.perChannel(null)).getMessage());
    }

    @Test
    void bothModes_areSharable() {
        EmbeddedChannel channel = new EmbeddedChannel();
        SchedulerGroup group = SchedulerGroup.create(channel.eventLoop(), Scheduler.builder());

        assertTrue(new JobsHandler(group).isSharable());
        assertTrue(JobsHandler.perChannel(Scheduler.builder()).isSharable());
        group.close();
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void groupHandler_bindsTheChannelToTheSchedulerOfItsLoop() {
        EmbeddedChannel channel = new EmbeddedChannel();
        SchedulerGroup group = SchedulerGroup.create(channel.eventLoop(), Scheduler.builder());
        JobsHandler handler = new JobsHandler(group);
        channel.pipeline().addLast(handler);

        assertSame(group.schedulerFor(channel.eventLoop()), ChannelJobs.schedulerOrNull(channel));
        assertFalse(handler.isPerChannel());
        assertTrue(handler.toString().startsWith("JobsHandler{SchedulerGroup{"), handler.toString());

        channel.close();
        assertFalse(group.isClosed(), "the group belongs to whoever made it");
        group.close();
        channel.runPendingTasks();
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void groupHandler_onALoopOutsideTheGroup_bindsAnotherOfItsSchedulers() {
        EmbeddedChannel elsewhere = new EmbeddedChannel();
        SchedulerGroup group = SchedulerGroup.create(elsewhere.eventLoop(), Scheduler.builder());
        EmbeddedChannel channel = new EmbeddedChannel(new JobsHandler(group));

        assertSame(group.schedulerFor(elsewhere.eventLoop()), ChannelJobs.schedulerOrNull(channel));
        group.close();
        elsewhere.runPendingTasks();
        assertFalse(channel.finishAndReleaseAll());
        assertFalse(elsewhere.finishAndReleaseAll());
    }

    @Test
    void perChannel_keepsACopyOfItsConfiguration() {
        Scheduler.Builder config = Scheduler.builder().limit(7);
        JobsHandler handler = JobsHandler.perChannel(config);
        config.limit(1);
        EmbeddedChannel channel = new EmbeddedChannel(handler);

        assertEquals(7, ChannelJobs.schedulerOrNull(channel).limit());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void perChannel_givesEachChannelItsOwnScheduler_closedWhenTheChannelCloses() {
        JobsHandler handler = JobsHandler.perChannel(Scheduler.builder().limit(7));
        EmbeddedChannel first = new EmbeddedChannel(handler);
        EmbeddedChannel second = new EmbeddedChannel(handler);
        Scheduler firstScheduler = ChannelJobs.schedulerOrNull(first);
        Scheduler secondScheduler = ChannelJobs.schedulerOrNull(second);

        assertNotNull(firstScheduler);
        assertNotSame(firstScheduler, secondScheduler);
        assertSame(first.eventLoop(), firstScheduler.executor());
        assertEquals(7, firstScheduler.limit());
        assertTrue(handler.isPerChannel());

        first.close();
        first.runPendingTasks();
        assertTrue(firstScheduler.isClosed());
        assertFalse(secondScheduler.isClosed());
        assertFalse(first.finishAndReleaseAll());
        assertFalse(second.finishAndReleaseAll());
        second.runPendingTasks();
        assertTrue(secondScheduler.isClosed());
    }

    @Test
    void perChannel_closingTheChannel_cancelsItsJobs() {
        EmbeddedChannel channel = new EmbeddedChannel(JobsHandler.perChannel(Scheduler.builder()));
        Scheduler scheduler = ChannelJobs.schedulerOrNull(channel);
        Promise<String> work = channel.eventLoop().newPromise();
        Job<String> job = scheduler.<String>spawn(() -> work).getNow();
        assertTrue(job.isActive());

        channel.close();
        channel.runPendingTasks();
        assertTrue(work.isCancelled());
        assertTrue(job.isClosed());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void perChannel_removingTheHandler_closesTheScheduler_whichStaysBound() {
        JobsHandler handler = JobsHandler.perChannel(Scheduler.builder());
        EmbeddedChannel channel = new EmbeddedChannel(handler);
        Scheduler scheduler = ChannelJobs.schedulerOrNull(channel);

        channel.pipeline().remove(handler);
        channel.runPendingTasks();
        assertTrue(scheduler.isClosed());
        assertSame(scheduler, ChannelJobs.schedulerOrNull(channel), "a late spawn must not land elsewhere");
        Future<Job<Object>> late = scheduler.spawn(() -> channel.eventLoop().newSucceededFuture(null));
        assertTrue(late.cause() instanceof RejectedExecutionException);
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void perChannel_addedToAClosedChannel_closesItsSchedulerAtOnce() {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.close();
        channel.pipeline().addLast(JobsHandler.perChannel(Scheduler.builder()));
        channel.runPendingTasks();

        Scheduler scheduler = ChannelJobs.schedulerOrNull(channel);
        assertNotNull(scheduler);
        assertTrue(scheduler.isClosed());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void secondJobsHandler_inOnePipeline_isRejected_andTheFirstKeepsItsScheduler() {
        EmbeddedChannel channel = new EmbeddedChannel(JobsHandler.perChannel(Scheduler.builder()));
        Scheduler scheduler = ChannelJobs.schedulerOrNull(channel);

        channel.pipeline().addLast(JobsHandler.perChannel(Scheduler.builder()));
        ChannelPipelineException failure = assertThrows(ChannelPipelineException.class, channel::checkException);
        assertTrue(failure.getCause() instanceof IllegalStateException, String.valueOf(failure.getCause()));
        assertTrue(failure.getCause().getMessage().contains("already has a JobsHandler"), failure.getCause().getMessage());

        assertSame(scheduler, ChannelJobs.schedulerOrNull(channel));
        assertFalse(scheduler.isClosed(), "the rejected handler must not close the first one's scheduler");
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void jobsHandler_addedAfterTheFirstWasRemoved_replacesTheBinding() {
        JobsHandler first = JobsHandler.perChannel(Scheduler.builder());
        EmbeddedChannel channel = new EmbeddedChannel(first);
        Scheduler old = ChannelJobs.schedulerOrNull(channel);

        channel.pipeline().remove(first);
        channel.pipeline().addLast(JobsHandler.perChannel(Scheduler.builder()));
        channel.checkException();

        Scheduler replacement = ChannelJobs.schedulerOrNull(channel);
        assertNotSame(old, replacement);
        assertTrue(old.isClosed());
        assertFalse(replacement.isClosed());
        assertFalse(channel.finishAndReleaseAll());
        channel.runPendingTasks();
        assertTrue(replacement.isClosed());
    }

    @Test
    void jobsHandler_passesEveryEventOn() {
        EmbeddedChannel channel = new EmbeddedChannel(JobsHandler.perChannel(Scheduler.builder()));
        channel.writeInbound("message");
        assertEquals("message", channel.readInbound());

        boolean[] inactive = new boolean[1];
        ChannelHandler probe = new ChannelInboundHandlerAdapter() {
            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                inactive[0] = true;
            }
        };
        channel.pipeline().addLast(probe);
        channel.close();
        assertTrue(inactive[0]);
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void toString_namesTheMode() {
        assertTrue(JobsHandler.perChannel(Scheduler.builder()).toString().startsWith("JobsHandler{perChannel, "));
    }
}
