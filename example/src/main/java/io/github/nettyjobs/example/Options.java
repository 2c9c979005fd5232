package io.github.nettyjobs.example;

import java.time.Duration;
import java.util.Locale;

/** The example server's command line options; immutable. */
final class Options {

    static final String USAGE = String.join("\n",
            "usage: ExampleServer [options]",
            "  --host HOST              address to bind (default 127.0.0.1)",
            "  --port PORT              port to listen on, 0 for any free one (default 8080)",
            "  --threads N              event loops serving connections (default 1); each has one scheduler of",
            "                           each kind below, and the limits are per loop",
            "  --line-port PORT         also serve the line protocol (SLEEP, ECHO, JOBS, QUIT) on this port,",
            "                           0 for any free one (default: not served)",
            "  --read-timeout DURATION  close a connection that sends no complete request for this long while",
            "                           none of its requests is being answered, e.g. 30s (default 30s)",
            "  --grace DURATION         how long shutdown waits for jobs, e.g. 10s, 500ms, 2m (default 10s)",
            "",
            "  Requests: every HTTP request and line command is a job of the requests scheduler.",
            "  --request-limit N        requests handled at once, 0 for no limit (default 100); must exceed",
            "                           --long-limit + --long-pending-limit, so long work never takes every slot",
            "  --pending-timeout DURATION  how long a request, or long work, may wait for a slot before it is",
            "                           answered 503 with Retry-After, 0 for no limit (default 5s)",
            "",
            "  Long work: GET /atomic and SLEEP run in the long scheduler, apart from the cheap routes.",
            "  --long-limit N           long work running at once (default 50, at least 1)",
            "  --long-pending-limit N   long work waiting for a slot; beyond it, 503 at once (default 10, at least 1)",
            "  --job-timeout DURATION   longest run of long work; then 503 with Retry-After, 0 for no limit",
            "                           (default 60s)",
            "",
            "  Background jobs: POST /jobs spawns into the background scheduler.",
            "  --limit N                background jobs running at once, 0 for no limit (default 100)",
            "  --pending-limit N        background jobs waiting to run, 0 for no limit (default 10000)",
            "  --reject-when-full BOOL  true: a spawn beyond the pending queue is answered 503 at once; false:",
            "                           the request waits for room, holding its request slot (default true)",
            "  --background-timeout DURATION  longest run of a background job, 0 for no limit (default 1h)",
            "",
            "  --help                   this text");

    /** A duration option's value that means "no limit". */
    static final Duration NO_LIMIT = Duration.ZERO;

    final String host;
    final int port;
    final int limit;
    final int pendingLimit;
    final Duration grace;
    final int threads;
    /** The line protocol's port, or {@link #NO_PORT}. */
    final int linePort;
    final Duration readTimeout;
    final int requestLimit;
    /** {@link #NO_LIMIT} for none. */
    final Duration pendingTimeout;
    final int longLimit;
    final int longPendingLimit;
    /** {@link #NO_LIMIT} for none. */
    final Duration jobTimeout;
    final boolean rejectWhenFull;
    /** {@link #NO_LIMIT} for none. */
    final Duration backgroundTimeout;
    final boolean help;

    static final int NO_PORT = -1;

    private Options(Parser parsed) {
        this.host = parsed.host;
        this.port = parsed.port;
        this.limit = parsed.limit;
        this.pendingLimit = parsed.pendingLimit;
        this.grace = parsed.grace;
        this.threads = parsed.threads;
        this.linePort = parsed.linePort;
        this.readTimeout = parsed.readTimeout;
        this.requestLimit = parsed.requestLimit;
        this.pendingTimeout = parsed.pendingTimeout;
        this.longLimit = parsed.longLimit;
        this.longPendingLimit = parsed.longPendingLimit;
        this.jobTimeout = parsed.jobTimeout;
        this.rejectWhenFull = parsed.rejectWhenFull;
        this.backgroundTimeout = parsed.backgroundTimeout;
        this.help = parsed.help;
    }

