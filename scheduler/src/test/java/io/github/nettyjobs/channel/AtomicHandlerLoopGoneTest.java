package io.github.nettyjobs.channel;

import io.github.nettyjobs.Scheduler;
import io.github.nettyjobs.SchedulerGroup;
import io.github.nettyjobs.testing.EventLoops;
import io.github.nettyjobs.testing.LeakDetectionExtension;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.ImmediateEventExecutor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.github.nettyjobs.channel.Lines.buffer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An atomic handler whose event loop has terminated while one of its jobs, on another loop, is
 * still to come: nobody will write its answer, and nothing it holds may leak.
 */
@ExtendWith(LeakDetectionExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AtomicHandlerLoopGoneTest {

    @RegisterExtension
    static final EventLoops LOOPS = new EventLoops();

    @Test
    void jobEndingInsideItsSpawn_afterTheChannelsLoopTerminated_releasesTheRequestAndTheResponse() throws Exception {
        EventLoop channelLoop = LOOPS.newLoop();
        EventLoopGroup jobLoop = LOOPS.newGroup(1);
        SchedulerGroup group = SchedulerGroup.create(jobLoop, Scheduler.builder());
        CountDownLatch schedulerLoopHeld = new CountDownLatch(1);
        jobLoop.execute(() -> awaitQuietly(schedulerLoopHeld)); // the spawn waits behind this
        ByteBuf response = buffer("answer");
        AtomicInteger calls = new AtomicInteger();
        AtomicHandler<ByteBuf, ByteBuf> atomic = AtomicHandler.builder(ByteBuf.class, (ctx, request) -> {
            calls.incrementAndGet();
            return ImmediateEventExecutor.INSTANCE.newSucceededFuture(response); // ends inside its spawn
        }).build();
        EmbeddedChannel channel = new EmbeddedChannel(new JobsHandler(group));
        channel.pipeline().addLast(channelLoop, "atomic", atomic);
        channelLoop.submit(() -> null).get(5, TimeUnit.SECONDS); // handlerAdded ran

        ByteBuf request = buffer("request");
        channel.writeInbound(request);
        channelLoop.submit(() -> null).get(5, TimeUnit.SECONDS); // channelRead handed the spawn over
        EventLoops.shutDown(channelLoop);
        assertTrue(channelLoop.isTerminated());
        schedulerLoopHeld.countDown();
        jobLoop.submit(() -> null).get(5, TimeUnit.SECONDS); // the spawn ran, and the job ended inside it

        assertEquals(1, calls.get());
        assertEquals(0, request.refCnt(), "the request leaked");
        assertEquals(0, response.refCnt(), "the response leaked");
        assertTrue(group.close().await(5, TimeUnit.SECONDS));
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
