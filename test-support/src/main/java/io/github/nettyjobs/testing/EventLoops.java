package io.github.nettyjobs.testing;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Real event loops for a test class, made only of classes that exist on both Netty 4.1 and 4.2,
 * and shut down after the class. Register it as a static field:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final EventLoops LOOPS = new EventLoops();
 * }</pre>
 *
 * <p>The loops are thread-safe to create from any test; a test may shut one down itself (shutting
 * down again after the class is harmless).
 */
public final class EventLoops implements AfterAllCallback {

    private static final long SHUTDOWN_SECONDS = 10;

    private final List<EventExecutorGroup> started = new ArrayList<>();
    private EventLoop shared;

    /** The class's shared single-threaded loop, started on first use. */
    public synchronized EventLoop loop() {
        if (shared == null) {
            shared = newLoop();
        }
        return shared;
    }

    /** A new single-threaded loop of its own (a {@link DefaultEventLoop}). */
    public synchronized EventLoop newLoop() {
        return track(new DefaultEventLoop());
    }

    /**
     * A new group of {@code threads} loops without I/O. Netty 4.2 deprecates the class in favour of
     * {@code MultiThreadIoEventLoopGroup}, which 4.1 does not have.
     */
    @SuppressWarnings("deprecation")
    public synchronized EventLoopGroup newGroup(int threads) {
        return track(new DefaultEventLoopGroup(threads));
    }

    /** A new NIO group of {@code threads} loops (see {@link #newGroup(int)} for the deprecation). */
    @SuppressWarnings("deprecation")
    public synchronized EventLoopGroup newNioGroup(int threads) {
        return track(new NioEventLoopGroup(threads));
    }

    private <G extends EventExecutorGroup> G track(G group) {
        started.add(group);
        return group;
    }

    /** Shuts {@code group} down at once and waits, boundedly, until it has terminated. */
    public static void shutDown(EventExecutorGroup group) {
        Future<?> terminated = group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
        if (!terminated.awaitUninterruptibly(SHUTDOWN_SECONDS, TimeUnit.SECONDS)) {
            throw new AssertionError(group + " did not terminate within " + SHUTDOWN_SECONDS + " s");
        }
    }

    @Override
    public synchronized void afterAll(ExtensionContext context) {
        for (EventExecutorGroup group : started) {
            shutDown(group);
        }
        started.clear();
        shared = null;
    }
}
