package io.github.nettyjobs.benchmarks.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.nettyjobs.benchmarks.jmh.AbstractBenchmark;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One benchmark's result, whether it comes from JMH's {@link RunResult} (a run through
 * {@code Runner}) or from a JMH JSON result file ({@code -rf json}).
 *
 * @param benchmark the benchmark as {@code Class.method}, without the package
 * @param params    its {@code @Param} values
 * @param score     the primary score with JMH's error
 * @param alloc     bytes allocated per operation ({@code gc.alloc.rate.norm}), or {@code null}
 *                  if the run had no {@code -prof gc}
 * @param settings  how it was measured
 */
record ScoredBenchmark(String benchmark, SortedMap<String, String> params, Score score, Score alloc,
        Settings settings) {

    private static final String ALLOC = "gc.alloc.rate.norm";
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The key rows refer to: {@code Class.method}, then {@code [name=value,...]} if it has parameters,
     * e.g. {@code HopBenchmark.spawnHop[loop=nio]}.
     */
    String key() {
        return key(benchmark, params);
    }

    static String key(String benchmark, Map<String, String> params) {
        if (params.isEmpty()) {
            return benchmark;
        }
        StringBuilder key = new StringBuilder(benchmark).append('[');
        params.forEach((name, value) -> key.append(name).append('=').append(value).append(','));
        key.setLength(key.length() - 1);
        return key.append(']').toString();
    }

    /**
     * A score with JMH's 99.9 % confidence error ({@code NaN} with too few iterations).
     *
     * @param value the score
     * @param error its error
     * @param unit  JMH's unit, e.g. {@code ops/us}
     */
    record Score(double value, double error, String unit) {

        static Score of(Result<?> result) {
            return result == null ? null : new Score(result.getScore(), result.getScoreError(), result.getScoreUnit());
        }

        static Score of(JsonNode metric) {
            return metric == null || metric.isMissingNode() || metric.isNull() ? null
                    : new Score(metric.path("score").asDouble(Double.NaN),
                            metric.path("scoreError").asDouble(Double.NaN),
                            metric.path("scoreUnit").asText(""));
        }

        /** The relative error, or {@code NaN}. */
        double relativeError() {
            return error / value;
        }
    }

    /**
     * How a benchmark was measured.
     *
     * @param jmhVersion            JMH's version
     * @param jdkVersion            the JDK of the forked JVM
     * @param vm                    the VM's name and version
     * @param forks                 forked JVMs
     * @param warmupIterations      warmup iterations per fork
     * @param measurementIterations measured iterations per fork
     * @param measurementTime       the length of one measured iteration, as JMH prints it
     */
    record Settings(String jmhVersion, String jdkVersion, String vm, int forks, int warmupIterations,
                    int measurementIterations, String measurementTime) {

        /**
         * Whether these settings are below the defaults of {@link AbstractBenchmark}: a smoke run, not a measurement.
         */
        boolean isSmoke() {
            return forks < AbstractBenchmark.FORKS || measurementIterations < AbstractBenchmark.MEASUREMENT_ITERATIONS
                    || warmupIterations < AbstractBenchmark.WARMUP_ITERATIONS;
        }

        String describe() {
            return forks + " fork(s) × " + warmupIterations + " warmup + " + measurementIterations
                    + " measured iteration(s) of " + measurementTime;
        }
    }

    /** A measurement of a {@code Runner} run. */
    static ScoredBenchmark of(RunResult run) {
        BenchmarkParams p = run.getParams();
        SortedMap<String, String> params = new TreeMap<>();
        for (String name : p.getParamsKeys()) {
            params.put(name, p.getParam(name));
        }
        Settings settings = new Settings(p.getJmhVersion(), p.getJdkVersion(), p.getVmName() + ' ' + p.getVmVersion(),
                p.getForks(), p.getWarmup().getCount(), p.getMeasurement().getCount(),
                        p.getMeasurement().getTime().toString());
        return new ScoredBenchmark(shortName(p.getBenchmark()), params, Score.of(run.getPrimaryResult()),
                Score.of(run.getSecondaryResults().get(ALLOC)), settings);
    }

    /** The measurements of {@code Runner} runs. */
    static List<ScoredBenchmark> of(Collection<RunResult> runs) {
        List<ScoredBenchmark> measurements = new ArrayList<>(runs.size());
        for (RunResult run : runs) {
            measurements.add(of(run));
        }
        return measurements;
    }

    /**
     * Reads a JMH JSON result file ({@code java -jar benchmarks.jar -rf json -rff FILE}).
     *
     * @throws IOException if it cannot be read or is not such a file
     */
    static List<ScoredBenchmark> read(Path file) throws IOException {
        JsonNode root = JSON.readTree(file.toFile());
        if (root == null || !root.isArray()) {
            throw new IOException(file + ": not a JMH JSON result file (expected an array of results)");
        }
        List<ScoredBenchmark> measurements = new ArrayList<>();
        for (JsonNode entry : root) {
            SortedMap<String, String> params = new TreeMap<>();
            for (Map.Entry<String, JsonNode> param : entry.path("params").properties()) {
                params.put(param.getKey(), param.getValue().asText());
            }
            Settings settings = new Settings(entry.path("jmhVersion").asText("?"), entry.path("jdkVersion").asText("?"),
                    entry.path("vmName").asText("?") + ' ' + entry.path("vmVersion").asText(""),
                    entry.path("forks").asInt(), entry.path("warmupIterations").asInt(),
                    entry.path("measurementIterations").asInt(), entry.path("measurementTime").asText("?"));
            measurements.add(new ScoredBenchmark(shortName(entry.path("benchmark").asText()), params,
                    Score.of(entry.path("primaryMetric")), Score.of(entry.path("secondaryMetrics").path(ALLOC)),
                            settings));
        }
        return measurements;
    }

    /** {@code Class.method} of JMH's fully qualified benchmark name, whatever package the class is in. */
    private static String shortName(String benchmark) {
        int method = benchmark.lastIndexOf('.');
        int type = method < 0 ? -1 : benchmark.lastIndexOf('.', method - 1);
        return benchmark.substring(type + 1);
    }
}
