package io.github.nettyjobs.example;

import joptsimple.OptionException;
import joptsimple.OptionParser;
import joptsimple.OptionSet;
import joptsimple.OptionSpec;
import joptsimple.ValueConversionException;
import joptsimple.ValueConverter;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/** The example server's command line options, parsed with jopt-simple; immutable. */
final class Options {

    /** A duration option's value that means "no limit". */
    static final Duration NO_LIMIT = Duration.ZERO;
    /** {@link #linePort} when the line protocol is not served. */
    static final int NO_PORT = -1;

    private static final OptionParser PARSER = new OptionParser();
    private static final OptionSpec<Void> HELP = PARSER.acceptsAll(List.of("h", "help"), "this text").forHelp();
    private static final OptionSpec<String> HOST = PARSER.accepts("host", "address to bind")
            .withRequiredArg().defaultsTo("127.0.0.1");
    private static final OptionSpec<Integer> PORT = PARSER.accepts("port", "port to listen on, 0 for any free one")
            .withRequiredArg().withValuesConvertedBy(between(0, 65_535)).defaultsTo(8080);
    private static final OptionSpec<Integer> THREADS = PARSER.accepts("threads",
                    "event loops serving connections; each has one scheduler of each kind, and the limits are per loop")
            .withRequiredArg().withValuesConvertedBy(between(1, 1024)).defaultsTo(1);
    private static final OptionSpec<Integer> LINE_PORT = PARSER.accepts("line-port",
                    "also serve the line protocol (SLEEP, ECHO, JOBS, QUIT) on this port, 0 for any free one "
                            + "(default: not served)")
            .withRequiredArg().withValuesConvertedBy(between(0, 65_535));
    private static final OptionSpec<Duration> READ_TIMEOUT = PARSER.accepts("read-timeout",
                    "close a connection that sends no complete request for this long while none of its requests is "
                            + "being answered (default: 30s)")
            .withRequiredArg().withValuesConvertedBy(durations(false));
    private static final OptionSpec<Duration> GRACE = PARSER.accepts("grace",
                    "how long shutdown may take from SIGTERM, the drain's timeout: then the jobs left are cancelled "
                            + "(default: 20s)")
            .withRequiredArg().withValuesConvertedBy(durations(true));
    private static final OptionSpec<Duration> QUIET_PERIOD = PARSER.accepts("quiet-period",
                    "how long a draining server still accepts connections and keeps idle ones open, while GET /ready "
                            + "answers 503 and a load balancer takes it out of service; at most --grace (default: 2s)")
            .withRequiredArg().withValuesConvertedBy(durations(true));
    private static final OptionSpec<Boolean> DRAIN = PARSER.accepts("drain",
                    "true: SIGTERM drains (GET /ready 503, connections closed after their last answer, a quiet "
                            + "period); "
                            + "false: it stops accepting at once, then waits for the jobs")
            .withRequiredArg().withValuesConvertedBy(booleans()).defaultsTo(true);
    private static final OptionSpec<Integer> REQUEST_LIMIT = PARSER.accepts("request-limit",
                    "requests (HTTP requests and line commands, each a job of the requests scheduler) handled at once, "
                            + "0 for no limit; must exceed --long-limit + --long-pending-limit + --blocking-limit "
                            + "+ --blocking-pending-limit")
            .withRequiredArg().withValuesConvertedBy(between(0, Integer.MAX_VALUE)).defaultsTo(100);
    private static final OptionSpec<Duration> PENDING_TIMEOUT = PARSER.accepts("pending-timeout",
                    "how long a request, or long work, may wait for a slot before it is answered 503, 0 for no limit "
                            + "(default: 5s)")
            .withRequiredArg().withValuesConvertedBy(durations(true));
    private static final OptionSpec<Integer> LONG_LIMIT = PARSER.accepts("long-limit",
                    "long work (GET /atomic, SLEEP: the long scheduler) running at once")
            .withRequiredArg().withValuesConvertedBy(between(1, Integer.MAX_VALUE)).defaultsTo(50);
    private static final OptionSpec<Integer> LONG_PENDING_LIMIT = PARSER.accepts("long-pending-limit",
                    "long work waiting for a slot; beyond it, 503 at once")
            .withRequiredArg().withValuesConvertedBy(between(1, Integer.MAX_VALUE)).defaultsTo(10);
    private static final OptionSpec<Duration> JOB_TIMEOUT = PARSER.accepts("job-timeout",
                    "longest run of long work, then 503, 0 for no limit (default: 60s)")
            .withRequiredArg().withValuesConvertedBy(durations(true));
    private static final OptionSpec<Integer> BLOCKING_LIMIT = PARSER.accepts("blocking-limit",
                    "blocking calls (GET /blocking, BLOCK: the blocking scheduler, off the event loop) running at once")
            .withRequiredArg().withValuesConvertedBy(between(1, Integer.MAX_VALUE)).defaultsTo(20);
    private static final OptionSpec<Integer> BLOCKING_PENDING_LIMIT = PARSER.accepts("blocking-pending-limit",
                    "blocking calls waiting for a slot; beyond it, 503 at once")
            .withRequiredArg().withValuesConvertedBy(between(1, Integer.MAX_VALUE)).defaultsTo(10);
    private static final OptionSpec<Duration> BLOCKING_TIMEOUT = PARSER.accepts("blocking-timeout",
                    "longest blocking call, then its thread is interrupted and the request gets 503, 0 for no limit "
                            + "(default: 10s)")
            .withRequiredArg().withValuesConvertedBy(durations(true));
    private static final OptionSpec<Integer> LIMIT = PARSER.accepts("limit",
                    "background jobs (POST /jobs: the background scheduler) running at once, 0 for no limit")
            .withRequiredArg().withValuesConvertedBy(between(0, Integer.MAX_VALUE)).defaultsTo(100);
    private static final OptionSpec<Integer> PENDING_LIMIT = PARSER.accepts("pending-limit",
                    "background jobs waiting to run, 0 for no limit")
            .withRequiredArg().withValuesConvertedBy(between(0, Integer.MAX_VALUE)).defaultsTo(10_000);
    private static final OptionSpec<Boolean> REJECT_WHEN_FULL = PARSER.accepts("reject-when-full",
                    "true: a background spawn beyond the pending queue is answered 503 at once; "
                            + "false: the request waits for room, holding its request slot")
            .withRequiredArg().withValuesConvertedBy(booleans()).defaultsTo(true);
    private static final OptionSpec<Duration> BACKGROUND_TIMEOUT = PARSER.accepts("background-timeout",
                    "longest run of a background job, 0 for no limit (default: 1h)")
            .withRequiredArg().withValuesConvertedBy(durations(true));

