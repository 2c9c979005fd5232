package io.github.nettyjobs.benchmarks.jmh;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.EventExecutorGroup;

import java.util.concurrent.TimeUnit;

/**
 * The event loop a benchmark runs on, chosen by its {@code loop} parameter: {@code nio} (a
 * single-threaded NIO loop, what servers run) or {@code default} (a {@link DefaultEventLoop}).
 */
final class BenchmarkLoops {

    private final EventExecutorGroup group;
    private final EventLoop loop;

    private BenchmarkLoops(EventExecutorGroup group, EventLoop loop) {
        this.group = group;
        this.loop = loop;
    }

    /**
     * Starts a loop of {@code kind}.
     *
     * @throws IllegalArgumentException for another kind
     */
    static BenchmarkLoops start(String kind) {
        switch (kind) {
            case "default":
                DefaultEventLoop loop = new DefaultEventLoop();
                return new BenchmarkLoops(loop, loop);
            case "nio":
                MultiThreadIoEventLoopGroup nio = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
                return new BenchmarkLoops(nio, (EventLoop) nio.next());
            default:
                throw new IllegalArgumentException("loop: " + kind + " (expected: default or nio)");
        }
    }

    EventLoop loop() {
        return loop;
    }

    void shutDown() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
