package io.github.nettyjobs.example;

import io.github.nettyjobs.Scheduler;
import io.github.nettyjobs.SchedulerGroup;
import io.github.nettyjobs.channel.AtomicHandler;
import io.github.nettyjobs.channel.JobsHandler;
import io.github.nettyjobs.http.HttpJobs;
import io.github.nettyjobs.limit.Limits;
import io.github.nettyjobs.micrometer.SchedulerMetrics;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.codec.string.StringEncoder;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The nettyjobs example server: an HTTP server whose every request runs as an atomic job, with
 * routes that spawn background jobs and list them, and, with {@code --line-port}, a small line
 * protocol served the same way ({@link LineCommands}). Connections that send no complete request
 * for {@code --read-timeout} while nothing of theirs is being answered are closed. {@link #stop()}
 * (run on SIGTERM or Ctrl-C by {@link #main(String[])}) drains the server for a rolling deploy
 * ({@code GET /ready} answers {@code 503}, every connection closes after its last answer, the jobs
 * get a grace period), shuts the event loops down and prints what finished and what was cancelled.
 *
 * <p>It defends itself under load with four kinds of scheduler, one of each per event loop, so
 * that cheap routes never share a slot pool with day-long work:
 * <ul>
 *   <li>{@code requests}: every request, while it is answered (an adaptive limit of at most
 *       {@code --request-limit}, which follows the requests' run times); a request
 *       that waits longer than {@code --pending-timeout} for a slot is answered {@code 503} with
 *       {@code Retry-After}.</li>
 *   <li>{@code long}: the work of {@code GET /atomic} and {@code SLEEP} ({@code --long-limit},
 *       {@code --long-pending-limit}), refused at once beyond its queue, cut short after
 *       {@code --job-timeout}. The request waits for it in a request slot, so at most
 *       {@code --long-limit + --long-pending-limit} request slots ever wait for long work, and the
 *       options insist that {@code --request-limit} is larger.</li>
 *   <li>{@code blocking}: the blocking calls of {@code GET /blocking} and {@code BLOCK}, which
 *       {@code spawnBlocking} runs off the event loops ({@code --blocking-limit},
 *       {@code --blocking-pending-limit}, {@code --blocking-timeout}); the request waits for its call
 *       in a request slot, so these count against {@code --request-limit} as long work does.</li>
 *   <li>{@code background}: the jobs of {@code POST /jobs} ({@code --limit}, {@code --pending-limit},
 *       {@code --background-timeout}); a spawn beyond the queue is answered {@code 503} at once
 *       ({@code --reject-when-full}), so a flood of spawns holds no request slot.</li>
 * </ul>
 * Each is bound to Micrometer through {@link SchedulerMetrics} under its name, and
 * {@code GET /metrics} shows the meters in Prometheus' text format: the shed, rejected and timed-out counts
 * among them.
 *
 * <pre>
 * mvn -B -q install -DskipTests
 * mvn -B -q -pl example exec:java -Dexec.args="--port 8080 --limit 2 --pending-limit 2 --grace 10s --job-timeout 30s"
 * </pre>
 *
 * <p>Thread-safe: {@link #stop()} may be called from any thread, more than once.
 */
public final class ExampleServer {

    private static final int MAX_CONTENT_LENGTH = 64 * 1024;
    private static final int MAX_LINE_LENGTH = 1024;
    /** How long stop() waits for the event loops to terminate once asked. */
    private static final Duration LOOPS_STOP_BOUND = Duration.ofSeconds(5);
    /** Added to the grace period to bound the wait for the schedulers to close (their close timeouts, a loop turn). */
    private static final Duration CLOSE_MARGIN = Duration.ofSeconds(2);
    /** How much earlier than the requests a drain cuts long and blocking work short: their requests answer why. */
    private static final Duration LONG_WORK_CUT_AHEAD = Duration.ofMillis(100);
    private static final InternalLogger logger = InternalLoggerFactory.getInstance(ExampleServer.class);

    /** Last in each pipeline: a connection that fails is closed; a client's reset is not worth a warning. */
    private static final ChannelHandler CLOSE_ON_EXCEPTION = new CloseOnException();

    @ChannelHandler.Sharable
    private static final class CloseOnException extends ChannelInboundHandlerAdapter {
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (!(cause instanceof IOException)) {
                logger.warn("{} failed; closing it", ctx.channel(), cause);
            }
            ctx.close();
        }
    }

    private final Options options;
    private final Activity activity;
    private final EventLoopGroup acceptor = new MultiThreadIoEventLoopGroup(1,
            new DefaultThreadFactory("nettyjobs-example-acceptor"), NioIoHandler.newFactory());
    private final EventLoopGroup workers;
    /** Every request while it is answered: one scheduler per worker loop. */
    private final SchedulerGroup requests;
    /** The work of {@code /atomic} and {@code SLEEP}: one scheduler per worker loop, bounded and with a deadline. */
    private final SchedulerGroup longWork;
    /** Background jobs: one scheduler per worker loop, with the limits of the command line. */
    private final SchedulerGroup background;
    /** The blocking calls of {@code /blocking} and {@code BLOCK}, off the loops: one scheduler per worker loop. */
    private final SchedulerGroup blocking;
    /** Binds every connection, HTTP and line protocol alike, to the requests scheduler of its loop; drains them. */
    private final JobsHandler jobsHandler;
    /** The meters of the four kinds of scheduler, for {@code GET /metrics} in Prometheus' text format. */
    private final PrometheusMeterRegistry registry = newRegistry();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private Channel serverChannel;
    /** The line protocol's listening channel, or {@code null} when it is not served. */
    private Channel lineChannel;

    private ExampleServer(Options options, PrintStream out) {
        this.options = options;
        this.activity = new Activity(out);
        this.workers = new MultiThreadIoEventLoopGroup(options.threads,
                new DefaultThreadFactory("nettyjobs-example-worker"), NioIoHandler.newFactory());
        this.requests = metered("requests", requestLimit(Scheduler.builder(), options)
                .pendingTimeout(Options.orNone(options.pendingTimeout)));
        this.longWork = metered("long", Scheduler.builder()
                .limit(options.longLimit)
                .pendingLimit(options.longPendingLimit)
                .rejectWhenFull(true)
                .pendingTimeout(Options.orNone(options.pendingTimeout))
                .jobTimeout(Options.orNone(options.jobTimeout)));
        this.background = metered("background", Scheduler.builder()
                .limit(options.limit)
                .pendingLimit(options.pendingLimit)
                .rejectWhenFull(options.rejectWhenFull)
                .jobTimeout(Options.orNone(options.backgroundTimeout)));
        this.blocking = metered("blocking", Scheduler.builder()
                .limit(options.blockingLimit)
                .pendingLimit(options.blockingPendingLimit)
                .rejectWhenFull(true)
                .pendingTimeout(Options.orNone(options.pendingTimeout))
                .jobTimeout(Options.orNone(options.blockingTimeout)));
        this.jobsHandler = new JobsHandler(requests);
    }

    /**
     * A Prometheus registry whose nettyjobs timers also publish histogram buckets, so that a query
     * can take any quantile of queue and run times over any window and across instances.
     */
    static PrometheusMeterRegistry newRegistry() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().meterFilter(new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                if (id.getType() == Meter.Type.TIMER && id.getName().startsWith("nettyjobs.")) {
                    return DistributionStatisticConfig.builder().percentilesHistogram(true).build().merge(config);
                }
                return config;
            }
        });
        return registry;
    }

    /**
     * The request scheduler's limit: adaptive ({@code Limits.gradient2()}), from {@code --request-limit}
     * down to one more than the slots that requests waiting for long work and blocking calls may hold,
     * so that those never take every slot; {@code 0} for no limit.
     */
    private static Scheduler.Builder requestLimit(Scheduler.Builder builder, Options options) {
        if (options.requestLimit == 0) {
            return builder.limit(0);
        }
        int floor = options.longLimit + options.longPendingLimit + options.blockingLimit
                + options.blockingPendingLimit + 1;
        return builder.limit(Limits.gradient2().initialLimit(options.requestLimit)
                .minLimit(Math.min(floor, options.requestLimit)).maxLimit(options.requestLimit));
    }

    /** One scheduler per worker loop, its meters tagged {@code scheduler=name}. */
    private SchedulerGroup metered(String name, Scheduler.Builder config) {
        SchedulerMetrics metrics = SchedulerMetrics.of(registry, name);
        SchedulerGroup group = SchedulerGroup.create(workers, config.listener(metrics));
        metrics.monitor(group);
        return group;
    }

    /**
     * Starts a server and prints where it listens.
     *
     * @throws Exception if it cannot bind (the loops are shut down again)
     */
    static ExampleServer start(Options options, PrintStream out) throws Exception {
        ExampleServer server = new ExampleServer(options, out);
        try {
            server.bind();
        } catch (Exception e) {
            server.acceptor.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            server.workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
        return server;
    }

    private void bind() throws InterruptedException {
        Routes routes = new Routes(new Routes.Groups(requests, longWork, background, blocking), registry, activity,
                help(), () -> !jobsHandler.isDraining());
        serverChannel = new ServerBootstrap()
                .group(acceptor, workers)
                .channel(NioServerSocketChannel.class)
                // Every connection inherits the server channel's binding: the scheduler of its loop.
                .handler(jobsHandler)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(
                                new CleartextProtocols(() -> http1(routes), () -> http2(routes)),
                                CLOSE_ON_EXCEPTION);
                    }
                })
                .bind(options.host, options.port).sync().channel();
        activity.print("listening on " + url() + " (background limit " + options.limit + ", pending limit "
                + options.pendingLimit + ", grace " + Options.format(options.grace) + "; long work limit "
                + options.longLimit + ", job timeout " + limitText(options.jobTimeout) + "); Ctrl-C to stop");
        if (options.linePort != Options.NO_PORT) {
            bindLines();
        }
        activity.print("try: curl " + url() + "/");
    }

    /** The handlers of an HTTP/1.1 connection: per-connection state, new ones each time. */
    private List<ChannelHandler> http1(Routes routes) {
        return List.of(
                new HttpServerCodec(),
                HttpJobs.aggregator(MAX_CONTENT_LENGTH), // a 413 goes out in request order
                new ClientTimeout(options.readTimeout, FullHttpRequest.class, FullHttpResponse.class),
                HttpJobs.atomic(routes));
    }

    /**
     * The handlers of an HTTP/2 connection (h2c with prior knowledge, as a load balancer speaks it):
     * each stream a child channel answered by the same routes, and the two-step {@code GOAWAY} when
     * the server drains.
     */
    private static List<ChannelHandler> http2(Routes routes) {
        return List.of(
                Http2FrameCodecBuilder.forServer().build(),
                new Http2MultiplexHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel stream) {
                        stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true),
                                HttpJobs.aggregator(MAX_CONTENT_LENGTH), HttpJobs.atomic(routes));
                    }
                }),
                HttpJobs.goAwayOnDrain());
    }

    /** The line protocol: the same schedulers, the same atomic handling, another protocol. */
    private void bindLines() throws InterruptedException {
        LineCommands commands = new LineCommands(requests, longWork, background, blocking, activity);
        lineChannel = new ServerBootstrap()
                .group(acceptor, workers)
                .channel(NioServerSocketChannel.class)
                .handler(jobsHandler)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(
                                new LineBasedFrameDecoder(MAX_LINE_LENGTH, true, true),
                                new StringEncoder(StandardCharsets.UTF_8),
                                new LineDecoder(),
                                new ClientTimeout(options.readTimeout, LineCommand.class, String.class),
                                AtomicHandler.builder(LineCommand.class, commands).protocol(LineProtocol.INSTANCE)
                                        .build(),
                                CLOSE_ON_EXCEPTION);
                    }
                })
                .bind(options.host, options.linePort).sync().channel();
        activity.print("line protocol on " + options.host + ':' + linePort() + " (try: nc " + options.host + ' '
                + linePort() + ", then HELP)");
    }

    /** The port the server listens on. */
    int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** The port of the line protocol; only when it is served. */
    int linePort() {
        return ((InetSocketAddress) lineChannel.localAddress()).getPort();
    }

    /** The loops serving connections, for tests. */
    EventLoopGroup workers() {
        return workers;
    }

    /** The meters {@code GET /metrics} shows, for tests. */
    PrometheusMeterRegistry registry() {
        return registry;
    }

    private static String limitText(Duration limit) {
        return limit.isZero() ? "none" : Options.format(limit);
    }

    private String url() {
        return "http://" + options.host + ':' + port();
    }

    private String help() {
        String url = "http://" + options.host + ':' + (options.port == 0 ? "PORT" : String.valueOf(options.port));
        String perLoop = "per event loop, " + options.threads + " loop" + (options.threads == 1 ? "" : "s");
        return String.join("\n",
                "nettyjobs example server: each request runs as an atomic job of a nettyjobs scheduler.",
                "",
                "  GET  /                            this text",
                "  POST /jobs?seconds=10&name=NAME   spawn a background job that runs for the given seconds;",
                "                                    503 with Retry-After when the background queue is full",
                "  GET  /jobs                        list every scheduler's jobs with their state, and the counts",
                "  GET  /atomic?seconds=5            answer after the given seconds; the work is a job of the long",
                "                                    scheduler, so it runs to its end even if the client leaves,",
                "                                    and shutdown waits for it; 503 when it is cut short",
                "  GET  /blocking?ms=100             a blocking call (a sleep) that spawnBlocking runs off the",
                "                                    event loop, on a virtual thread (a pooled one on Java 17);",
                "                                    503 when the blocking scheduler is full or the call outlives",
                "                                    --blocking-timeout (interrupted)",
                "  GET  /metrics                     the schedulers' meters, Prometheus text: jobs active and pending,",
                "                                    ended by outcome (dropped, timed_out, ...), spawns rejected",
                "  GET  /ready                       readiness for a load balancer: 200, or 503 once the server drains",
                "  GET  /fail                        a handler that throws: 500, logged once",
                "",
                options.linePort == Options.NO_PORT
                        ? "Start with --line-port 8081 to also serve a line protocol (SLEEP 2, BLOCK 100, ECHO text, "
                                + "JOBS, QUIT) with nc."
                        : "Line protocol on port "
                                + (options.linePort == 0 ? "LINE_PORT" : String.valueOf(options.linePort))
                                + ": nc " + options.host + " "
                                        + (options.linePort == 0 ? "LINE_PORT" : String.valueOf(options.linePort))
                                + ", then SLEEP 2, BLOCK 100, ECHO text, JOBS, QUIT.",
                "",
                "Under load (limits " + perLoop + "):",
                "  requests    " + limitText(options.requestLimit) + " at once"
                        + (options.requestLimit == 0 ? "" : " at most (adaptive: the limit follows the run times)")
                        + (options.pendingTimeout.isZero() ? "; a request waits for a slot as long as it takes"
                                : "; a request waiting " + Options.format(options.pendingTimeout)
                                        + " for a slot gets 503"),
                "  long        " + options.longLimit + " at once, " + options.longPendingLimit + " waiting, then 503"
                        + (options.jobTimeout.isZero() ? "" : "; cut short with 503 after "
                                + Options.format(options.jobTimeout)),
                "  blocking    " + options.blockingLimit + " at once, " + options.blockingPendingLimit
                        + " waiting, then 503"
                        + (options.blockingTimeout.isZero() ? ""
                                : "; interrupted with 503 after " + Options.format(options.blockingTimeout)),
                "  background  " + limitText(options.limit) + " at once, " + limitText(options.pendingLimit)
                        + " waiting, then " + (options.rejectWhenFull ? "503" : "POST /jobs waits for room")
                        + (options.backgroundTimeout.isZero() ? "" : "; cut short after "
                                + Options.format(options.backgroundTimeout)),
                options.drain
                        ? "On SIGTERM or Ctrl-C the server drains: GET /ready answers 503, each connection closes"
                                + " after its last answer, new ones are accepted for "
                                + Options.format(options.quietPeriod) + ", the jobs get up to "
                                + Options.format(options.grace) + " in all, the rest is cancelled."
                        : "On SIGTERM or Ctrl-C the server stops accepting, waits up to "
                                + Options.format(options.grace) + " for the jobs, cancels the rest and stops.",
                "",
                "Try:",
                "  curl -X POST '" + url + "/jobs?seconds=30'",
                "  curl " + url + "/jobs",
                "  curl --max-time 1 '" + url + "/atomic?seconds=3'",
                "  curl '" + url + "/blocking?ms=500'",
                "  curl " + url + "/metrics",
                "");
    }

    private static String limitText(int limit) {
        return limit == 0 ? "no limit" : String.valueOf(limit);
    }

    /**
     * Stops the server, once. By default it drains ({@code --drain true}): {@code GET /ready} answers
     * {@code 503} from the first moment, every connection closes after the answer that leaves it
     * with nothing in flight, idle ones and the listening channels at the end of the quiet period,
     * and the jobs get what is left of the grace period before they are cancelled
     * ({@link JobsHandler#drain}); the long and background schedulers then get what is left of it
     * too. With {@code --drain false} it stops accepting at once and gives every scheduler the grace
     * period ({@code waitAndClose}). Either way it then shuts the event loops down and prints the
     * report. Blocks until done, and for a bounded time even if a loop is stuck: each wait has a
     * deadline, and a step that overruns it is reported and passed. Later calls wait for the first.
     */
    public void stop() {
        if (!stopping.compareAndSet(false, true)) {
            awaitStop();
            return;
        }
        try {
            activity.stopping();
            Duration grace = options.grace;
            long deadline = System.nanoTime() + grace.toNanos();
            boolean closed = options.drain ? drain(deadline) : closeAtOnce();
            if (!closed) {
                activity.print("the schedulers did not close within " + Options.format(grace.plus(CLOSE_MARGIN))
                        + " (is a loop stuck?); stopping the loops anyway");
            }
            acceptor.shutdownGracefully(0, 2, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 2, TimeUnit.SECONDS);
            long loopsDeadline = System.nanoTime() + LOOPS_STOP_BOUND.toNanos();
            if (!awaitUntil(acceptor.terminationFuture(), loopsDeadline)
                    || !awaitUntil(workers.terminationFuture(), loopsDeadline)) {
                activity.print("the event loops did not stop within " + Options.format(LOOPS_STOP_BOUND));
            }
            activity.report().forEach(activity::printRaw);
            activity.print("stopped");
        } finally {
            stopped.countDown();
        }
    }

    /**
     * Drains the connections; once the quiet period is over and no new request comes, closes the
     * long, blocking and background schedulers with what is left of the grace period, the long and
     * blocking ones a moment earlier than the requests, so that a request still waiting for such
     * work at the deadline is answered why (the server is shutting down) instead of being cancelled
     * with it. Returns whether everything closed in time.
     */
    private boolean drain(long deadline) {
        activity.print("stopping: draining; GET /ready answers 503, connections close after their last answer, "
                + "new connections are accepted for the quiet period of " + Options.format(options.quietPeriod)
                + "; waiting up to " + Options.format(options.grace) + " for " + requests.size() + " requests and "
                + background.size() + " background jobs");
        long closeDeadline = deadline + CLOSE_MARGIN.toNanos();
        Future<Void> drained = jobsHandler.drain(options.quietPeriod, options.grace);
        // Never done before the quiet period has passed: this waits it out.
        drained.awaitUninterruptibly(options.quietPeriod.toMillis());
        long left = Math.max(0, deadline - System.nanoTime());
        long longLeft = Math.max(0, left - LONG_WORK_CUT_AHEAD.toNanos());
        Future<Void> longClosed = longWork.waitAndClose(Duration.ofNanos(longLeft));
        Future<Void> blockingClosed = blocking.waitAndClose(Duration.ofNanos(longLeft));
        Future<Void> backgroundClosed = background.waitAndClose(Duration.ofNanos(left));
        boolean closed = awaitUntil(drained, closeDeadline);
        activity.print(closed ? "drained: every connection answered and closed" : "the drain did not end in time");
        return closed && awaitUntil(longClosed, closeDeadline) && awaitUntil(blockingClosed, closeDeadline)
                && awaitUntil(backgroundClosed, closeDeadline);
    }

    /** Stops accepting, then gives every scheduler the grace period at once; whether all closed in time. */
    private boolean closeAtOnce() {
        closeListening(serverChannel);
        closeListening(lineChannel);
        activity.print("stopping: no new connections; waiting up to " + Options.format(options.grace) + " for "
                + background.activeCount() + " active and " + background.pendingCount()
                + " pending background jobs and " + requests.size() + " requests");
        // (a request waiting for long work counts among the requests)
        Duration grace = options.grace;
        // Every group at once: the grace period is the server's, not each group's.
        Future<Void> backgroundClosed = background.waitAndClose(grace);
        Future<Void> longClosed = longWork.waitAndClose(grace);
        Future<Void> requestsClosed = requests.waitAndClose(grace);
        Future<Void> blockingClosed = blocking.waitAndClose(grace);
        long closeDeadline = System.nanoTime() + grace.plus(CLOSE_MARGIN).toNanos();
        return awaitUntil(backgroundClosed, closeDeadline) && awaitUntil(longClosed, closeDeadline)
                && awaitUntil(requestsClosed, closeDeadline) && awaitUntil(blockingClosed, closeDeadline);
    }

    /** Waits for {@code future} until {@code deadline} (a {@link System#nanoTime()}); whether it completed. */
    private static boolean awaitUntil(Future<?> future, long deadline) {
        return future.awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void closeListening(Channel channel) {
        if (channel != null && !channel.close().awaitUninterruptibly(LOOPS_STOP_BOUND.toMillis())) {
            activity.print(channel + " did not close within " + Options.format(LOOPS_STOP_BOUND));
        }
    }

    /** Waits until {@link #stop()} has finished. */
    public void awaitStop() {
        boolean interrupted = false;
        while (true) {
            try {
                stopped.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Runs the server until SIGTERM or Ctrl-C.
     *
     * @param args the options; {@code --help} lists them
     */
    public static void main(String[] args) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            Options.printHelp(System.err);
            System.exit(2);
            return;
        }
        if (options.help) {
            Options.printHelp(System.out);
            return;
        }
        ExampleServer server;
        try {
            server = start(options, System.out);
        } catch (Exception e) {
            System.err.println(Activity.PREFIX + "cannot listen on " + options.host + ':' + options.port + ": " + e);
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "nettyjobs-example-shutdown"));
        server.awaitStop();
    }
}
