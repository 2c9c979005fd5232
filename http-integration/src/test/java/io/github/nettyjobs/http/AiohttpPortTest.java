package io.github.nettyjobs.http;

import io.github.nettyjobs.Job;
import io.github.nettyjobs.Scheduler;
import io.github.nettyjobs.SchedulerGroup;
import io.github.nettyjobs.channel.ChannelJobs;
import io.github.nettyjobs.channel.JobsHandler;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * aiojobs' tests of its aiohttp integration (tests/test_aiohttp.py), ported to a real Netty server
 * and {@link HttpClient}. An aiohttp application maps to a pipeline, {@code setup(app)} to a
 * {@link JobsHandler}, the parent application to the server channel, and a sub-application to a
 * connection's pipeline under it.
 */
class AiohttpPortTest {

    private static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static HttpResponse<String> get(TestServer server, String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(server.uri(path)).timeout(Duration.ofSeconds(10)).build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** A plain (not atomic) handler: runs {@code action} on each request and answers 200 with its text. */
    private static SimpleChannelInboundHandler<FullHttpRequest> view(Function<ChannelHandlerContext, String> action) {
        return new SimpleChannelInboundHandler<FullHttpRequest>() {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
                ctx.writeAndFlush(Messages.okWithLength(action.apply(ctx)));
            }
        };
    }

    /** Runs {@code scheduler}'s exact counts on its loop. */
    private static int[] counts(Scheduler scheduler) throws Exception {
        return scheduler.executor().submit(() -> new int[]{scheduler.activeCount(), scheduler.pendingCount()})
                .get(5, TimeUnit.SECONDS);
    }

