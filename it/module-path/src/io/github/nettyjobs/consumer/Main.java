package io.github.nettyjobs.consumer;

import io.github.nettyjobs.CompletionStages;
import io.github.nettyjobs.Job;
import io.github.nettyjobs.Scheduler;
import io.github.nettyjobs.http.HttpJobs;
import io.netty.channel.ChannelHandler;
import io.netty.channel.DefaultEventLoop;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.Version;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Spawns and joins a job, and builds an HTTP handler, with every jar on the module path. */
public final class Main {

    private Main() {
    }

    /**
     * Runs the checks; exits with status 1 if one fails.
     *
     * @param args ignored
     * @throws Exception if the job cannot run
     */
    public static void main(String[] args) throws Exception {
        expectModule(Scheduler.class, "io.github.nettyjobs");
        expectModule(HttpJobs.class, "io.github.nettyjobs.http");
        DefaultEventLoop loop = new DefaultEventLoop();
        try {
            Scheduler scheduler = Scheduler.create(loop);
            Job<String> job = CompletionStages.<String>spawn(scheduler,
                    () -> CompletableFuture.supplyAsync(() -> "hello")).get(5, TimeUnit.SECONDS);
            String result = CompletionStages.join(job).get(5, TimeUnit.SECONDS);
            expect("hello".equals(result), "job result: " + result);
            ChannelHandler handler = HttpJobs.atomic((ctx, request) -> ctx.executor().newSucceededFuture(
                    new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK)));
            expect(handler != null, "no atomic handler");
            scheduler.close().get(5, TimeUnit.SECONDS);
        } finally {
            loop.shutdownGracefully(0, 0, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        }
        String netty = Version.identify().get("netty-common").artifactVersion();
        System.out.println("module-path consumer: ok (" + Scheduler.class.getModule().getName() + ", "
                + HttpJobs.class.getModule().getName() + ", netty " + netty + ", java "
                + Runtime.version() + ")");
    }

    private static void expectModule(Class<?> type, String name) {
        Module module = type.getModule();
        expect(module.isNamed() && name.equals(module.getName()),
                type.getName() + " is in " + module + ", expected module " + name);
    }

    private static void expect(boolean condition, String message) {
        if (!condition) {
            System.err.println("module-path consumer: FAILED: " + message);
            System.exit(1);
        }
    }
}
