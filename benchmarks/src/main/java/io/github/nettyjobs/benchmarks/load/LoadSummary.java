package io.github.nettyjobs.benchmarks.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The figures of one {@link LoadHarness} run, also its JSON file ({@code --json}), which
 * {@code BenchmarkReport --load} reads back.
 *
 * @param date                    when the run ended
 * @param protocol                the protocol
 * @param client                  the load generator
 * @param connections             keep-alive connections
 * @param clientThreads           load generator threads
 * @param serverThreads           server event loops
 * @param jobs                    {@code group} or {@code channel}
 * @param warmupSeconds           warmup per route and round
 * @param durationSeconds         measurement per route and round
 * @param rounds                  rounds
 * @param runs                    every measured phase
 * @param plainRequestsPerSecond  median over the rounds, plain route
 * @param atomicRequestsPerSecond median over the rounds, atomic route
 * @param plainP99Micros          median p99, plain route
 * @param atomicP99Micros         median p99, atomic route
 * @param medianPerRoundRatio     median over the rounds of atomic/plain requests per second
 * @param medianPerRoundP99Ratio  median over the rounds of atomic/plain p99
 * @param errors                  errors of every run
 * @param peers                   the other frameworks' servers measured in the same rounds (none in
 *                                summaries written before there were peers)
 * @param plainRequestsPerCpuSecond  median requests per CPU second of the server, plain route
 * @param atomicRequestsPerCpuSecond median requests per CPU second of the server, atomic route
 * @param medianPerRoundCpuRatio     median over the rounds of atomic/plain requests per CPU second
 */
public record LoadSummary(String date, String protocol, String client, int connections, int clientThreads,
                          int serverThreads, String jobs, int warmupSeconds, int durationSeconds, int rounds,
                          List<LoadResult> runs, double plainRequestsPerSecond, double atomicRequestsPerSecond,
                          double plainP99Micros, double atomicP99Micros, double medianPerRoundRatio,
                          double medianPerRoundP99Ratio, long errors, List<Peer> peers,
                          double plainRequestsPerCpuSecond, double atomicRequestsPerCpuSecond,
                          double medianPerRoundCpuRatio) {

    /**
     * A peer's figures.
     *
     * @param name                      {@code reactor} or {@code vertx}
     * @param requestsPerSecond         median over the rounds
     * @param p99Micros                 median p99
     * @param medianPerRoundAtomicRatio median over the rounds of atomic/peer requests per second
     * @param requestsPerCpuSecond      median requests per CPU second of the peer's threads
     * @param medianPerRoundAtomicCpuRatio median over the rounds of atomic/peer requests per CPU second
     */
    public record Peer(String name, double requestsPerSecond, double p99Micros, double medianPerRoundAtomicRatio,
                       double requestsPerCpuSecond, double medianPerRoundAtomicCpuRatio) {
    }

    /** Summaries written before there were peers have none. */
    public LoadSummary {
        peers = peers == null ? List.of() : List.copyOf(peers);
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * Writes this summary as JSON.
     *
     * @param file the file to write
     * @throws IOException if it cannot be written
     */
    public void write(Path file) throws IOException {
        JSON.writeValue(file.toFile(), this);
    }

    /**
     * Reads a summary that {@link #write(Path)} wrote.
     *
     * @param file the file to read
     * @return the summary
     * @throws IOException if it cannot be read or is not such a file
     */
    public static LoadSummary read(Path file) throws IOException {
        return JSON.readValue(file.toFile(), LoadSummary.class);
    }
}
