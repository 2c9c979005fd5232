package io.github.nettyjobs.benchmarks.load;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * An HTTP hello server of another framework that the load harness holds the atomic handler against:
 * it answers {@code GET /} with the same 13-byte {@code text/plain} body as both routes, in that
 * framework's own idiom, on NIO event loops of its own ({@code --server-threads} of them, as the
 * routes have). Both peers run on the project's Netty 4.2 (Reactor Netty 1.3 and Vert.x 5 are built
 * on Netty 4.2 too), in the harness's JVM.
 */
interface PeerServer extends AutoCloseable {

    /** The peers {@code --peers} can name. */
    List<String> NAMES = List.of("reactor", "vertx");

    /**
     * Starts the peer {@code name} on an ephemeral loopback port.
     *
     * @param name    one of {@link #NAMES}
     * @param threads event loops that serve its connections
     * @return the running server
     * @throws Exception if it cannot start
     */
    static PeerServer start(String name, int threads) throws Exception {
        return switch (name) {
            case "reactor" -> ReactorNettyPeer.start(threads);
            case "vertx" -> VertxPeer.start(threads);
            default -> throw new IllegalArgumentException("--peers: " + name + " (expected: " + NAMES + ')');
        };
    }

    /** The name results are labelled with: {@code reactor} or {@code vertx}. */
    String name();

    /** The loopback address it listens on. */
    InetSocketAddress address();

    /**
     * Whether a thread of this JVM is one of the server's, for its CPU time.
     *
     * @param name the thread's name
     * @return {@code true} for its event loops and acceptor
     */
    boolean isServerThread(String name);

    /** Stops the server and its event loops, waiting a bounded time. */
    @Override
    void close();
}
