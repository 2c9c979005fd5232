package io.github.nettyjobs.benchmarks.load;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Vert.x's hello server: an {@code HttpServer} whose request handler ends every response with the
 * body (which sets its {@code Content-Length}), on a {@link Vertx} with {@code --server-threads}
 * event loops and native transports off.
 */
final class VertxPeer implements PeerServer {

    private static final Buffer BODY = Buffer.buffer("Hello, World!");
    private static final CharSequence TEXT_PLAIN = HttpHeaders.createOptimized("text/plain");
    private static final long TIMEOUT_SECONDS = 5;

    private final Vertx vertx;
    private final HttpServer server;
    private final InetSocketAddress address;

    private VertxPeer(Vertx vertx, HttpServer server, InetSocketAddress address) {
        this.vertx = vertx;
        this.server = server;
        this.address = address;
    }

    static VertxPeer start(int threads) throws InterruptedException, ExecutionException, TimeoutException {
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(threads).setPreferNativeTransport(false));
        try {
            InetAddress loopback = InetAddress.getLoopbackAddress();
            HttpServer server = vertx.createHttpServer(new HttpServerOptions()
                            .setHost(loopback.getHostAddress())
                            .setPort(0)
                            .setTcpNoDelay(true))
                    .requestHandler(request -> request.response()
                            .putHeader(HttpHeaders.CONTENT_TYPE, TEXT_PLAIN)
                            .end(BODY));
            await(server.listen());
            return new VertxPeer(vertx, server, new InetSocketAddress(loopback, server.actualPort()));
        } catch (InterruptedException | ExecutionException | TimeoutException | RuntimeException e) {
            close(vertx);
            throw e;
        }
    }

    @Override
    public String name() {
        return "vertx";
    }

    /** Its event loops and acceptor: {@code vert.x-eventloop-thread-0}, {@code vert.x-acceptor-thread-0}. */
    @Override
    public boolean isServerThread(String name) {
        return name.startsWith("vert.x-eventloop-thread-") || name.startsWith("vert.x-acceptor-thread-");
    }

    @Override
    public InetSocketAddress address() {
        return address;
    }

    @Override
    public void close() {
        try {
            await(server.close());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // Closing the Vert.x instance below closes the server too.
        } finally {
            close(vertx);
        }
    }

    private static void close(Vertx vertx) {
        try {
            await(vertx.close());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Vert.x did not stop", e);
        }
    }

    private static <T> T await(Future<T> future) throws InterruptedException, ExecutionException, TimeoutException {
        return future.toCompletionStage().toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
}
