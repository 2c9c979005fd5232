package io.github.nettyjobs.http;

import io.github.nettyjobs.testing.EventLoops;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real HTTP server for the tests: NIO event loops that exist on Netty 4.1 and 4.2 alike (one
 * accepting loop, two worker loops), bound to 127.0.0.1 on a free port, torn down with bounded waits.
 *
 * <p>Each connection's pipeline starts with the HTTP codec and {@link HttpJobs#aggregator(int)}, goes on with the
 * handlers of the test and, unless the server is made without it, ends with a handler that closes
 * a connection on an exception that reached it (a client's reset, say), quietly.
 */
public final class TestServer implements AutoCloseable {

    /** The aggregator's limit of a server made with {@link #TestServer()}. */
    public static final int MAX_CONTENT_LENGTH = 1024;

    private static final ChannelHandler CLOSE_ON_EXCEPTION = new CloseOnException();

    @ChannelHandler.Sharable
    private static final class CloseOnException extends ChannelInboundHandlerAdapter {
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private final EventLoops loops = new EventLoops();
    private final EventLoopGroup boss = loops.newNioGroup(1);
    private final EventLoopGroup workers = loops.newNioGroup(2);
    private final Queue<SocketChannel> connections = new ConcurrentLinkedQueue<>();
    private final int maxContentLength;
    private final boolean closeOnException;
    private Channel serverChannel;

    /**
     * A server (not bound yet) that aggregates at most {@link #MAX_CONTENT_LENGTH} bytes and closes failing
     * connections.
     */
    public TestServer() {
        this(MAX_CONTENT_LENGTH, true);
    }

    /**
     * A server (not bound yet).
     *
     * @param maxContentLength the aggregator's limit, in bytes
     * @param closeOnException whether the pipeline ends with the handler that closes a connection on
     *                         an exception; {@code false} for suites that check how the handlers
     *                         under test deal with failing connections themselves
     */
    public TestServer(int maxContentLength, boolean closeOnException) {
        this.maxContentLength = maxContentLength;
        this.closeOnException = closeOnException;
    }

    /**
     * Starts a server made with {@link #TestServer()} whose connections get {@code handlers}.
     *
     * @param serverHandler a handler for the server channel, or {@code null}
     */
    public static TestServer start(ChannelHandler serverHandler, Consumer<ChannelPipeline> handlers)
            throws InterruptedException {
        return new TestServer().bind(serverHandler, handlers);
    }

    /**
     * Binds this server, whose loops exist already (so that a {@code SchedulerGroup} can be made of
     * {@link #workers()} first); closes it if that fails.
     *
     * @param serverHandler a handler for the server channel, or {@code null}
     * @param handlers      adds each connection's handlers after the codec and the aggregator
     */
    public TestServer bind(ChannelHandler serverHandler,
            Consumer<ChannelPipeline> handlers) throws InterruptedException {
        return bind(serverHandler, handlers, bootstrap -> { });
    }

    /** As {@link #bind(ChannelHandler, Consumer)}, with {@code options} set on the bootstrap first. */
    public TestServer bind(ChannelHandler serverHandler, Consumer<ChannelPipeline> handlers,
                           Consumer<ServerBootstrap> options) throws InterruptedException {
        try {
            bind0(serverHandler, handlers, options);
        } catch (InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
        return this;
    }

    private void bind0(ChannelHandler serverHandler, Consumer<ChannelPipeline> handlers,
            Consumer<ServerBootstrap> options)
            throws InterruptedException {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.add(ch);
                        ch.pipeline().addLast(new HttpServerCodec(), HttpJobs.aggregator(maxContentLength));
                        handlers.accept(ch.pipeline());
                        if (closeOnException) {
                            ch.pipeline().addLast(CLOSE_ON_EXCEPTION);
                        }
                    }
                });
        if (serverHandler != null) {
            bootstrap.handler(serverHandler);
        }
        options.accept(bootstrap);
        serverChannel = bootstrap.bind("127.0.0.1", 0).sync().channel();
    }

    /** The accepting loop's group. */
    public EventLoopGroup boss() {
        return boss;
    }

    /** The connections' loops. */
    public EventLoopGroup workers() {
        return workers;
    }

    /** Every connection accepted so far, in the order they came. */
    public Queue<SocketChannel> connections() {
        return connections;
    }

    /** The listening channel, once bound. */
    public Channel serverChannel() {
        return serverChannel;
    }

    /** The port the server listens on. */
    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** The address of {@code path} on this server. */
    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }

    /** Waits, at most {@code seconds}, until {@code n} connections have been accepted. */
    public void awaitConnections(int n, long seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        // Each check is a turn of the accepting loop, which is what adds connections.
        while (connections.size() < n) {
            boss.submit(() -> { }).get(seconds, TimeUnit.SECONDS);
            if (System.nanoTime() > deadline) {
                throw new AssertionError("only " + connections.size() + " of " + n + " connections accepted");
            }
        }
    }

    /**
     * Waits, at most {@code seconds} for each, until every connection accepted so far has closed on the server's side.
     */
    public void awaitConnectionsClosed(long seconds) throws InterruptedException {
        List<SocketChannel> open = new ArrayList<>();
        for (SocketChannel channel : connections) {
            if (!channel.closeFuture().await(seconds, TimeUnit.SECONDS)) {
                open.add(channel);
            }
        }
        if (!open.isEmpty()) {
            throw new AssertionError(open.size() + " connections still open on the server: " + open);
        }
    }

    /** Closes the listening channel and stops the loops, checking that each step ends in time. */
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
