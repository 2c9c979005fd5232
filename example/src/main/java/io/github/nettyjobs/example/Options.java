package io.github.nettyjobs.example;

import java.time.Duration;
import java.util.Locale;

/** The example server's command line options; immutable. */
final class Options {

    static final String USAGE = String.join("\n",
            "usage: ExampleServer [options]",
            "  --host HOST            address to bind (default 127.0.0.1)",
            "  --port PORT            port to listen on, 0 for any free one (default 8080)",
            "  --limit N              background jobs running at once, 0 for no limit (default 100)",
            "  --pending-limit N      background jobs waiting to run, 0 for no limit (default 10000)",
            "  --grace DURATION       how long shutdown waits for jobs, e.g. 10s, 500ms, 2m (default 10s)",
            "  --threads N            event loops serving connections (default 1)",
            "  --line-port PORT       also serve the line protocol (SLEEP, ECHO, JOBS, QUIT) on this port,",
            "                         0 for any free one (default: not served)",
            "  --read-timeout DURATION  close a connection that sends no complete request for this long while",
            "                         none of its requests is being answered, e.g. 30s (default 30s)",
            "  --help                 this text");

    final String host;
    final int port;
    final int limit;
    final int pendingLimit;
    final Duration grace;
    final int threads;
    /** The line protocol's port, or {@link #NO_PORT}. */
    final int linePort;
    final Duration readTimeout;
    final boolean help;

    static final int NO_PORT = -1;

    private Options(String host, int port, int limit, int pendingLimit, Duration grace, int threads, int linePort,
                    Duration readTimeout, boolean help) {
        this.host = host;
        this.port = port;
        this.limit = limit;
        this.pendingLimit = pendingLimit;
        this.grace = grace;
        this.threads = threads;
        this.linePort = linePort;
        this.readTimeout = readTimeout;
        this.help = help;
    }

    /**
     * Parses {@code args}.
     *
     * @throws IllegalArgumentException naming the option that is unknown, lacks a value or has a bad one
     */
    static Options parse(String... args) {
        String host = "127.0.0.1";
        int port = 8080;
        int limit = 100;
        int pendingLimit = 10_000;
        Duration grace = Duration.ofSeconds(10);
        int threads = 1;
        int linePort = NO_PORT;
        Duration readTimeout = Duration.ofSeconds(30);
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (option.equals("--help") || option.equals("-h")) {
                help = true;
                continue;
            }
            if (i + 1 == args.length) {
                throw new IllegalArgumentException(option.startsWith("--") ? option + " needs a value" : "unknown option: " + option);
            }
            String value = args[++i];
            switch (option) {
                case "--host":
                    host = value;
                    break;
                case "--port":
                    port = integer(option, value, 0, 65_535);
                    break;
                case "--limit":
                    limit = integer(option, value, 0, Integer.MAX_VALUE);
                    break;
                case "--pending-limit":
                    pendingLimit = integer(option, value, 0, Integer.MAX_VALUE);
                    break;
                case "--grace":
                    grace = duration(option, value);
                    break;
                case "--threads":
                    threads = integer(option, value, 1, 1024);
                    break;
                case "--line-port":
                    linePort = integer(option, value, 0, 65_535);
                    break;
                case "--read-timeout":
                    readTimeout = duration(option, value);
                    if (readTimeout.isZero()) {
                        throw new IllegalArgumentException(option + ": " + value + " (expected: more than 0)");
                    }
                    break;
                default:
                    throw new IllegalArgumentException("unknown option: " + option);
            }
        }
        return new Options(host, port, limit, pendingLimit, grace, threads, linePort, readTimeout, help);
    }

    private static int integer(String option, String value, int min, int max) {
        int parsed;
        try {
            parsed = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": " + value + " is not a number");
        }
        if (parsed < min || parsed > max) {
            throw new IllegalArgumentException(option + ": " + value + " (expected: " + min + " to " + max + ")");
        }
        return parsed;
    }

    /** {@code 250ms}, {@code 10s}, {@code 2m}, or a plain number of seconds. */
    static Duration duration(String option, String value) {
        String text = value.trim().toLowerCase(Locale.ROOT);
        try {
            Duration duration;
            if (text.endsWith("ms")) {
                duration = Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
            } else if (text.endsWith("s")) {
                duration = Duration.ofMillis(Math.round(Double.parseDouble(text.substring(0, text.length() - 1)) * 1000));
            } else if (text.endsWith("m")) {
                duration = Duration.ofSeconds(Long.parseLong(text.substring(0, text.length() - 1)) * 60);
            } else {
                duration = Duration.ofMillis(Math.round(Double.parseDouble(text) * 1000));
            }
            if (duration.isNegative()) {
                throw new IllegalArgumentException(option + ": " + value + " is negative");
            }
            return duration;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": " + value + " is not a duration such as 10s, 500ms or 2m");
        }
    }

    /** A duration as a person writes it: {@code 10s}, {@code 1.5s}, {@code 250ms}. */
    static String format(Duration duration) {
        long millis = duration.toMillis();
        if (millis % 1000 == 0) {
            return millis / 1000 + "s";
        }
        return millis < 1000 ? millis + "ms" : millis / 1000.0 + "s";
    }
}
