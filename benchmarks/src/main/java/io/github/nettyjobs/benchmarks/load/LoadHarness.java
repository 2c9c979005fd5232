package io.github.nettyjobs.benchmarks.load;

import io.github.nettyjobs.Scheduler;
import io.github.nettyjobs.SchedulerGroup;
import io.github.nettyjobs.benchmarks.load.LoadProtocol.Route;
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
import io.netty.util.ResourceLeakDetector;
import io.netty.util.concurrent.DefaultThreadFactory;
import joptsimple.OptionException;

import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Load harness: serves the same small response from nettyjobs' atomic handler and from a plain
 * Netty handler, both on loopback in this JVM, loads each with a bounded closed-loop generator, and
 * prints requests per second and p99 latency of both and their ratio. For HTTP it also measures the
 * hello servers of Reactor Netty and Vert.x ({@code --peers}, see {@link PeerServer}) in the same
 * rounds, on as many NIO event loops as the routes have, and gives the atomic route's ratio to each.
 *
 * <p>The protocol is pluggable ({@code --protocol}; a {@link LoadProtocol} gives each route's server
 * pipeline and the client's codec), so the comparison is the same for HTTP and for any other
 * protocol the atomic handler serves. Each round measures every server back to back, each round
 * starting one server further on; the harness reports the ratio of the medians over the rounds and
 * the median of the per-round ratios (the steadier figure on a machine whose speed drifts). The load
 * generator is {@code wrk} when it is on the {@code PATH} and speaks the protocol (or
 * {@code --client wrk}), else a Java keep-alive client ({@code --client java}). Every phase is
 * bounded in time, and the Java client also by {@code --max-requests}.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.github.nettyjobs.benchmarks.load.LoadHarness \
 *     --duration 10 --warmup 5 --rounds 3 --connections 32 --client auto --json load.json
 * </pre>
 */
public final class LoadHarness {

    /** The prefix of the names of the routes' server threads (both routes share them). */
    private static final String SERVER_THREADS = "nettyjobs-server";

    private LoadHarness() {
    }

    /**
     * Runs the harness.
     *
     * @param args options, see {@code --help}
     * @throws Exception if a server cannot start or a load run fails
     */
    public static void main(String[] args) throws Exception {
        LoadOptions options;
        try {
            options = LoadOptions.parse(args);
        } catch (OptionException | IllegalArgumentException e) {
            System.err.println(e.getMessage());
            LoadOptions.printHelp(System.err);
            System.exit(2);
            return;
        }
        if (options == null) {
            LoadOptions.printHelp(System.out);
            return;
        }
        run(options, System.out);
    }

    /**
     * The protocol named by {@code --protocol}: adding one is a class and a line here.
     *
     * @param name the option's value
     * @return the protocol
     */
    static LoadProtocol protocol(String name) {
        return switch (name) {
            case "http" -> new HttpLoadProtocol();
            case "line" -> new LineLoadProtocol();
            default -> throw new IllegalArgumentException("--protocol: " + name);
        };
    }

    static LoadSummary run(LoadOptions options, PrintStream out) throws Exception {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        LoadProtocol protocol = protocol(options.protocol());
        LoadClient client = client(options.client(), protocol);
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory(SERVER_THREADS + "-boss"),
                NioIoHandler.newFactory());
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(options.serverThreads(),
                new DefaultThreadFactory(SERVER_THREADS), NioIoHandler.newFactory());
        boolean full = options.jobs().equals("full");
        SchedulerGroup schedulers = SchedulerGroup.create(workers,
                full ? Scheduler.builder().limit(1).pendingLimit(1).rejectWhenFull(true) : Scheduler.builder());
        List<PeerServer> peers = new ArrayList<>();
        try {
            Supplier<ChannelHandler> jobsHandler = switch (options.jobs()) {
                case "full" -> {
                    fill(schedulers);
                    JobsHandler shared = new JobsHandler(schedulers);
                    yield () -> shared;
                }
                case "group" -> {
                    JobsHandler shared = new JobsHandler(schedulers);
                    yield () -> shared;
                }
                case "channel" -> () -> JobsHandler.perChannel(Scheduler.builder());
                default -> throw new IllegalArgumentException("--jobs: " + options.jobs());
            };
            Channel plain = bind(boss, workers, protocol, Route.PLAIN, null);
            Channel atomic = bind(boss, workers, protocol, Route.ATOMIC, jobsHandler);
            try {
                List<Target> targets = new ArrayList<>();
                ServerCpuMeter routesCpu = new ServerCpuMeter(name -> name.startsWith(SERVER_THREADS));
                targets.add(new Target(Route.PLAIN.label(), (InetSocketAddress) plain.localAddress(), routesCpu));
                targets.add(new Target(Route.ATOMIC.label(), (InetSocketAddress) atomic.localAddress(), routesCpu));
                for (String name : options.peers()) {
                    PeerServer peer = PeerServer.start(name, options.serverThreads());
                    peers.add(peer);
                    targets.add(new Target(peer.name(), peer.address(), new ServerCpuMeter(peer::isServerThread)));
                }
                printHeader(options, protocol, client, out);
                List<List<LoadResult>> results = measure(options, protocol, client, targets, out);
                LoadSummary summary = summarize(options, protocol, client, targets, results);
                printSummary(summary, out);
                if (options.json() != null) {
                    summary.write(options.json());
                    out.println("summary written to " + options.json());
                }
                return summary;
            } finally {
                plain.close().syncUninterruptibly();
                atomic.close().syncUninterruptibly();
            }
        } finally {
            for (PeerServer peer : peers) {
                peer.close();
            }
            schedulers.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            boss.terminationFuture().syncUninterruptibly();
        }
    }

    /**
     * A server the harness loads: a route, or a peer.
     *
     * @param label   the name results are labelled with
     * @param address its loopback address
     * @param cpu     the CPU time of its threads
     */
    private record Target(String label, InetSocketAddress address, ServerCpuMeter cpu) {
    }

    private static void printHeader(LoadOptions options, LoadProtocol protocol, LoadClient client, PrintStream out) {
        out.printf(Locale.ROOT, "nettyjobs load harness, %s, %s, Java %s, %d cpus, client %s, "
                        + "%d connections, %d client / %d server threads, jobs %s, peers %s, "
                        + "%ds warmup + %ds x %d rounds%n",
                protocol.name(), Instant.now(), System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(), client.name(), options.connections(),
                options.clientThreads(), options.serverThreads(), options.jobs(),
                options.peers().isEmpty() ? "none" : String.join(",", options.peers()), options.warmupSeconds(),
                options.durationSeconds(), options.rounds());
    }

    /**
     * Measures every target once per round, back to back; each round starts one target further on,
     * so that no target is always the first (or the last) of its round.
     *
     * @return the results of each target, in round order, in the order of {@code targets}
     */
    private static List<List<LoadResult>> measure(LoadOptions options, LoadProtocol protocol, LoadClient client,
                                                  List<Target> targets, PrintStream out) throws Exception {
        List<List<LoadResult>> results = new ArrayList<>();
        for (int i = 0; i < targets.size(); i++) {
            results.add(new ArrayList<>());
        }
        for (int round = 0; round < options.rounds(); round++) {
            for (int i = 0; i < targets.size(); i++) {
                int index = (round + i) % targets.size();
                Target target = targets.get(index);
                LoadResult result = client.run(protocol, target.label(), target.address(), options, target.cpu());
                results.get(index).add(result);
                out.println("round " + (round + 1) + "  " + result.format());
            }
        }
        return results;
    }

    private static void printSummary(LoadSummary summary, PrintStream out) {
        String median = "median  %-7s %12.0f req/s   p99 %9.1f us   server %9.0f req/cpu-s%n";
        out.printf(Locale.ROOT, median, Route.PLAIN.label(), summary.plainRequestsPerSecond(),
                summary.plainP99Micros(), summary.plainRequestsPerCpuSecond());
        out.printf(Locale.ROOT, median, Route.ATOMIC.label(), summary.atomicRequestsPerSecond(),
                summary.atomicP99Micros(), summary.atomicRequestsPerCpuSecond());
        for (LoadSummary.Peer peer : summary.peers()) {
            out.printf(Locale.ROOT, median, peer.name(), peer.requestsPerSecond(), peer.p99Micros(),
                    peer.requestsPerCpuSecond());
        }
        out.printf(Locale.ROOT, "ratio atomic/plain of the medians: requests/s %.3fx, p99 %.3fx, errors %d%n",
                summary.atomicRequestsPerSecond() / summary.plainRequestsPerSecond(),
                summary.atomicP99Micros() / summary.plainP99Micros(), summary.errors());
        out.printf(Locale.ROOT, "median of the per-round ratios:    requests/s %.3fx, p99 %.3fx, "
                        + "requests per server CPU second %.3fx%n",
                summary.medianPerRoundRatio(), summary.medianPerRoundP99Ratio(), summary.medianPerRoundCpuRatio());
        for (LoadSummary.Peer peer : summary.peers()) {
            out.printf(Locale.ROOT, "atomic/%-7s requests/s: ratio of the medians %.3fx, median of the per-round "
                            + "ratios %.3fx; requests per server CPU second: median of the per-round ratios %.3fx%n",
                    peer.name(), summary.atomicRequestsPerSecond() / peer.requestsPerSecond(),
                    peer.medianPerRoundAtomicRatio(), peer.medianPerRoundAtomicCpuRatio());
        }
    }

    /** {@code results} holds plain's results, then atomic's, then each peer's, as {@code targets}. */
    private static LoadSummary summarize(LoadOptions options, LoadProtocol protocol, LoadClient client,
                                         List<Target> targets, List<List<LoadResult>> results) {
        List<LoadResult> plain = results.get(0);
        List<LoadResult> atomic = results.get(1);
        List<LoadResult> runs = new ArrayList<>();
        results.forEach(runs::addAll);
        long errors = runs.stream().mapToLong(LoadResult::errors).sum();
        List<LoadSummary.Peer> peers = new ArrayList<>();
        for (int i = 2; i < targets.size(); i++) {
            List<LoadResult> peer = results.get(i);
            peers.add(new LoadSummary.Peer(targets.get(i).label(), median(peer, LoadResult::requestsPerSecond),
                    median(peer, LoadResult::p99Micros), medianRatio(atomic, peer, LoadResult::requestsPerSecond),
                    median(peer, LoadResult::requestsPerCpuSecond),
                    medianRatio(atomic, peer, LoadResult::requestsPerCpuSecond)));
        }
        return new LoadSummary(Instant.now().toString(), protocol.name(), client.name(), options.connections(),
                options.clientThreads(), options.serverThreads(), options.jobs(), options.warmupSeconds(),
                options.durationSeconds(), options.rounds(), runs,
                median(plain, LoadResult::requestsPerSecond), median(atomic, LoadResult::requestsPerSecond),
                median(plain, LoadResult::p99Micros), median(atomic, LoadResult::p99Micros),
                medianRatio(atomic, plain, LoadResult::requestsPerSecond),
                medianRatio(atomic, plain, LoadResult::p99Micros), errors, peers,
                median(plain, LoadResult::requestsPerCpuSecond), median(atomic, LoadResult::requestsPerCpuSecond),
                medianRatio(atomic, plain, LoadResult::requestsPerCpuSecond));
    }

    private static LoadClient client(String name, LoadProtocol protocol) {
        boolean wrkSpeaksIt = protocol.wrkUrl(InetSocketAddress.createUnresolved("localhost", 1)) != null;
        return switch (name) {
            case "wrk" -> {
                if (!wrkSpeaksIt) {
                    throw new IllegalArgumentException("--client wrk: wrk cannot load the " + protocol.name()
                            + " protocol");
                }
                if (!WrkLoadClient.available()) {
                    throw new IllegalStateException("--client wrk: no wrk on the PATH (apt-get install wrk)");
                }
                yield new WrkLoadClient();
            }
            case "java" -> new JavaLoadClient();
            case "auto" -> wrkSpeaksIt && WrkLoadClient.available() ? new WrkLoadClient() : new JavaLoadClient();
            default -> throw new IllegalArgumentException("--client: " + name + " (expected: auto, wrk or java)");
        };
    }

    /**
     * Takes each scheduler's one slot and one pending place with jobs that end only when it closes,
     * so that every spawn is refused: the atomic route then measures a server refusing work.
     */
    private static void fill(SchedulerGroup schedulers) {
        for (Scheduler s : schedulers) {
            s.executor().submit(() -> {
                s.spawn(s.executor()::newPromise);
                s.spawn(s.executor()::newPromise);
                if (s.activeCount() != 1 || s.pendingCount() != 1) {
                    throw new IllegalStateException("the scheduler is not full: " + s);
                }
                return null;
            }).syncUninterruptibly();
        }
    }

    /**
     * Binds a route on an ephemeral loopback port: the jobs handler (atomic route only), the
     * protocol's pipeline, and a handler that closes connections whose socket failed.
     */
    private static Channel bind(EventLoopGroup boss, EventLoopGroup workers, LoadProtocol protocol, Route route,
                                Supplier<ChannelHandler> jobsHandler) {
        return new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (jobsHandler != null) {
                            ch.pipeline().addLast(jobsHandler.get());
                        }
                        protocol.initServer(ch.pipeline(), route);
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
     * The median over rounds of atomic/other: each round measures every target back to back, so a
     * ratio within a round is less exposed to a machine whose speed drifts than a ratio of medians.
     */
    private static double medianRatio(List<LoadResult> atomic, List<LoadResult> other,
                                      ToDoubleFunction<LoadResult> metric) {
        double[] ratios = new double[atomic.size()];
        for (int i = 0; i < ratios.length; i++) {
            ratios[i] = metric.applyAsDouble(atomic.get(i)) / metric.applyAsDouble(other.get(i));
        }
        return median(ratios);
    }
}
