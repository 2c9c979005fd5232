package io.github.nettyjobs.benchmarks.load;

import java.util.Locale;

/**
 * The outcome of one measured load phase against one route.
 *
 * @param route                the server measured ({@code plain}, {@code atomic} or a peer)
 * @param client               the load generator ({@code wrk} or {@code java})
 * @param requestsPerSecond    completed requests per second
 * @param p99Micros            99th percentile latency, in microseconds
 * @param requests             requests completed in the measured phase
 * @param errors               failed responses, socket errors and connections lost
 * @param requestsPerCpuSecond requests completed per CPU second of the server's threads (see
 *                             {@link ServerCpuMeter}); {@code NaN} if unknown
 */
public record LoadResult(String route, String client, double requestsPerSecond, double p99Micros,
                         long requests, long errors, double requestsPerCpuSecond) {

    String format() {
        return String.format(Locale.ROOT, "%-7s %-5s %12.0f req/s   p99 %9.1f us   requests %10d   "
                        + "server %9.0f req/cpu-s   errors %d",
                route, client, requestsPerSecond, p99Micros, requests, requestsPerCpuSecond, errors);
    }
}
