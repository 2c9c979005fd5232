package io.github.nettyjobs.benchmarks;

import io.github.nettyjobs.Scheduler;
import io.github.nettyjobs.SchedulerGroup;
import io.github.nettyjobs.http.AsyncHttpHandler;
import io.github.nettyjobs.http.HttpJobs;
import io.github.nettyjobs.channel.JobsHandler;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.ResourceLeakDetector;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * HTTP load harness: serves the same small response from nettyjobs' atomic route
 * ({@link HttpJobs#atomic}) and from a plain Netty handler, both on loopback in this JVM, loads each
 * with a bounded closed-loop generator, and prints requests per second and p99 latency of both and
 * their ratio.
 *
 * <p>Each round measures both routes back to back, alternating which goes first; the harness
 * reports the ratio of the medians over the rounds and the median of the per-round ratios (the
 * steadier figure on a machine whose speed drifts). The load generator is {@code wrk} when it is on the {@code PATH} (or
 * {@code --client wrk}), else a Java keep-alive client ({@code --client java}). Every phase is
 * bounded in time, and the Java client also by {@code --max-requests}.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.github.nettyjobs.benchmarks.HttpLoadHarness \
 *     --duration 10 --warmup 5 --rounds 3 --connections 32 --client auto --json results.json
 * </pre>
 */
public final class HttpLoadHarness {


    private HttpLoadHarness() {
    }

    /**
     * Runs the harness.
     *
     * @param args options, see {@code --help}
     * @throws Exception if a server cannot start or a load run fails
     */
    public static void main(String[] args) throws Exception {
        HarnessOptions options;
        try {
            options = HarnessOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(HarnessOptions.USAGE);
            System.exit(2);
            return;
        }
        if (options == null) {
            System.out.println(HarnessOptions.USAGE);
            return;
        }
        run(options, System.out);
    }

    static void run(HarnessOptions options, PrintStream out) throws Exception {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        LoadClient client = client(options.client());
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(options.serverThreads(), NioIoHandler.newFactory());
        SchedulerGroup schedulers = SchedulerGroup.create(workers, Scheduler.builder());
        try {
            AsyncHttpHandler hello = (ctx, request) -> ctx.executor().newSucceededFuture(HelloResponses.hello(ctx.alloc()));
            Supplier<ChannelHandler> jobsHandler = switch (options.jobs()) {
                case "group" -> {
                    JobsHandler shared = new JobsHandler(schedulers);
                    yield () -> shared;
                }
                case "channel" -> () -> JobsHandler.perChannel(Scheduler.builder());
                default -> throw new IllegalArgumentException("--jobs: " + options.jobs());
            };
            Channel plain = bind(boss, workers, () -> new ChannelHandler[] {PlainHttpHandler.INSTANCE});
            Channel atomic = bind(boss, workers, () -> new ChannelHandler[] {jobsHandler.get(), HttpJobs.atomic(hello)});
            try {
                out.printf(Locale.ROOT, "nettyjobs HTTP load harness, %s, Java %s, %d cpus, client %s, "
                                + "%d connections, %d client / %d server threads, jobs %s, %ds warmup + %ds x %d rounds%n",
                        Instant.now(), System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(),
                        client.name(), options.connections(), options.clientThreads(), options.serverThreads(),
                        options.jobs(), options.warmupSeconds(), options.durationSeconds(), options.rounds());
                List<LoadResult> plainResults = new ArrayList<>();
                List<LoadResult> atomicResults = new ArrayList<>();
                for (int round = 1; round <= options.rounds(); round++) {
                    boolean plainFirst = round % 2 == 1;
                    for (int i = 0; i < 2; i++) {
                        boolean isPlain = plainFirst == (i == 0);
                        LoadResult result = client.run(isPlain ? "plain" : "atomic",
                                (InetSocketAddress) (isPlain ? plain : atomic).localAddress(), options);
                        (isPlain ? plainResults : atomicResults).add(result);
                        out.println("round " + round + "  " + result.format());
                    }
                }
                double plainRps = median(plainResults, LoadResult::requestsPerSecond);
                double atomicRps = median(atomicResults, LoadResult::requestsPerSecond);
                double plainP99 = median(plainResults, LoadResult::p99Micros);
                double atomicP99 = median(atomicResults, LoadResult::p99Micros);
                long errors = plainResults.stream().mapToLong(LoadResult::errors).sum()
                        + atomicResults.stream().mapToLong(LoadResult::errors).sum();
                out.printf(Locale.ROOT, "median  plain   %12.0f req/s   p99 %9.1f us%n", plainRps, plainP99);
                out.printf(Locale.ROOT, "median  atomic  %12.0f req/s   p99 %9.1f us%n", atomicRps, atomicP99);
                double pairedRps = medianRatio(atomicResults, plainResults, LoadResult::requestsPerSecond);
                double pairedP99 = medianRatio(atomicResults, plainResults, LoadResult::p99Micros);
                out.printf(Locale.ROOT, "ratio atomic/plain of the medians: requests/s %.3fx, p99 %.3fx, errors %d%n",
                        atomicRps / plainRps, atomicP99 / plainP99, errors);
                out.printf(Locale.ROOT, "median of the per-round ratios:    requests/s %.3fx, p99 %.3fx%n",
                        pairedRps, pairedP99);
                if (options.json() != null) {
                    writeJson(options, client, plainResults, atomicResults, plainRps, atomicRps, plainP99, atomicP99,
                            pairedRps, pairedP99);
                    out.println("results written to " + options.json());
                }
            } finally {
                plain.close().syncUninterruptibly();
                atomic.close().syncUninterruptibly();
            }
        } finally {
            schedulers.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            boss.terminationFuture().syncUninterruptibly();
        }
    }

    private static LoadClient client(String name) {
        return switch (name) {
            case "wrk" -> {
                if (!WrkLoadClient.available()) {
                    throw new IllegalStateException("--client wrk: no wrk on the PATH (apt-get install wrk)");
                }
                yield new WrkLoadClient();
            }
            case "java" -> new JavaLoadClient();
            case "auto" -> WrkLoadClient.available() ? new WrkLoadClient() : new JavaLoadClient();
            default -> throw new IllegalArgumentException("--client: " + name + " (expected: auto, wrk or java)");
        };
    }

    /**
     * Binds a route on an ephemeral loopback port: codec, aggregator, the route's handlers, and a
     * handler that closes connections whose socket failed.
     */
    private static Channel bind(EventLoopGroup boss, EventLoopGroup workers, Supplier<ChannelHandler[]> route) {
        return new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(64 * 1024));
                        ch.pipeline().addLast(route.get());
                        ch.pipeline().addLast(CloseOnExceptionHandler.INSTANCE);
                    }
                })
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .syncUninterruptibly()
                .channel();
    }

    private static double median(List<LoadResult> results, ToDoubleFunction<LoadResult> metric) {
        return median(results.stream().mapToDouble(metric).toArray());
    }

    private static double median(double[] values) {
        values = values.clone();
        Arrays.sort(values);
        int n = values.length;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }

    /**
     * The median over rounds of atomic/plain: each round measures both routes back to back, so a
     * ratio within a round is less exposed to a machine whose speed drifts than a ratio of medians.
     */
    private static double medianRatio(List<LoadResult> atomic, List<LoadResult> plain,
                                      ToDoubleFunction<LoadResult> metric) {
        double[] ratios = new double[atomic.size()];
        for (int i = 0; i < ratios.length; i++) {
            ratios[i] = metric.applyAsDouble(atomic.get(i)) / metric.applyAsDouble(plain.get(i));
        }
        return median(ratios);
    }

    private static void writeJson(HarnessOptions options, LoadClient client, List<LoadResult> plain,
                                  List<LoadResult> atomic, double plainRps, double atomicRps, double plainP99,
                                  double atomicP99, double pairedRps, double pairedP99) throws IOException {
        List<LoadResult> all = new ArrayList<>(plain);
        all.addAll(atomic);
        all.sort(Comparator.comparing(LoadResult::route));
        StringBuilder json = new StringBuilder();
        json.append("{\n  \"date\": \"").append(Instant.now()).append("\",\n")
                .append("  \"client\": \"").append(client.name()).append("\",\n")
                .append(String.format(Locale.ROOT,
                        "  \"connections\": %d, \"clientThreads\": %d, \"serverThreads\": %d, \"jobs\": \"%s\",%n"
                                + "  \"warmupSeconds\": %d, \"durationSeconds\": %d, \"rounds\": %d,%n",
                        options.connections(), options.clientThreads(), options.serverThreads(), options.jobs(),
                        options.warmupSeconds(), options.durationSeconds(), options.rounds()))
                .append("  \"runs\": [\n");
        for (int i = 0; i < all.size(); i++) {
            json.append("    ").append(all.get(i).toJson()).append(i + 1 < all.size() ? ",\n" : "\n");
        }
        json.append("  ],\n").append(String.format(Locale.ROOT,
                "  \"median\": {\"plainRequestsPerSecond\": %.1f, \"atomicRequestsPerSecond\": %.1f,"
                        + " \"plainP99Micros\": %.1f, \"atomicP99Micros\": %.1f},%n"
                        + "  \"ratio\": {\"requestsPerSecond\": %.4f, \"p99\": %.4f},%n"
                        + "  \"medianPerRoundRatio\": {\"requestsPerSecond\": %.4f, \"p99\": %.4f}%n}%n",
                plainRps, atomicRps, plainP99, atomicP99, atomicRps / plainRps, atomicP99 / plainP99,
                pairedRps, pairedP99));
        Files.writeString(Path.of(options.json()), json, StandardCharsets.UTF_8);
    }
}
