package io.github.nettyjobs.benchmarks.load;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs {@code wrk} (Debian's package) against the route, for protocols that have a
 * {@linkplain LoadProtocol#wrkUrl URL}: one run to warm up, one measured run, each bounded by
 * {@code wrk}'s own duration and killed if it overruns it. {@code wrk} has no request-count bound;
 * the duration bounds it.
 */
final class WrkLoadClient implements LoadClient {

    private static final Pattern REQUESTS_PER_SECOND = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern P99 = Pattern.compile("\\n\\s*99%\\s+([0-9.]+)(us|ms|s)\\b");
    private static final Pattern TOTAL = Pattern.compile("\\n\\s*(\\d+) requests in ");
    private static final Pattern SOCKET_ERRORS =
            Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");

    /** Whether a {@code wrk} executable is on the {@code PATH}. */
    static boolean available() {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (new File(dir, "wrk").canExecute()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String name() {
        return "wrk";
    }

    @Override
    public LoadResult run(LoadProtocol protocol, String route, InetSocketAddress address, LoadOptions options,
                          ServerCpuMeter cpu) throws IOException, InterruptedException {
        String url = protocol.wrkUrl(address);
        if (url == null) {
            throw new IllegalArgumentException("wrk cannot load the " + protocol.name() + " protocol");
        }
        if (options.warmupSeconds() > 0) {
            wrk(url, options.warmupSeconds(), options);
        }
        cpu.onMeasureStart();
        String output = wrk(url, options.durationSeconds(), options);
        cpu.onMeasureEnd();
        double rps = Double.parseDouble(find(REQUESTS_PER_SECOND, output, 1));
        Matcher p99 = P99.matcher(output);
        if (!p99.find()) {
            throw new IOException("no 99% latency in wrk's output:\n" + output);
        }
        double p99Micros = Double.parseDouble(p99.group(1)) * switch (p99.group(2)) {
            case "us" -> 1;
            case "ms" -> 1e3;
            default -> 1e6;
        };
        long errors = 0;
        Matcher socket = SOCKET_ERRORS.matcher(output);
        if (socket.find()) {
            for (int i = 1; i <= 4; i++) {
                errors += Long.parseLong(socket.group(i));
            }
        }
        Matcher non2xx = NON_2XX.matcher(output);
        if (non2xx.find()) {
            errors += Long.parseLong(non2xx.group(1));
        }
        long requests = Long.parseLong(find(TOTAL, output, 1));
        return new LoadResult(route, name(), rps, p99Micros, requests, errors, requests / cpu.cpuSeconds());
    }

    private static String wrk(String url, int seconds, LoadOptions options)
            throws IOException, InterruptedException {
        List<String> command = List.of("wrk",
                "-t", Integer.toString(options.clientThreads()),
                "-c", Integer.toString(options.connections()),
                "-d", seconds + "s",
                "--timeout", "5s",
                "--latency", url);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output;
        try (InputStream in = process.getInputStream()) {
            // wrk prints its report when it ends, so reading to the end is bounded by its duration;
            // the watchdog below kills it should it not end.
            Thread watchdog = new Thread(() -> {
                try {
                    if (!process.waitFor(seconds + 30L, TimeUnit.SECONDS)) {
                        process.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    process.destroyForcibly();
                }
            }, "wrk-watchdog");
            watchdog.setDaemon(true);
            watchdog.start();
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        int exit = process.waitFor();
        if (exit != 0) {
            throw new IOException(String.format(Locale.ROOT, "wrk exited with %d:%n%s", exit, output));
        }
        return output;
    }

    private static String find(Pattern pattern, String output, int group) throws IOException {
        Matcher m = pattern.matcher(output);
        if (!m.find()) {
            throw new IOException("unexpected wrk output (no " + pattern + "):\n" + output);
        }
        return m.group(group);
    }
}