    final String host;
    final int port;
    final int limit;
    final int pendingLimit;
    final Duration grace;
    /** At most {@link #grace}. */
    final Duration quietPeriod;
    final boolean drain;
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
    final int blockingLimit;
    final int blockingPendingLimit;
    /** {@link #NO_LIMIT} for none. */
    final Duration blockingTimeout;
    final boolean rejectWhenFull;
    /** {@link #NO_LIMIT} for none. */
    final Duration backgroundTimeout;
    final boolean help;

    private Options(OptionSet set) {
        this.host = set.valueOf(HOST);
        this.port = set.valueOf(PORT);
        this.limit = set.valueOf(LIMIT);
        this.pendingLimit = set.valueOf(PENDING_LIMIT);
        this.grace = valueOr(set, GRACE, Duration.ofSeconds(20));
        Duration quiet = valueOr(set, QUIET_PERIOD, Duration.ofSeconds(2));
        this.quietPeriod = quiet.compareTo(grace) > 0 ? grace : quiet;
        this.drain = set.valueOf(DRAIN);
        this.threads = set.valueOf(THREADS);
        this.linePort = set.has(LINE_PORT) ? set.valueOf(LINE_PORT) : NO_PORT;
        this.readTimeout = valueOr(set, READ_TIMEOUT, Duration.ofSeconds(30));
        this.requestLimit = set.valueOf(REQUEST_LIMIT);
        this.pendingTimeout = valueOr(set, PENDING_TIMEOUT, Duration.ofSeconds(5));
        this.longLimit = set.valueOf(LONG_LIMIT);
        this.longPendingLimit = set.valueOf(LONG_PENDING_LIMIT);
        this.jobTimeout = valueOr(set, JOB_TIMEOUT, Duration.ofSeconds(60));
        this.blockingLimit = set.valueOf(BLOCKING_LIMIT);
        this.blockingPendingLimit = set.valueOf(BLOCKING_PENDING_LIMIT);
        this.blockingTimeout = valueOr(set, BLOCKING_TIMEOUT, Duration.ofSeconds(10));
        this.rejectWhenFull = set.valueOf(REJECT_WHEN_FULL);
        this.backgroundTimeout = valueOr(set, BACKGROUND_TIMEOUT, Duration.ofHours(1));
        this.help = set.has(HELP);
    }

    private static Duration valueOr(OptionSet set, OptionSpec<Duration> option, Duration defaultValue) {
        return set.has(option) ? set.valueOf(option) : defaultValue;
    }

