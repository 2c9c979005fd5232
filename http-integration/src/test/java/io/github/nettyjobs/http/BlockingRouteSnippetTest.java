package io.github.nettyjobs.http;

import io.github.nettyjobs.CompletionStages;
import io.github.nettyjobs.Scheduler;
import io.github.nettyjobs.SchedulerGroup;
import io.github.nettyjobs.channel.JobsHandler;
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
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.QueryStringDecoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.netty.handler.codec.http.HttpResponseStatus.OK;
import static io.netty.handler.codec.http.HttpVersion.HTTP_1_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HTTP route of the blocking-work guide ({@code docs/blocking.md}): the guide shows it verbatim
 * (between the tags below, de-indented), and it answers each request from a blocking call made off
 * the loop, in a scheduler of its own.
 */
@Timeout(30)
class BlockingRouteSnippetTest {

    private static final Path GUIDE = Path.of("..", "docs", "blocking.md");
    private static final Path SOURCE = Path.of("src", "test", "java", "io", "github", "nettyjobs", "http",
            "BlockingRouteSnippetTest.java");

    @RegisterExtension
    static final EventLoops LOOPS = new EventLoops();

    /** Stands in for a JDBC repository: its calls block, and note the thread they ran on. */
    static final class Users {
        volatile String thread;

        String find(String id) {
            thread = Thread.currentThread().getName();
            return "user " + id;
        }
    }

    private final Users users = new Users();

    static FullHttpResponse ok(ChannelHandlerContext ctx, String body) {
        return new DefaultFullHttpResponse(HTTP_1_1, OK, ByteBufUtil.writeUtf8(ctx.alloc(), body));
    }

    @Test
    void guide_showsTheRouteVerbatim() throws Exception {
        String source = Files.readString(SOURCE);
        Matcher tag = Pattern.compile("(?m)^( *)// tag::blocking-route\\[]\\n(.*?)^ *// end::blocking-route\\[]",
                Pattern.DOTALL).matcher(source);
        assertTrue(tag.find());
        int indent = tag.group(1).length();
        StringBuilder snippet = new StringBuilder();
        for (String line : tag.group(2).split("\n")) {
            snippet.append(line.length() >= indent ? line.substring(indent) : line.strip()).append('\n');
        }
        assertTrue(Files.readString(GUIDE).contains("```java\n" + snippet + "```"),
                () -> "docs/blocking.md must show the route exactly as:\n" + snippet);
    }

    @Test
    void route_answersFromABlockingCallMadeOffTheLoop() throws Exception {
        EventLoopGroup boss = LOOPS.newNioGroup(1);
        EventLoopGroup workers = LOOPS.newNioGroup(1);
        SchedulerGroup requests = SchedulerGroup.create(workers, Scheduler.builder());
        // tag::blocking-route[]
        SchedulerGroup database = SchedulerGroup.create(workers, Scheduler.builder()
                .limit(50).pendingLimit(500).rejectWhenFull(true).jobTimeout(Duration.ofSeconds(2)));
        AsyncHttpHandler findUser = (ctx, request) -> {
            String id = new QueryStringDecoder(request.uri()).parameters().get("id").get(0);
            Scheduler jdbc = database.schedulerFor(ctx.channel().eventLoop());   // this loop's, with its own limit
            CompletableFuture<FullHttpResponse> response = CompletionStages
                    .toCompletableFuture(jdbc.spawnBlocking("find user", () -> users.find(id)))   // off the loop
                    .thenCompose(CompletionStages::join)
                    .thenApply(user -> ok(ctx, user));                                           // back on the loop
            return CompletionStages.toFuture(ctx.executor(), response);
        };
        // end::blocking-route[]
        Channel server = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .handler(new JobsHandler(requests))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), HttpJobs.aggregator(65536),
                                HttpJobs.atomic(findUser));
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
        try {
            int port = ((InetSocketAddress) server.localAddress()).getPort();
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/users?id=7"))
                            .timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertEquals(200, response.statusCode());
            assertEquals("user 7", response.body());
            assertTrue(users.thread.startsWith("nettyjobs-blocking-"), users.thread); // the default executor's
        } finally {
            server.close().sync();
            requests.waitAndClose(Duration.ofSeconds(5)).sync();
            database.waitAndClose(Duration.ofSeconds(5)).sync();
        }
    }
}
