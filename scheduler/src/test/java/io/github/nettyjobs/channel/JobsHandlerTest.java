package io.github.nettyjobs.channel;

import io.github.nettyjobs.Job;
import io.github.nettyjobs.Scheduler;
import io.github.nettyjobs.SchedulerGroup;
import io.github.nettyjobs.testing.EventLoops;
import io.github.nettyjobs.testing.LeakDetectionExtension;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipelineException;
import io.netty.channel.DefaultChannelId;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

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

    @RegisterExtension
    static final EventLoops LOOPS = new EventLoops();

    @Test
    void constructors_rejectNull() {
        assertEquals("group", assertThrows(NullPointerException.class, () -> new JobsHandler(null)).getMessage());
        assertEquals("config", assertThrows(NullPointerException.class, () -> JobsHandler.perChannel(null))
                .getMessage());
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
    void groupHandler_onAParentOutsideTheGroup_givesEachChildOneOfTheGroupsSchedulers_spreadAndStable() {
        EventLoopGroup loops = LOOPS.newGroup(2);
        SchedulerGroup group = SchedulerGroup.create(loops, Scheduler.builder());
        EmbeddedChannel parent = new EmbeddedChannel(new JobsHandler(group));
        EmbeddedChannel first = new EmbeddedChannel(parent, DefaultChannelId.newInstance(), true, false);
        EmbeddedChannel second = new EmbeddedChannel(parent, DefaultChannelId.newInstance(), true, false);

        Scheduler ofFirst = ChannelJobs.schedulerOrNull(first);
        Scheduler ofSecond = ChannelJobs.schedulerOrNull(second);
        assertNotSame(ofFirst, ofSecond, "both children on one scheduler");
        assertTrue(List.of(group.schedulerFor(loops.next()), group.schedulerFor(loops.next())).containsAll(
                List.of(ofFirst, ofSecond)));
        assertSame(ofFirst, ChannelJobs.schedulerOrNull(first), "a child's scheduler changed between lookups");
        assertSame(ofSecond, ChannelJobs.schedulerOrNull(second));
        assertTrue(group.close().awaitUninterruptibly(5, TimeUnit.SECONDS));
        assertFalse(first.finishAndReleaseAll());
        assertFalse(second.finishAndReleaseAll());
        assertFalse(parent.finishAndReleaseAll());
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void groupHandler_onAServerChannel_withTheGroupOnOtherLoops_spreadsConnectionsOverTheGroup() throws Exception {
        EventLoopGroup boss = LOOPS.newNioGroup(1);
        EventLoopGroup workers = LOOPS.newNioGroup(1);
        EventLoopGroup jobLoops = LOOPS.newGroup(2);
        SchedulerGroup group = SchedulerGroup.create(jobLoops, Scheduler.builder());
        LinkedBlockingQueue<Channel> accepted = new LinkedBlockingQueue<>();
        Channel server = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .handler(new JobsHandler(group))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        accepted.add(ch);
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
        int port = ((InetSocketAddress) server.localAddress()).getPort();
        Set<Scheduler> used = new HashSet<>();
        try (Socket one = new Socket("127.0.0.1", port); Socket two = new Socket("127.0.0.1", port)) {
            for (int i = 0; i < 2; i++) {
                Channel child = accepted.poll(5, TimeUnit.SECONDS);
                assertNotNull(child, "no connection was accepted");
                Scheduler scheduler = ChannelJobs.schedulerOrNull(child);
                assertSame(scheduler, ChannelJobs.schedulerOrNull(child));
                assertTrue(scheduler.executor().parent() == jobLoops, "not one of the group's: " + scheduler);
                used.add(scheduler);
            }
        } finally {
            assertTrue(server.close().await(5, TimeUnit.SECONDS));
            assertTrue(group.close().await(5, TimeUnit.SECONDS));
            EventLoops.shutDown(boss);
            EventLoops.shutDown(workers);
            EventLoops.shutDown(jobLoops);
        }
        assertEquals(2, used.size(), "every connection on the server channel's one scheduler");
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
        assertTrue(failure.getCause().getMessage().contains("already has a JobsHandler"),
                failure.getCause().getMessage());

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
