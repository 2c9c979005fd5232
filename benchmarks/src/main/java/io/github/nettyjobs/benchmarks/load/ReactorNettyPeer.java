package io.github.nettyjobs.benchmarks.load;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Reactor Netty's hello server: {@code HttpServer.handle} answering every request with the body as a
 * {@code Mono} (which Reactor Netty sends with its {@code Content-Length}), on a {@link LoopResources}
 * of NIO loops (native transports off).
 */
final class ReactorNettyPeer implements PeerServer {

    private static final byte[] BODY = "Hello, World!".getBytes(StandardCharsets.US_ASCII);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);
    /** The prefix of its threads' names: {@code reactor-peer-nio-1}, {@code reactor-peer-select-nio-1}. */
    private static final String THREADS = "reactor-peer";

    private final LoopResources loops;
    private final DisposableServer server;

    private ReactorNettyPeer(LoopResources loops, DisposableServer server) {
        this.loops = loops;
        this.server = server;
    }

    static ReactorNettyPeer start(int threads) {
        LoopResources loops = LoopResources.create(THREADS, 1, threads, true);
        try {
            DisposableServer server = HttpServer.create()
                    .bindAddress(() -> new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                    .runOn(loops, false)
                    .handle((request, response) -> response
                            .header(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
                            .sendByteArray(Mono.just(BODY)))
                    .bindNow(STOP_TIMEOUT);
            return new ReactorNettyPeer(loops, server);
        } catch (RuntimeException e) {
            loops.disposeLater().block(STOP_TIMEOUT);
            throw e;
        }
    }

    @Override
    public String name() {
        return "reactor";
    }

    @Override
    public boolean isServerThread(String name) {
        return name.startsWith(THREADS);
    }

    @Override
    public InetSocketAddress address() {
        return (InetSocketAddress) server.address();
    }

    @Override
    public void close() {
        try {
            server.disposeNow(STOP_TIMEOUT);
        } finally {
            loops.disposeLater(Duration.ZERO, STOP_TIMEOUT).block(STOP_TIMEOUT.multipliedBy(2));
        }
    }
}
