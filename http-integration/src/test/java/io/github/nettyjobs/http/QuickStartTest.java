package io.github.nettyjobs.http;

import io.github.nettyjobs.Scheduler;
import io.github.nettyjobs.SchedulerGroup;
import io.github.nettyjobs.channel.ChannelJobs;
import io.github.nettyjobs.channel.JobsHandler;
import io.github.nettyjobs.testing.EventLoops;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.netty.handler.codec.http.HttpResponseStatus.OK;
import static io.netty.handler.codec.http.HttpVersion.HTTP_1_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The quick start of {@code docs/http.md}, kept compiling and working (its loops made the way both
 * Netty lines allow; the document shows Netty 4.2's): a server whose
 * connections share per-loop schedulers, a handler that spawns a job (aiohttp's {@code spawn}), an
 * atomic handler (aiohttp's {@code @atomic}), and the graceful shutdown.
 */
class QuickStartTest {

    @RegisterExtension
    static final EventLoops LOOPS = new EventLoops();

    private static final CompletableFuture<String> mailSent = new CompletableFuture<>();
    private static volatile Promise<Void> mailServer;

    /** Stands in for real work: a future that the test completes. */
    static Future<Void> sendWelcomeMail(EventExecutor executor, String to) {
        Promise<Void> sent = executor.newPromise();
        sent.addListener(f -> mailSent.complete(to));
        mailServer = sent;
        return sent;
    }

    // docs/http.md: a handler that spawns
    static final class Signup extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            String user = request.uri().substring("/signup/".length());
            ChannelJobs.spawn(ctx, "welcome-mail", () -> sendWelcomeMail(ctx.executor(), user)); // outlives the request
            FullHttpResponse response = new DefaultFullHttpResponse(HTTP_1_1, OK,
                    ByteBufUtil.writeUtf8(ctx.alloc(), "welcome, " + user));
            HttpUtil.setContentLength(response, response.content().readableBytes());
            ctx.writeAndFlush(response);
        }
    }
    // docs/http.md: end

    @Test
    void quickStart_spawnFromAHandler_atomicHandler_andGracefulShutdown() throws Exception {
        // docs/http.md: server
        // Netty 4.2: new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory())
        EventLoopGroup boss = LOOPS.newNioGroup(1);
        // Netty 4.2: new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory())
        EventLoopGroup workers = LOOPS.newNioGroup(2);
        SchedulerGroup jobs = SchedulerGroup.create(workers, Scheduler.builder().limit(100));

        Channel server = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .handler(new JobsHandler(jobs)) // setup(app): each connection gets the scheduler of its loop
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65536), new Signup());
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
        // docs/http.md: end
        int port = ((InetSocketAddress) server.localAddress()).getPort();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> response = client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/signup/ada"))
                        .timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals("welcome, ada", response.body());

        // docs/http.md: shutdown
        server.close().sync();                                    // stop accepting connections
        Future<Void> closed = jobs.waitAndClose(Duration.ofSeconds(10)); // let the jobs finish, then close
        // docs/http.md: end
        for (Scheduler scheduler : jobs) {
            scheduler.executor().submit(() -> null).get(5, TimeUnit.SECONDS); // a turn of each loop
        }
        assertFalse(closed.isDone(), "waitAndClose waits for the mail");
        mailServer.setSuccess(null);
        assertTrue(closed.await(5, TimeUnit.SECONDS));
        assertEquals("ada", mailSent.get(5, TimeUnit.SECONDS));
        // docs/http.md: shutdown loops
        boss.shutdownGracefully();
        workers.shutdownGracefully();
        // docs/http.md: end
        assertTrue(boss.terminationFuture().await(10, TimeUnit.SECONDS));
        assertTrue(workers.terminationFuture().await(10, TimeUnit.SECONDS));
    }

    @Test
    void quickStart_atomicHandler() throws Exception {
        try (TestServer server = TestServer.start(JobsHandler.perChannel(Scheduler.builder()), pipeline ->
                // docs/http.md: atomic
                pipeline.addLast(HttpJobs.atomic((ctx, request) ->
                        ctx.executor().newSucceededFuture(new DefaultFullHttpResponse(HTTP_1_1, OK,
                                ByteBufUtil.writeUtf8(ctx.alloc(), "hello from a job")))))
                // docs/http.md: end
        )) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(server.uri("/"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals("hello from a job", response.body());
        }
    }
}
