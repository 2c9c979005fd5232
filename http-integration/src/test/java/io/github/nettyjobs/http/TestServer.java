package io.github.nettyjobs.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real HTTP server for the tests: NIO on {@link MultiThreadIoEventLoopGroup}s (one accepting
 * loop, two worker loops), bound to 127.0.0.1 on a free port, torn down with bounded waits.
 */
final class TestServer implements AutoCloseable {

    static final int MAX_CONTENT_LENGTH = 1024;

    /** The pipeline's last handler: a connection that fails (a client's reset, say) is closed, quietly. */
    private static final ChannelHandler CLOSE_ON_EXCEPTION = new CloseOnException();

    @ChannelHandler.Sharable
    private static final class CloseOnException extends ChannelInboundHandlerAdapter {
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    final EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    final EventLoopGroup workers = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    /** Every accepted connection, for tests that look at the server side. */
    final Queue<SocketChannel> connections = new ConcurrentLinkedQueue<>();
    private Channel serverChannel;

    /**
     * Starts a server whose connections get the HTTP codec and aggregator, then {@code handlers}.
     *
     * @param serverHandler a handler for the server channel, or {@code null}
     */
    static TestServer start(ChannelHandler serverHandler, Consumer<ChannelPipeline> handlers) throws InterruptedException {
        return new TestServer().bind(serverHandler, handlers);
    }

    /**
     * Binds this server, whose loops exist already (so that a {@code SchedulerGroup} can be made of
     * {@link #workers} first); closes it if that fails.
     */
    TestServer bind(ChannelHandler serverHandler, Consumer<ChannelPipeline> handlers) throws InterruptedException {
        return bind(serverHandler, handlers, bootstrap -> { });
    }

    /** As {@link #bind(ChannelHandler, Consumer)}, with options set on the bootstrap first. */
    TestServer bind(ChannelHandler serverHandler, Consumer<ChannelPipeline> handlers, Consumer<ServerBootstrap> options)
            throws InterruptedException {
        try {
            bind0(serverHandler, handlers, options);
        } catch (InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
        return this;
    }

    private void bind0(ChannelHandler serverHandler, Consumer<ChannelPipeline> handlers, Consumer<ServerBootstrap> options)
            throws InterruptedException {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.add(ch);
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(MAX_CONTENT_LENGTH));
                        handlers.accept(ch.pipeline());
                        ch.pipeline().addLast(CLOSE_ON_EXCEPTION);
                    }
                });
        if (serverHandler != null) {
            bootstrap.handler(serverHandler);
        }
        options.accept(bootstrap);
        serverChannel = bootstrap.bind("127.0.0.1", 0).sync().channel();
    }

    Channel serverChannel() {
        return serverChannel;
    }

    int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }

    @Override
    public void close() {
        if (serverChannel != null) {
            assertTrue(serverChannel.close().awaitUninterruptibly(5, TimeUnit.SECONDS));
        }
        boss.shutdownGracefully(0, 5, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 5, TimeUnit.SECONDS);
        assertTrue(boss.terminationFuture().awaitUninterruptibly(10, TimeUnit.SECONDS));
        assertTrue(workers.terminationFuture().awaitUninterruptibly(10, TimeUnit.SECONDS));
    }
}
