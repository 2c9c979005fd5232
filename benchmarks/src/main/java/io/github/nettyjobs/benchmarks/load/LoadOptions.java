package io.github.nettyjobs.benchmarks.load;

import joptsimple.OptionException;
import joptsimple.OptionParser;
import joptsimple.OptionSet;
import joptsimple.OptionSpec;
import joptsimple.ValueConverter;
import joptsimple.util.PathConverter;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * The options of {@link LoadHarness}, parsed by jopt-simple.
 *
 * @param protocol        {@code http} or {@code line} (see {@link LoadHarness#protocol(String)})
 * @param durationSeconds measured seconds per route and round
 * @param warmupSeconds   warmup seconds before each measurement
 * @param rounds          rounds of both routes
 * @param connections     keep-alive connections
 * @param maxRequests     bound on requests per route and round (Java client)
 * @param client          {@code auto}, {@code wrk} or {@code java}
 * @param clientThreads   load generator threads
 * @param serverThreads   server event loops
 * @param jobs            {@code group}, {@code channel} or {@code full}
 * @param json            file for the JSON summary, or {@code null}
 * @param peers           the other frameworks' servers to measure too (see {@link PeerServer#NAMES});
 *                        HTTP only
 */
record LoadOptions(String protocol, int durationSeconds, int warmupSeconds, int rounds, int connections,
        long maxRequests,
                   String client, int clientThreads, int serverThreads, String jobs, Path json,
                   List<String> peers) {

    private static final OptionParser PARSER = new OptionParser();
    private static final OptionSpec<Void> HELP = PARSER.acceptsAll(List.of("h", "help"), "show this help").forHelp();
    private static final OptionSpec<String> PROTOCOL = PARSER.accepts("protocol",
            "protocol of both routes: http or line")
            .withRequiredArg().withValuesConvertedBy(oneOf("http", "line")).defaultsTo("http");
    private static final OptionSpec<Integer> DURATION = PARSER.accepts("duration",
            "measured seconds per route and round")
            .withRequiredArg().withValuesConvertedBy(between(1, 3600)).defaultsTo(10);
    private static final OptionSpec<Integer> WARMUP = PARSER.accepts("warmup", "warmup seconds before each measurement")
            .withRequiredArg().withValuesConvertedBy(between(0, 3600)).defaultsTo(5);
    private static final OptionSpec<Integer> ROUNDS = PARSER.accepts("rounds", "rounds; medians are reported")
            .withRequiredArg().withValuesConvertedBy(between(1, 100)).defaultsTo(3);
    private static final OptionSpec<Integer> CONNECTIONS = PARSER.accepts("connections", "keep-alive connections")
            .withRequiredArg().withValuesConvertedBy(between(1, 10_000)).defaultsTo(32);
    private static final OptionSpec<Integer> MAX_REQUESTS = PARSER.accepts("max-requests",
                    "bound on requests per route and round (Java client)")
            .withRequiredArg().withValuesConvertedBy(between(1, Integer.MAX_VALUE)).defaultsTo(20_000_000);
    private static final OptionSpec<String> CLIENT = PARSER.accepts("client", "auto (wrk when on the PATH and the "
                    + "protocol allows), wrk or java")
            .withRequiredArg().withValuesConvertedBy(oneOf("auto", "wrk", "java")).defaultsTo("auto");
    private static final OptionSpec<Integer> CLIENT_THREADS = PARSER.accepts("client-threads", "load generator threads")
            .withRequiredArg().withValuesConvertedBy(between(1, 256)).defaultsTo(1);
    private static final OptionSpec<Integer> SERVER_THREADS = PARSER.accepts("server-threads", "server event loops")
            .withRequiredArg().withValuesConvertedBy(between(1, 256)).defaultsTo(1);
    private static final OptionSpec<String> JOBS = PARSER.accepts("jobs", "group: a JobsHandler over a SchedulerGroup; "
                    + "channel: JobsHandler.perChannel, a scheduler per connection; full: a SchedulerGroup whose "
                    + "schedulers (rejectWhenFull) are full, so the atomic route answers every request with a 503")
            .withRequiredArg().withValuesConvertedBy(oneOf("group", "channel", "full")).defaultsTo("group");
    private static final OptionSpec<Path> JSON = PARSER.accepts("json",
            "also write the summary as JSON (for BenchmarkReport --load)")
            .withRequiredArg().withValuesConvertedBy(new PathConverter());
    private static final OptionSpec<String> PEERS = PARSER.accepts("peers", "other frameworks' HTTP hello servers "
                    + "measured too, against which the atomic route's ratio is given: reactor (Reactor Netty), vertx "
                    + "(Vert.x), a comma-separated list, or none; default: both for http, none for other protocols")
            .withRequiredArg().withValuesSeparatedBy(',')
            .withValuesConvertedBy(oneOf(concat(PeerServer.NAMES, "none")));

    /**
     * Parses the command line.
     *
     * @return the options, or {@code null} if help was asked for
     * @throws OptionException if an option is unknown or its value invalid
     */
    static LoadOptions parse(String... args) {
        OptionSet set = PARSER.parse(args);
        if (set.has(HELP)) {
            return null;
        }
        String protocol = set.valueOf(PROTOCOL);
        return new LoadOptions(protocol, set.valueOf(DURATION), set.valueOf(WARMUP), set.valueOf(ROUNDS),
                set.valueOf(CONNECTIONS), set.valueOf(MAX_REQUESTS), set.valueOf(CLIENT), set.valueOf(CLIENT_THREADS),
                set.valueOf(SERVER_THREADS), set.valueOf(JOBS), set.valueOf(JSON), peers(protocol, set));
    }

    /** The peers asked for, without {@code none}; both for HTTP by default. */
    private static List<String> peers(String protocol, OptionSet set) {
        if (!set.has(PEERS)) {
            return "http".equals(protocol) ? PeerServer.NAMES : List.of();
        }
        List<String> peers = set.valuesOf(PEERS).stream().filter(p -> !"none".equals(p)).distinct().toList();
        if (!peers.isEmpty() && !"http".equals(protocol)) {
            throw new IllegalArgumentException("--peers " + String.join(",", peers)
                    + ": the peers serve HTTP only, not "
                    + protocol);
        }
        return peers;
    }

    private static String[] concat(List<String> names, String last) {
        String[] all = names.toArray(new String[names.size() + 1]);
        all[names.size()] = last;
        return all;
    }

    /** Prints the options and their defaults. */
    static void printHelp(OutputStream out) throws IOException {
        PARSER.printHelpOn(out);
    }

    static ValueConverter<Integer> between(int min, int max) {
        return new ValueConverter<>() {
            @Override
            public Integer convert(String value) {
                int n;
                try {
                    n = Integer.parseInt(value);
                } catch (NumberFormatException e) {
                    throw new joptsimple.ValueConversionException(value + " (expected: a number)");
                }
                if (n < min || n > max) {
                    throw new joptsimple.ValueConversionException(n + " (expected: " + min + ".." + max + ')');
                }
                return n;
            }

            @Override
            public Class<Integer> valueType() {
                return Integer.class;
            }

            @Override
            public String valuePattern() {
                return "n";
            }
        };
    }

    static ValueConverter<String> oneOf(String... allowed) {
        return new ValueConverter<>() {
            @Override
            public String convert(String value) {
                if (!List.of(allowed).contains(value)) {
                    throw new joptsimple.ValueConversionException(value + " (expected: one of "
                            + String.join(", ", allowed) + ')');
                }
                return value;
            }

            @Override
            public Class<String> valueType() {
                return String.class;
            }

            @Override
            public String valuePattern() {
                return String.join("|", allowed);
            }
        };
    }
}
