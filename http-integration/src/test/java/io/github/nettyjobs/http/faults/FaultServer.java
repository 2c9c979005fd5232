package io.github.nettyjobs.http.faults;

import io.github.nettyjobs.Scheduler;
import io.github.nettyjobs.SchedulerGroup;
import io.github.nettyjobs.channel.JobsHandler;
import io.github.nettyjobs.http.HttpJobs;
import io.github.nettyjobs.http.RawHttpClient;
import io.github.nettyjobs.http.TestServer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.socket.SocketChannel;

import java.io.IOException;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The server of the fault suites: a {@link TestServer} whose worker loops carry a
 * {@link SchedulerGroup}, bound by a shared {@link JobsHandler}, and whose connections are answered
 * by {@link HttpJobs#atomic} with a {@link FaultHandler}. Requests may carry at most
 * {@link #MAX_CONTENT_LENGTH} bytes of content. No handler closes a failing connection behind the
 * atomic handler: how failing connections end is what these suites check.
 *
 * <p>The suites run under load with paranoid leak detection, so their waits, and the reads of the
 * clients from {@link #connect()}, are bounded by {@link #WAIT_SECONDS}.
 */
final class FaultServer implements AutoCloseable {

    /** The aggregator's limit, in bytes. */
    static final int MAX_CONTENT_LENGTH = 64 * 1024;
    /** The atomic handler's limit of requests in flight per connection. */
    static final int MAX_IN_FLIGHT = 16;
    /** The bound of every wait of the fault suites. */
    static final long WAIT_SECONDS = 20;

    private final TestServer server = new TestServer(MAX_CONTENT_LENGTH, false);
    final FaultHandler handler = new FaultHandler();
    final SchedulerGroup jobs;

    private FaultServer(Scheduler.Builder config) {
        jobs = SchedulerGroup.create(server.workers(), config);
    }

    /** Starts a server whose schedulers have the default configuration. */
    static FaultServer start() throws InterruptedException {
        return start(Scheduler.builder(), bootstrap -> { });
    }

    /** Starts a server whose schedulers are built from {@code config}, with {@code options} set on the bootstrap. */
    static FaultServer start(Scheduler.Builder config, Consumer<ServerBootstrap> options) throws InterruptedException {
        FaultServer faultServer = new FaultServer(config);
        JobsHandler jobsHandler = new JobsHandler(faultServer.jobs);
        faultServer.server.bind(null,
                pipeline -> pipeline.addLast(jobsHandler, HttpJobs.atomic(faultServer.handler, MAX_IN_FLIGHT)),
                        options);
        return faultServer;
    }

    /** A new client whose connecting and reads time out after {@link #WAIT_SECONDS}. */
    RawHttpClient connect() throws IOException {
        return connect(0);
    }

    /** As {@link #connect()}, with a receive buffer of {@code receiveBufferSize} bytes (0 for the default). */
    RawHttpClient connect(int receiveBufferSize) throws IOException {
        return new RawHttpClient(port(), receiveBufferSize, (int) TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
    }

    /** The port the server listens on. */
    int port() {
        return server.port();
    }

    /** The listening channel. */
    Channel serverChannel() {
        return server.serverChannel();
    }

    /** Every connection accepted so far. */
    Queue<SocketChannel> connections() {
        return server.connections();
    }

    /** Waits until {@code n} connections have been accepted. */
    void awaitConnections(int n) throws Exception {
        server.awaitConnections(n, WAIT_SECONDS);
    }

    /** Waits until every connection accepted so far has closed on the server's side. */
    void awaitConnectionsClosed() throws InterruptedException {
        server.awaitConnectionsClosed(WAIT_SECONDS);
    }

    /** Closes the listening socket, closes the schedulers (cancelling what is left) and stops the loops. */
    @Override
    public void close() {
        if (server.serverChannel() != null) {
            server.serverChannel().close().awaitUninterruptibly(WAIT_SECONDS, TimeUnit.SECONDS);
        }
        jobs.close().awaitUninterruptibly(WAIT_SECONDS, TimeUnit.SECONDS);
        server.close();
    }
}
