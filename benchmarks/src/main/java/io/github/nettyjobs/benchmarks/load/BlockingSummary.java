package io.github.nettyjobs.benchmarks.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The figures of one {@link BlockingHarness} run, also its JSON file ({@code --json}), which
 * {@code BenchmarkReport --blocking} reads back.
 *
 * @param date         when the run ended
 * @param java         the Java version
 * @param cpus         available processors
 * @param jobs         blocking calls per run
 * @param sleepMillis  how long each call slept
 * @param limit        calls at once
 * @param poolThreads  threads of the fixed pool
 * @param rounds       measured rounds
 * @param loadAverage  the machine's load average over the last minute at the end of the run (how busy
 *                     other processes kept its CPUs), or a negative number where the OS does not say
 * @param variants     each variant's figures, the floor first when the JVM has virtual threads
 */
public record BlockingSummary(String date, String java, int cpus, int jobs, long sleepMillis, int limit,
                              int poolThreads, int rounds, double loadAverage, List<VariantResult> variants) {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * One variant's figures over the measured rounds.
     *
     * @param name               its name
     * @param description        what it runs, for the reader
     * @param medianMillis       median wall time of a run
     * @param minMillis          the fastest run
     * @param maxMillis          the slowest run
     * @param ratioToFloor       median against the floor's median ({@code NaN} without a floor)
     * @param loopDelayP50Micros median delay of the 1 ms loop task
     * @param loopDelayP99Micros its 99th percentile
     * @param loopDelayMaxMicros its largest
     * @param runsMillis         every measured run, sorted
     */
    public record VariantResult(String name, String description, double medianMillis, long minMillis, long maxMillis,
                                double ratioToFloor, double loopDelayP50Micros, double loopDelayP99Micros,
                                double loopDelayMaxMicros, String runsMillis) {
    }

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
    public static BlockingSummary read(Path file) throws IOException {
        return JSON.readValue(file.toFile(), BlockingSummary.class);
    }
}
