package io.github.nettyjobs.guide;

import io.github.nettyjobs.Job;
import io.github.nettyjobs.Scheduler;
import io.github.nettyjobs.SchedulerGroup;
import io.github.nettyjobs.channel.JobsHandler;
import io.github.nettyjobs.http.AsyncHttpHandler;
import io.github.nettyjobs.http.HttpJobs;
import io.github.nettyjobs.testing.EventLoops;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import static io.netty.handler.codec.http.HttpResponseStatus.NOT_FOUND;
import static io.netty.handler.codec.http.HttpResponseStatus.OK;
import static io.netty.handler.codec.http.HttpResponseStatus.SERVICE_UNAVAILABLE;
import static io.netty.handler.codec.http.HttpVersion.HTTP_1_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The section of {@code docs/channel-integration.md} on keeping cheap routes (health checks, metrics)
 * off a busy request scheduler: the page shows both ways exactly as run here, and while slow work
 * fills its schedulers, {@code /health} still answers at once on both.
 */
@Timeout(30)
class CheapRoutesTest {

    @RegisterExtension
    static final EventLoops LOOPS = new EventLoops();

    private static final HttpClient client = HttpClient.newHttpClient();
    /** A permit for each report begun: the slow work, which never ends in this test. */
    private final Semaphore reportsBegun = new Semaphore(0);

    static FullHttpResponse text(ChannelHandlerContext ctx, HttpResponseStatus status, String body) {
        return new DefaultFullHttpResponse(HTTP_1_1, status, ByteBufUtil.writeUtf8(ctx.alloc(), body));
    }

    private Future<String> buildReport(EventExecutor loop) {
        reportsBegun.release();
        return loop.newPromise();
    }

    @Test
    void guide_showsBothWaysVerbatim() throws Exception {
        assertEquals(List.of("slow-work-elsewhere", "admin-port"),
                GuideSnippets.assertShown(GuideSnippets.CHANNEL_GUIDE, "CheapRoutesTest.java"));
    }

    @Test
    void slowWorkInASchedulerOfItsOwn_leavesTheRequestSchedulerFreeForHealthChecks() throws Exception {
        EventLoopGroup boss = LOOPS.newNioGroup(1);
        EventLoopGroup workers = LOOPS.newNioGroup(1);
        // tag::slow-work-elsewhere[]
        SchedulerGroup slowWork = SchedulerGroup.create(workers, Scheduler.builder()
                .limit(2).pendingLimit(2).rejectWhenFull(true));   // at most 4 requests wait for slow work
        SchedulerGroup requests = SchedulerGroup.create(workers, Scheduler.builder()
                .limit(100));                                      // far more than 4: room for cheap routes
        AsyncHttpHandler routes = (ctx, request) -> {
            if (request.uri().equals("/health")) {
                return ctx.executor().newSucceededFuture(text(ctx, OK, "ok"));
            }
            // The request's job waits for the slow work, which runs as a job of the slow scheduler.
            Scheduler slow = slowWork.schedulerFor(ctx.channel().eventLoop());
            Promise<FullHttpResponse> answer = ctx.executor().newPromise();
            slow.<String>spawn("report", () -> buildReport(ctx.executor())).addListener(spawned -> {
                if (!spawned.isSuccess()) {
                    answer.setSuccess(text(ctx, SERVICE_UNAVAILABLE, "busy"));   // full: refused at once
                    return;
                }
                @SuppressWarnings("unchecked")
                Future<String> report = ((Job<String>) spawned.getNow()).join();
                report.addListener(done -> answer.setSuccess(report.isSuccess()
                        ? text(ctx, OK, report.getNow()) : text(ctx, SERVICE_UNAVAILABLE, "busy")));
            });
            return answer;
        };
        // end::slow-work-elsewhere[]
        Channel server = bind(boss, workers, requests, routes);
        try {
            String base = "http://127.0.0.1:" + port(server);
            List<CompletableFuture<HttpResponse<String>>> slowOnes = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                slowOnes.add(sendAsync(base + "/report"));        // each on a connection of its own
            }
            awaitReports(2);                                      // the slow scheduler's limit is reached
            HttpResponse<String> health = send(base + "/health");
            assertEquals(200, health.statusCode());
            assertEquals("ok", health.body());
            slowOnes.forEach(response -> assertFalse(response.isDone()));
        } finally {
            server.close().sync();
            slowWork.close().sync();
            requests.waitAndClose(Duration.ofSeconds(5)).sync();
        }
    }

    @Test
    void adminPort_answersHealthChecksWhileTheRequestSchedulersAreFull() throws Exception {
        EventLoopGroup boss = LOOPS.newNioGroup(1);
        EventLoopGroup workers = LOOPS.newNioGroup(1);
        SchedulerGroup requests = SchedulerGroup.create(workers, Scheduler.builder().limit(1));
        // The users' port, whose one request slot a report takes for good.
        Channel users = bind(boss, workers, requests, (ctx, request) -> {
            Promise<FullHttpResponse> answer = ctx.executor().newPromise();
            buildReport(ctx.executor()).addListener(report -> answer.setSuccess(text(ctx, OK, "report")));
            return answer;
        });
        int adminPortNumber = 0; // any free port here; a fixed one (say 9090) in a real server
        // tag::admin-port[]
        // Health checks and metrics scrapes on a port of their own, bound to schedulers of their own:
        // however full the users' schedulers are, these never queue behind them.
        SchedulerGroup admin = SchedulerGroup.create(workers, Scheduler.builder().limit(16));
        AsyncHttpHandler adminRoutes = (ctx, request) -> ctx.executor().newSucceededFuture(
                request.uri().equals("/health") ? text(ctx, OK, "ok") : text(ctx, NOT_FOUND, "no such route"));
        Channel adminPort = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .handler(new JobsHandler(admin))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), HttpJobs.aggregator(8192),
                                HttpJobs.atomic(adminRoutes));
                    }
                })
                .bind(adminPortNumber).sync().channel();
        // end::admin-port[]
        try {
            String usersBase = "http://127.0.0.1:" + port(users);
            CompletableFuture<HttpResponse<String>> report = sendAsync(usersBase + "/report");
            awaitReports(1);                                      // the users' one slot is taken
            CompletableFuture<HttpResponse<String>> queued = sendAsync(usersBase + "/health");
            HttpResponse<String> health = send("http://127.0.0.1:" + port(adminPort) + "/health");
            assertEquals(200, health.statusCode());
            assertEquals("ok", health.body());
            assertFalse(report.isDone());
            assertFalse(queued.isDone(), "on the users' port a health check waits behind the report");
        } finally {
            users.close().sync();
            adminPort.close().sync();
            requests.close().sync();
            admin.waitAndClose(Duration.ofSeconds(5)).sync();
        }
    }

    private static Channel bind(EventLoopGroup boss, EventLoopGroup workers, SchedulerGroup jobs,
            AsyncHttpHandler routes) throws InterruptedException {
        return new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .handler(new JobsHandler(jobs))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), HttpJobs.aggregator(8192),
                                HttpJobs.atomic(routes));
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    private static int port(Channel server) {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** Waits until {@code n} reports have begun: the event itself, each a request that reached its slow job. */
    private void awaitReports(int n) throws InterruptedException {
        if (!reportsBegun.tryAcquire(n, 10, TimeUnit.SECONDS)) {
            throw new AssertionError("fewer than " + n + " reports began");
        }
    }

    private static HttpResponse<String> send(String uri) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static CompletableFuture<HttpResponse<String>> sendAsync(String uri) {
        return client.sendAsync(HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