    /**
     * Parses {@code args}.
     *
     * @throws IllegalArgumentException naming the option that is unknown, lacks a value or has a bad one
     */
    static Options parse(String... args) {
        Options options;
        try {
            OptionSet set = PARSER.parse(args);
            if (!set.nonOptionArguments().isEmpty()) {
                throw new IllegalArgumentException("unknown option: " + set.nonOptionArguments().get(0));
            }
            options = new Options(set); // jopt-simple converts the values here
        } catch (OptionException e) {
            throw new IllegalArgumentException(describe(e), e);
        }
        // A request waits in its slot for its long work or its blocking call: those must leave slots free.
        long waiting = (long) options.longLimit + options.longPendingLimit + options.blockingLimit
                + options.blockingPendingLimit;
        if (options.requestLimit != 0 && options.requestLimit <= waiting) {
            throw new IllegalArgumentException("--request-limit: " + options.requestLimit
                    + " (expected: 0, or more than"
                    + " --long-limit + --long-pending-limit + --blocking-limit + --blocking-pending-limit = " + waiting
                    + ", so that long work and blocking calls never take every request slot)");
        }
        return options;
    }

    /** jopt-simple's failures in the words of the other messages: the option first. */
    private static String describe(OptionException e) {
        String name = e.options().iterator().next();
        String option = "--" + name;
        if (e.getCause() instanceof ValueConversionException) {
            return option + ": " + e.getCause().getMessage();
        }
        if (!PARSER.recognizedOptions().containsKey(name)) {
            return "unknown option: " + option;
        }
        return option + " needs a value";
    }

    /** Writes the usage and the options, with their defaults, to {@code out}. */
    static void printHelp(PrintStream out) {
        out.println("usage: ExampleServer [options]");
        out.println("Durations are written 250ms, 10s, 1.5s, 2m, 1h or as plain seconds.");
        out.println();
        try {
            PARSER.printHelpOn((OutputStream) out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code null} for {@link #NO_LIMIT}, as the scheduler's builder takes it. */
    static Duration orNone(Duration limit) {
        return limit.isZero() ? null : limit;
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

    /** {@code 250ms}, {@code 10s}, {@code 2m}, {@code 1h}, or a plain number of seconds. */
    static Duration duration(String value) {
        String text = value.trim().toLowerCase(Locale.ROOT);
        try {
            Duration duration;
            if (text.endsWith("ms")) {
                duration = Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
            } else if (text.endsWith("s")) {
                duration = Duration.ofMillis(Math.round(Double.parseDouble(text.substring(0,
                        text.length() - 1)) * 1000));
            } else if (text.endsWith("m")) {
                duration = Duration.ofSeconds(Long.parseLong(text.substring(0, text.length() - 1)) * 60);
            } else if (text.endsWith("h")) {
                duration = Duration.ofSeconds(Long.parseLong(text.substring(0, text.length() - 1)) * 3600);
            } else {
                duration = Duration.ofMillis(Math.round(Double.parseDouble(text) * 1000));
            }
            if (duration.isNegative()) {
                throw new ValueConversionException(value + " is negative");
            }
            return duration;
        } catch (NumberFormatException e) {
            throw new ValueConversionException(value + " is not a duration such as 10s, 500ms, 2m or 1h");
        }
    }

    private static ValueConverter<Duration> durations(boolean zeroAllowed) {
        return new Converter<>(Duration.class, "duration") {
            @Override
            public Duration convert(String value) {
                Duration duration = duration(value);
                if (duration.isZero() && !zeroAllowed) {
                    throw new ValueConversionException(value + " (expected: more than 0)");
                }
                return duration;
            }
        };
    }

    private static ValueConverter<Integer> between(int min, int max) {
        return new Converter<>(Integer.class, "n") {
            @Override
            public Integer convert(String value) {
                int parsed;
                try {
                    parsed = Integer.parseInt(value);
                } catch (NumberFormatException e) {
                    throw new ValueConversionException(value + " is not a number");
                }
                if (parsed < min || parsed > max) {
                    throw new ValueConversionException(value + " (expected: " + min + " to " + max + ")");
                }
                return parsed;
            }
        };
    }

    private static ValueConverter<Boolean> booleans() {
        return new Converter<>(Boolean.class, "true|false") {
            @Override
            public Boolean convert(String value) {
                switch (value.toLowerCase(Locale.ROOT)) {
                    case "true":
                        return true;
                    case "false":
                        return false;
                    default:
                        throw new ValueConversionException(value + " (expected: true or false)");
                }
            }
        };
    }

    /** A converter with its type and the pattern {@code --help} shows. */
    private abstract static class Converter<V> implements ValueConverter<V> {
        private final Class<V> type;
        private final String pattern;

        Converter(Class<V> type, String pattern) {
            this.type = type;
            this.pattern = pattern;
        }

        @Override
        public Class<? extends V> valueType() {
            return type;
        }

        @Override
        public String valuePattern() {
            return pattern;
        }
    }
}