    // test_plugin
    @Test
    void plugin_jobSpawnedFromAHandler_isActive_andClosedWithTheServer() throws Exception {
        CompletableFuture<Job<Void>> spawned = new CompletableFuture<>();
        TestServer server = TestServer.start(JobsHandler.perChannel(Scheduler.builder()), pipeline ->
                pipeline.addLast(new SimpleChannelInboundHandler<FullHttpRequest>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
                        // The coroutine of the original sleeps 10 s: a future that no one completes.
                        Promise<Void> sleeping = ctx.executor().newPromise();
                        ChannelJobs.<Void>spawn(ctx, () -> sleeping).addListener(f -> {
                            @SuppressWarnings("unchecked")
                            Job<Void> job = (Job<Void>) f.getNow();
                            assertFalse(job.isClosed());
                            spawned.complete(job);
                            ctx.writeAndFlush(Messages.okWithLength(""));
                        });
                    }
                }));
        try {
            Scheduler scheduler = ChannelJobs.schedulerOrNull(server.serverChannel());
            assertEquals(200, get(server, "/").statusCode());
            Job<Void> job = spawned.get(5, TimeUnit.SECONDS);
            assertTrue(job.isActive());

            // client.close() of the original shuts the application down: here, the server channel.
            Future<Void> joined = job.join();
            assertTrue(server.serverChannel().close().await(5, TimeUnit.SECONDS));
            // The scheduler hears of the close when channelInactive runs, some time after the close
            // future completes: wait for what that close does to the job, not for loop turns.
            assertTrue(joined.await(5, TimeUnit.SECONDS), "the job ends when the server channel closes");
            assertTrue(joined.isCancelled(), joined.toString());
            assertTrue(scheduler.isClosed(), "the scheduler closes with the server channel");
            assertTrue(scheduler.close().await(5, TimeUnit.SECONDS)); // the same close, now finishing
            assertTrue(job.isClosed());
        } finally {
            server.close();
        }
    }

    // test_no_setup
    @Test
    void noSetup_schedulerThrows_andTheHandlerStillAnswers() throws Exception {
        CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        try (TestServer server = TestServer.start(null, pipeline -> pipeline.addLast(view(ctx -> {
            try {
                ChannelJobs.scheduler(ctx);
                thrown.complete(null);
            } catch (IllegalStateException expected) {
                thrown.complete(expected);
            }
            return "";
        })))) {
            assertEquals(200, get(server, "/").statusCode());
            assertTrue(thrown.get(5, TimeUnit.SECONDS) instanceof IllegalStateException);
        }
    }

    // test_atomic
    @Test
    void atomic_answers_andLeavesNoJobBehind() throws Exception {
        try (TestServer server = new TestServer()) {
            SchedulerGroup jobs = SchedulerGroup.create(server.workers(), Scheduler.builder());
            server.bind(new JobsHandler(jobs), pipeline -> pipeline.addLast(HttpJobs.atomic((ctx, request) -> {
                // asyncio.sleep(0): answer one loop turn later.
                Promise<FullHttpResponse> response = ctx.executor().newPromise();
                ctx.executor().execute(() -> response.setSuccess(Messages.ok("")));
                return response;
            })));

            assertEquals(200, get(server, "/").statusCode());
            for (Scheduler scheduler : jobs) {
                assertEquals(0, counts(scheduler)[0], "active");
                assertEquals(0, counts(scheduler)[1], "pending");
            }
            assertTrue(jobs.waitAndClose().await(5, TimeUnit.SECONDS));
        }
    }

    // test_atomic_from_view
    @Test
    void atomicView_answersWithTheRequestMethod() throws Exception {
        /** A class-based view: one method per HTTP method, the whole view atomic. */
        final class MyView implements AsyncHttpHandler {
            @Override
            public Future<FullHttpResponse> handle(ChannelHandlerContext ctx, FullHttpRequest request) {
                if (HttpMethod.GET.equals(request.method())) {
                    return ctx.executor().newSucceededFuture(get(request));
                }
                return ctx.executor().newSucceededFuture(Messages.response(HttpResponseStatus.METHOD_NOT_ALLOWED, ""));
            }

            private FullHttpResponse get(FullHttpRequest request) {
                return Messages.ok(request.method().name());
            }
        }
        try (TestServer server = TestServer.start(JobsHandler.perChannel(Scheduler.builder()),
                pipeline -> pipeline.addLast(HttpJobs.atomic(new MyView())))) {
            HttpResponse<String> response = get(server, "/");
            assertEquals(200, response.statusCode());
            assertEquals("GET", response.body());
            Scheduler scheduler = ChannelJobs.schedulerOrNull(server.serverChannel());
            assertEquals(0, counts(scheduler)[0]);
            assertEquals(0, counts(scheduler)[1]);
        }
    }

    // test_nested_application
    @Test
    void nestedApplication_connectionWithoutJobsHandler_usesTheServersScheduler() throws Exception {
        CompletableFuture<Scheduler> seen = new CompletableFuture<>();
        try (TestServer server = TestServer.start(JobsHandler.perChannel(Scheduler.builder()),
                pipeline -> pipeline.addLast(view(ctx -> {
                    seen.complete(ChannelJobs.schedulerOrNull(ctx.channel()));
                    return "";
                })))) {
            assertEquals(200, get(server, "/sub/").statusCode());
            assertSame(ChannelJobs.schedulerOrNull(server.serverChannel()), seen.get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void nestedApplication_withAGroup_connectionGetsTheSchedulerOfItsOwnLoop() throws Exception {
        CompletableFuture<Channel> connection = new CompletableFuture<>();
        CompletableFuture<Scheduler> seen = new CompletableFuture<>();
        try (TestServer server = new TestServer()) {
            SchedulerGroup jobs = SchedulerGroup.create(server.workers(), Scheduler.builder());
            server.bind(new JobsHandler(jobs), pipeline -> pipeline.addLast(view(ctx -> {
                connection.complete(ctx.channel());
                seen.complete(ChannelJobs.schedulerOrNull(ctx.channel()));
                return "";
            })));

            assertEquals(200, get(server, "/sub/").statusCode());
            Channel child = connection.get(5, TimeUnit.SECONDS);
            assertSame(jobs.schedulerFor(child.eventLoop()), seen.get(5, TimeUnit.SECONDS));
            assertNotSame(server.serverChannel().eventLoop(), child.eventLoop(),
                    "the server channel is on another loop");
            // Deregistration follows the close some loop turns later: wait for the event itself.
            CompletableFuture<Void> unregistered = new CompletableFuture<>();
            child.eventLoop().submit(() -> {
                if (!child.isRegistered()) {
                    unregistered.complete(null); // the client closed it first
                    return;
                }
                child.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelUnregistered(ChannelHandlerContext ctx) {
                        unregistered.complete(null);
                        ctx.fireChannelUnregistered();
                    }
                });
            }).get(5, TimeUnit.SECONDS);
            assertTrue(child.close().await(5, TimeUnit.SECONDS));
            unregistered.get(5, TimeUnit.SECONDS);
            assertFalse(child.isRegistered());
            assertSame(jobs.schedulerFor(child.eventLoop()), ChannelJobs.schedulerOrNull(child),
                    "closed, still the same");
            jobs.close();
        }
    }

    // test_nested_application_separate_scheduler
    @Test
    void nestedApplication_connectionWithItsOwnJobsHandler_usesItsOwn() throws Exception {
        CompletableFuture<Channel> connection = new CompletableFuture<>();
        CompletableFuture<Scheduler> seen = new CompletableFuture<>();
        try (TestServer server = TestServer.start(JobsHandler.perChannel(Scheduler.builder()), pipeline -> {
            pipeline.addLast(JobsHandler.perChannel(Scheduler.builder()));
            pipeline.addLast(view(ctx -> {
                connection.complete(ctx.channel());
                seen.complete(ChannelJobs.schedulerOrNull(ctx.channel()));
                return "";
            }));
        })) {
            assertEquals(200, get(server, "/sub/").statusCode());
            Scheduler own = seen.get(5, TimeUnit.SECONDS);
            assertNotNull(own);
            assertNotSame(ChannelJobs.schedulerOrNull(server.serverChannel()), own);
            assertSame(connection.get(5, TimeUnit.SECONDS).eventLoop(), own.executor());
        }
    }

    // test_nested_application_not_set
    @Test
    void nestedApplication_noJobsHandlerAnywhere_noScheduler() throws Exception {
        CompletableFuture<Boolean> none = new CompletableFuture<>();
        try (TestServer server = TestServer.start(null, pipeline -> pipeline.addLast(view(ctx -> {
            none.complete(ChannelJobs.schedulerOrNull(ctx.channel()) == null);
            return "";
        })))) {
            assertEquals(200, get(server, "/sub/").statusCode());
            assertTrue(none.get(5, TimeUnit.SECONDS));
        }
    }
}
