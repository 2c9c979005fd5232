package io.github.nettyjobs.micrometer;

import io.github.nettyjobs.Job;
import io.github.nettyjobs.Scheduler;
import io.github.nettyjobs.SchedulerListener;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * Loaded by {@link WithoutMicrometerTest} in a class loader without Micrometer: spawns a job with
 * every option of the core set, and closes. Public, so that the test can make one reflectively.
 */
public final class SpawnAndClose implements Callable<String> {

    @Override
    public String call() throws Exception {
        EventLoop loop = new DefaultEventLoop();
        try {
            Scheduler scheduler = Scheduler.builder().listener(new SchedulerListener() { })
                    .jobTimeout(Duration.ofSeconds(5)).pendingTimeout(Duration.ofSeconds(5))
                    .taskDecorator(start -> start).build(loop);
            Job<String> job = scheduler.spawn(() -> loop.newSucceededFuture("hello")).get(5, TimeUnit.SECONDS);
            String result = job.join().get(5, TimeUnit.SECONDS);
            scheduler.close().get(5, TimeUnit.SECONDS);
            return result + ", " + scheduler.size() + " jobs left, " + (scheduler.isClosed() ? "closed" : "open");
        } finally {
            loop.shutdownGracefully(0, 0, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        }
    }
}
