package io.github.nettyjobs.benchmarks;

/**
 * The options of {@link HttpLoadHarness}.
 *
 * @param durationSeconds measured seconds per route and round
 * @param warmupSeconds   warmup seconds before each measurement
 * @param rounds          rounds of both routes
 * @param connections     keep-alive connections
 * @param maxRequests     bound on requests per route and round (Java client)
 * @param client          {@code auto}, {@code wrk} or {@code java}
 * @param clientThreads   load generator threads
 * @param serverThreads   server event loops
 * @param jobs            {@code group} or {@code channel}
 * @param json            file for JSON results, or {@code null}
 */
record HarnessOptions(int durationSeconds, int warmupSeconds, int rounds, int connections, long maxRequests,
                      String client, int clientThreads, int serverThreads, String jobs, String json) {

    static final String USAGE = String.join("\n",
            "usage: HttpLoadHarness [options]",
            "  --duration S        measured seconds per route and round (default 10)",
            "  --warmup S          warmup seconds before each measurement (default 5)",
            "  --rounds N          rounds; medians are reported (default 3)",
            "  --connections N     keep-alive connections (default 32)",
            "  --max-requests N    bound on requests per route and round, Java client (default 20000000)",
            "  --client C          auto | wrk | java (default auto: wrk when on the PATH)",
            "  --client-threads N  load generator threads (default 1)",
            "  --server-threads N  server event loops (default 1)",
            "  --jobs J            group: JobsHandler over a SchedulerGroup (default);",
            "                      channel: JobsHandler.perChannel, a scheduler per connection",
            "  --json FILE         also write the results as JSON");

    /** Parses the command line; {@code null} for {@code --help}. */
    static HarnessOptions parse(String[] args) {
        int duration = 10;
        int warmup = 5;
        int rounds = 3;
        int connections = 32;
        long maxRequests = 20_000_000L;
        String client = "auto";
        int clientThreads = 1;
        int serverThreads = 1;
        String jobs = "group";
        String json = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if ("--help".equals(arg) || "-h".equals(arg)) {
                return null;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(arg + ": missing value");
            }
            String value = args[++i];
            switch (arg) {
                case "--duration" -> duration = positive(arg, value, 3600);
                case "--warmup" -> warmup = positive(arg, value, 3600);
                case "--rounds" -> rounds = positive(arg, value, 100);
                case "--connections" -> connections = positive(arg, value, 10_000);
                case "--max-requests" -> maxRequests = positive(arg, value, Integer.MAX_VALUE);
                case "--client" -> client = oneOf(arg, value, "auto", "wrk", "java");
                case "--client-threads" -> clientThreads = positive(arg, value, 256);
                case "--server-threads" -> serverThreads = positive(arg, value, 256);
                case "--jobs" -> jobs = oneOf(arg, value, "group", "channel");
                case "--json" -> json = value;
                default -> throw new IllegalArgumentException("unknown option: " + arg);
            }
        }
        if (duration == 0) {
            throw new IllegalArgumentException("--duration: 0 (expected: > 0)");
        }
        if (rounds == 0 || connections == 0 || maxRequests == 0 || clientThreads == 0 || serverThreads == 0) {
            throw new IllegalArgumentException("--rounds, --connections, --max-requests and --*-threads must be > 0");
        }
        return new HarnessOptions(duration, warmup, rounds, connections, maxRequests, client, clientThreads,
                serverThreads, jobs, json);
    }

    private static int positive(String name, String value, int max) {
        int n;
        try {
            n = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: a number)");
        }
        if (n < 0 || n > max) {
            throw new IllegalArgumentException(name + ": " + n + " (expected: 0.." + max + ')');
        }
        return n;
    }

    private static String oneOf(String name, String value, String... allowed) {
        for (String a : allowed) {
            if (a.equals(value)) {
                return value;
            }
        }
        throw new IllegalArgumentException(name + ": " + value + " (expected: one of " + String.join(", ", allowed) + ')');
    }
}