    /** The defaults, changed option by option. */
    private static final class Parser {
        String host = "127.0.0.1";
        int port = 8080;
        int limit = 100;
        int pendingLimit = 10_000;
        Duration grace = Duration.ofSeconds(10);
        int threads = 1;
        int linePort = NO_PORT;
        Duration readTimeout = Duration.ofSeconds(30);
        int requestLimit = 100;
        Duration pendingTimeout = Duration.ofSeconds(5);
        int longLimit = 50;
        int longPendingLimit = 10;
        Duration jobTimeout = Duration.ofSeconds(60);
        boolean rejectWhenFull = true;
        Duration backgroundTimeout = Duration.ofHours(1);
        boolean help;

        void set(String option, String value) {
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
                case "--request-limit":
                    requestLimit = integer(option, value, 0, Integer.MAX_VALUE);
                    break;
                case "--pending-timeout":
                    pendingTimeout = duration(option, value);
                    break;
                case "--long-limit":
                    longLimit = integer(option, value, 1, Integer.MAX_VALUE);
                    break;
                case "--long-pending-limit":
                    longPendingLimit = integer(option, value, 1, Integer.MAX_VALUE);
                    break;
                case "--job-timeout":
                    jobTimeout = duration(option, value);
                    break;
                case "--reject-when-full":
                    rejectWhenFull = bool(option, value);
                    break;
                case "--background-timeout":
                    backgroundTimeout = duration(option, value);
                    break;
                default:
                    throw new IllegalArgumentException("unknown option: " + option);
            }
        }

        Options build() {
            if (requestLimit != 0 && (long) requestLimit <= (long) longLimit + longPendingLimit) {
                throw new IllegalArgumentException("--request-limit: " + requestLimit + " (expected: 0, or more than"
                        + " --long-limit + --long-pending-limit = " + ((long) longLimit + longPendingLimit)
                        + ", so that long work never takes every request slot)");
            }
            return new Options(this);
        }
    }

    /**
     * Parses {@code args}.
     *
     * @throws IllegalArgumentException naming the option that is unknown, lacks a value or has a bad one
     */
    static Options parse(String... args) {
        Parser parser = new Parser();
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (option.equals("--help") || option.equals("-h")) {
                parser.help = true;
                continue;
            }
            if (i + 1 == args.length) {
                throw new IllegalArgumentException(option.startsWith("--") ? option + " needs a value" : "unknown option: " + option);
            }
            parser.set(option, args[++i]);
        }
        return parser.build();
    }

    /** {@code null} for {@link #NO_LIMIT}, as the scheduler's builder takes it. */
    static Duration orNone(Duration limit) {
        return limit.isZero() ? null : limit;
    }

    private static boolean bool(String option, String value) {
        switch (value.toLowerCase(Locale.ROOT)) {
            case "true":
                return true;
            case "false":
                return false;
            default:
                throw new IllegalArgumentException(option + ": " + value + " (expected: true or false)");
        }
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

    /** {@code 250ms}, {@code 10s}, {@code 2m}, {@code 1h}, or a plain number of seconds. */
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
            } else if (text.endsWith("h")) {
                duration = Duration.ofSeconds(Long.parseLong(text.substring(0, text.length() - 1)) * 3600);
            } else {
                duration = Duration.ofMillis(Math.round(Double.parseDouble(text) * 1000));
            }
            if (duration.isNegative()) {
                throw new IllegalArgumentException(option + ": " + value + " is negative");
            }
            return duration;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": " + value + " is not a duration such as 10s, 500ms, 2m or 1h");
        }
    }

    /** A duration as a person writes it: {@code 10s}, {@code 1.5s}, {@code 250ms}, {@code 1h}. */
    static String format(Duration duration) {
        long millis = duration.toMillis();
        if (millis >= 3_600_000 && millis % 3_600_000 == 0) {
            return millis / 3_600_000 + "h";
        }
        if (millis % 1000 == 0) {
            return millis / 1000 + "s";
        }
        return millis < 1000 ? millis + "ms" : millis / 1000.0 + "s";
    }
}
