package io.github.nettyjobs.benchmarks;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A closed-loop keep-alive HTTP/1.1 client on Netty: each connection sends one {@code GET /},
 * waits for the whole response, records its latency and sends the next. It stops after the
 * measured phase or when its share of the request bound is used up, whichever comes first.
 */
final class JavaLoadClient implements LoadClient {

    private static final int WARMUP = 0;
    private static final int MEASURE = 1;
    private static final int STOP = 2;

    @Override
    public String name() {
        return "java";
    }

    @Override
    public LoadResult run(String route, InetSocketAddress address, HarnessOptions options)
            throws InterruptedException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(options.clientThreads(), NioIoHandler.newFactory());
        try {
            Phase phase = new Phase(options.connections());
            long budget = Math.max(1, options.maxRequests() / options.connections());
            String host = address.getHostString() + ':' + address.getPort();
            List<Connection> connections = new ArrayList<>(options.connections());
            Bootstrap bootstrap = new Bootstrap()
                    .group(group)
                    .channel(NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000);
            List<Channel> channels = new ArrayList<>(options.connections());
            for (int i = 0; i < options.connections(); i++) {
                Connection connection = new Connection(phase, host, budget);
                connections.add(connection);
                channels.add(bootstrap.handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), connection);
                    }
                }).connect(address).syncUninterruptibly().channel());
            }

            phase.stopped.await(options.warmupSeconds(), TimeUnit.SECONDS);
            phase.value = MEASURE;
            long start = System.nanoTime();
            phase.stopped.await(options.durationSeconds(), TimeUnit.SECONDS);
            phase.value = STOP;
            long end = System.nanoTime();
            if (!phase.stopped.await(10, TimeUnit.SECONDS)) {
                for (Channel channel : channels) {
                    channel.close();
                }
                phase.stopped.await(5, TimeUnit.SECONDS);
            }

            LatencyHistogram histogram = new LatencyHistogram();
            long errors = 0;
            for (Connection connection : connections) {
                histogram.add(connection.histogram);
                errors += connection.errors;
            }
            double seconds = (end - start) / 1e9;
            return new LoadResult(route, name(), histogram.count() / seconds,
                    histogram.percentile(0.99) / 1e3, histogram.count(), errors);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** The phase shared by all connections of one run, and their count-down on closing. */
    private static final class Phase {
        volatile int value = WARMUP;
        final CountDownLatch stopped;

        Phase(int connections) {
            stopped = new CountDownLatch(connections);
        }
    }

    /**
     * One keep-alive connection; its fields are touched only on its event loop until it closes, and
     * read by the harness after {@link Phase#stopped} says it closed.
     */
    private static final class Connection extends SimpleChannelInboundHandler<HttpObject> {
        private final Phase phase;
        private final String host;
        private long budget;
        private long sentAt;
        private boolean measuredRequest;
        private boolean finished;
        final LatencyHistogram histogram = new LatencyHistogram();
        long errors;

        Connection(Phase phase, String host, long budget) {
            this.phase = phase;
            this.host = host;
            this.budget = budget;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            send(ctx);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg instanceof HttpResponse response && !HttpResponseStatus.OK.equals(response.status())) {
                errors++;
            }
            if (msg instanceof LastHttpContent) {
                long latency = System.nanoTime() - sentAt;
                // Only requests sent and answered within the measured phase count.
                if (measuredRequest && phase.value == MEASURE) {
                    histogram.record(latency);
                }
                if (phase.value == STOP || --budget <= 0) {
                    finished = true;
                    ctx.close();
                } else {
                    send(ctx);
                }
            }
        }

        private void send(ChannelHandlerContext ctx) {
            FullHttpRequest request = new DefaultFullHttpRequest(
                    HttpVersion.HTTP_1_1, HttpMethod.GET, "/", Unpooled.EMPTY_BUFFER);
            request.headers().set(HttpHeaderNames.HOST, host);
            measuredRequest = phase.value == MEASURE;
            sentAt = System.nanoTime();
            ctx.writeAndFlush(request, ctx.voidPromise());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            errors++;
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (!finished && phase.value != STOP) {
                errors++; // the server dropped the connection
            }
            phase.stopped.countDown();
        }
    }
}
