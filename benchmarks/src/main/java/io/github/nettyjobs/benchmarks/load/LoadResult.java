package io.github.nettyjobs.benchmarks.load;

import java.util.Locale;

/**
 * The outcome of one measured load phase against one route.
 *
 * @param route             the route measured ({@code plain} or {@code atomic})
 * @param client            the load generator ({@code wrk} or {@code java})
 * @param requestsPerSecond completed requests per second
 * @param p99Micros         99th percentile latency, in microseconds
 * @param requests          requests completed in the measured phase
 * @param errors            failed responses, socket errors and connections lost
 */
public record LoadResult(String route, String client, double requestsPerSecond, double p99Micros,
                  long requests, long errors) {

    String format() {
        return String.format(Locale.ROOT, "%-7s %-5s %12.0f req/s   p99 %9.1f us   requests %10d   errors %d",
                route, client, requestsPerSecond, p99Micros, requests, errors);
    }
}
