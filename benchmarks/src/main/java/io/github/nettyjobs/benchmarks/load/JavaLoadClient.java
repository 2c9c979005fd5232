package io.github.nettyjobs.benchmarks.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ReferenceCountUtil;
import org.HdrHistogram.Histogram;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A closed-loop keep-alive client on Netty, for any {@link LoadProtocol}: each connection sends one
 * request, waits for the whole response, records its latency in an HdrHistogram and sends the next. It stops after the
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
    public LoadResult run(LoadProtocol protocol, String route, InetSocketAddress address, LoadOptions options,
                          ServerCpuMeter cpu) throws InterruptedException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(options.clientThreads(), NioIoHandler.newFactory());
        try {
            Phase phase = new Phase(options.connections());
            long budget = Math.max(1, options.maxRequests() / options.connections());
            List<Connection> connections = new ArrayList<>(options.connections());
            Bootstrap bootstrap = new Bootstrap()
                    .group(group)
                    .channel(NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000);
            List<Channel> channels = new ArrayList<>(options.connections());
            for (int i = 0; i < options.connections(); i++) {
                Connection connection = new Connection(protocol, address, phase, budget);
                connections.add(connection);
                channels.add(bootstrap.handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        protocol.initClient(ch.pipeline());
                        ch.pipeline().addLast(connection);
                    }
                }).connect(address).syncUninterruptibly().channel());
            }

            phase.stopped.await(options.warmupSeconds(), TimeUnit.SECONDS);
            cpu.onMeasureStart();
            phase.value = MEASURE;
            long start = System.nanoTime();
            phase.stopped.await(options.durationSeconds(), TimeUnit.SECONDS);
            phase.value = STOP;
            long end = System.nanoTime();
            cpu.onMeasureEnd();
            if (!phase.stopped.await(10, TimeUnit.SECONDS)) {
                for (Channel channel : channels) {
                    channel.close();
                }
                phase.stopped.await(5, TimeUnit.SECONDS);
            }

            Histogram latencies = new Histogram(3);
            long errors = 0;
            for (Connection connection : connections) {
                latencies.add(connection.latencies);
                errors += connection.errors;
            }
            double seconds = (end - start) / 1e9;
            return new LoadResult(route, name(), latencies.getTotalCount() / seconds,
                    latencies.getValueAtPercentile(99.0) / 1e3, latencies.getTotalCount(), errors,
                    latencies.getTotalCount() / cpu.cpuSeconds());
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
    private static final class Connection extends ChannelInboundHandlerAdapter {
        private final LoadProtocol protocol;
        private final InetSocketAddress server;
        private final Phase phase;
        private long budget;
        private long sentAt;
        private boolean measuredRequest;
        private boolean finished;
        /** Nanoseconds from sending a request to its whole response; resizes itself as it needs to. */
        final Histogram latencies = new Histogram(3);
        long errors;

        Connection(LoadProtocol protocol, InetSocketAddress server, Phase phase, long budget) {
            this.protocol = protocol;
            this.server = server;
            this.phase = phase;
            this.budget = budget;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            send(ctx);
        }

        /** One complete response, as the protocol's client codec delivers it. */
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object response) {
            long latency = System.nanoTime() - sentAt;
            try {
                if (!protocol.isSuccess(response)) {
                    errors++;
                }
            } finally {
                ReferenceCountUtil.release(response);
            }
            // Only requests sent and answered within the measured phase count.
            if (measuredRequest && phase.value == MEASURE) {
                latencies.recordValue(latency);
            }
            if (phase.value == STOP || --budget <= 0) {
                finished = true;
                ctx.close();
            } else {
                send(ctx);
            }
        }

        private void send(ChannelHandlerContext ctx) {
            measuredRequest = phase.value == MEASURE;
            sentAt = System.nanoTime();
            ctx.writeAndFlush(protocol.newRequest(server), ctx.voidPromise());
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
