package io.github.nettyjobs.http.faults;

import io.github.nettyjobs.Scheduler;
import io.github.nettyjobs.SchedulerGroup;
import io.github.nettyjobs.http.HttpJobs;
import io.github.nettyjobs.http.JobsHandler;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A real HTTP server for the fault suites: NIO, one accepting loop and two worker loops, a
 * {@link SchedulerGroup} on the workers bound by a shared {@link JobsHandler}, and
 * {@link HttpJobs#atomic} answering with a {@link FaultHandler}. Requests may carry at most
 * {@link #MAX_CONTENT_LENGTH} bytes of content.
 */
final class FaultServer implements AutoCloseable {

    static final int MAX_CONTENT_LENGTH = 64 * 1024;
    static final int MAX_IN_FLIGHT = 16;
    private static final long WAIT_SECONDS = 20;

    final EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    final EventLoopGroup workers = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    final FaultHandler handler = new FaultHandler();
    final SchedulerGroup jobs;
    /** Every accepted connection. */
    final Queue<SocketChannel> connections = new ConcurrentLinkedQueue<>();
    private Channel serverChannel;

    private FaultServer(Scheduler.Builder config) {
        jobs = SchedulerGroup.create(workers, config);
    }

    static FaultServer start() throws InterruptedException {
        return start(Scheduler.builder(), bootstrap -> { });
    }

    /** Starts a server whose schedulers are built from {@code config}, with {@code options} set on the bootstrap. */
    static FaultServer start(Scheduler.Builder config, Consumer<ServerBootstrap> options) throws InterruptedException {
        FaultServer server = new FaultServer(config);
        try {
            server.bind(options);
        } catch (InterruptedException | RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    private void bind(Consumer<ServerBootstrap> options) throws InterruptedException {
        JobsHandler jobsHandler = new JobsHandler(jobs);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.add(ch);
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(MAX_CONTENT_LENGTH),
                                jobsHandler, HttpJobs.atomic(handler, MAX_IN_FLIGHT));
                    }
                });
        options.accept(bootstrap);
        serverChannel = bootstrap.bind("127.0.0.1", 0).sync().channel();
    }

    int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    Channel serverChannel() {
        return serverChannel;
    }

    /** Waits until every connection accepted so far has closed on the server's side. */
    void awaitConnectionsClosed() throws InterruptedException {
        List<SocketChannel> open = new ArrayList<>();
        for (SocketChannel channel : connections) {
            if (!channel.closeFuture().await(WAIT_SECONDS, TimeUnit.SECONDS)) {
                open.add(channel);
            }
        }
        if (!open.isEmpty()) {
            throw new AssertionError(open.size() + " connections still open on the server: " + open);
        }
    }

    /** Waits until {@code n} connections have been accepted. */
    void awaitConnections(int n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        // Each check is a turn of the accepting loop, which is what adds connections.
        while (connections.size() < n) {
            boss.submit(() -> { }).get(WAIT_SECONDS, TimeUnit.SECONDS);
            if (System.nanoTime() > deadline) {
                throw new AssertionError("only " + connections.size() + " of " + n + " connections accepted");
            }
        }
    }

    /** Closes the listening socket, closes the schedulers (cancelling what is left) and stops the loops. */
    @Override
    public void close() {
        try {
            close0();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping the server", e);
        }
    }

    private void close0() throws InterruptedException {
        if (serverChannel != null) {
            serverChannel.close().await(WAIT_SECONDS, TimeUnit.SECONDS);
        }
        jobs.close().await(WAIT_SECONDS, TimeUnit.SECONDS);
        boss.shutdownGracefully(0, 5, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 5, TimeUnit.SECONDS);
        boolean stopped = boss.terminationFuture().await(WAIT_SECONDS, TimeUnit.SECONDS)
                & workers.terminationFuture().await(WAIT_SECONDS, TimeUnit.SECONDS);
        if (!stopped) {
            throw new AssertionError("the server's loops did not stop within " + WAIT_SECONDS + " s");
        }
    }
}
