package io.github.nettyjobs.http;

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
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.Future;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.netty.handler.codec.http.HttpResponseStatus.OK;
import static io.netty.handler.codec.http.HttpVersion.HTTP_1_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server snippet of the README's quick start: the README shows it verbatim (between the tags
 * below, de-indented), and it serves a request.
 */
@Timeout(30)
class ReadmeServerSnippetTest {

    private static final Path README = Path.of("..", "README.md");
    private static final Path SOURCE = Path.of("src", "test", "java", "io", "github", "nettyjobs", "http",
            "ReadmeServerSnippetTest.java");

    @RegisterExtension
    static final EventLoops LOOPS = new EventLoops();

    static Future<FullHttpResponse> answer(ChannelHandlerContext ctx, FullHttpRequest request) {
        return ctx.executor().newSucceededFuture(new DefaultFullHttpResponse(HTTP_1_1, OK,
                ByteBufUtil.writeUtf8(ctx.alloc(), "answered " + request.uri())));
    }

    @Test
    void readme_showsTheServerSnippetVerbatim() throws Exception {
        String source = Files.readString(SOURCE);
        Matcher tag = Pattern.compile("(?m)^( *)// tag::server\\[]\\n(.*?)^ *// end::server\\[]", Pattern.DOTALL)
                .matcher(source);
        assertTrue(tag.find());
        int indent = tag.group(1).length();
        StringBuilder snippet = new StringBuilder();
        for (String line : tag.group(2).split("\n")) {
            snippet.append(line.length() >= indent ? line.substring(indent) : line.strip()).append('\n');
        }
        assertTrue(Files.readString(README).contains("```java\n" + snippet + "```"),
                () -> "README.md must show the server snippet exactly as:\n" + snippet);
    }

    @Test
    void serverSnippet_answersEachRequestAsAJob() throws Exception {
        EventLoopGroup boss = LOOPS.newNioGroup(1);
        EventLoopGroup workers = LOOPS.newNioGroup(1);
        // tag::server[]
        SchedulerGroup jobs = SchedulerGroup.create(workers, Scheduler.builder().limit(100).rejectWhenFull(true));
        new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .handler(new JobsHandler(jobs))          // each connection: the scheduler of its own loop
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), HttpJobs.aggregator(65536),
                                HttpJobs.atomic((ctx, request) -> answer(ctx, request)));  // each request a job
                    }
                });
        // end::server[]
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .handler(new JobsHandler(jobs))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), HttpJobs.aggregator(65536),
                                HttpJobs.atomic((ctx, request) -> answer(ctx, request)));
                    }
                });
        Channel server = bootstrap.bind("127.0.0.1", 0).sync().channel();
        try {
            int port = ((InetSocketAddress) server.localAddress()).getPort();
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hello"))
                            .timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertEquals(200, response.statusCode());
            assertEquals("answered /hello", response.body());
        } finally {
            server.close().sync();
            jobs.waitAndClose(Duration.ofSeconds(5)).sync();
        }
    }
}
