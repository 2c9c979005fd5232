package io.github.nettyjobs.benchmarks.simulation;

import io.github.nettyjobs.benchmarks.report.Svg;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** The simulation's tables (per phase, and the targets of the default adaptive setup) and its two charts. */
final class SimulationReport {

    static final String CHART_GOODPUT = "under-load-goodput.svg";
    static final String CHART_LIMIT = "under-load-limit.svg";

    private static final String[] COLORS = {"#a0aec0", "#4a5568", "#2b6cb0", "#dd6b20", "#38a169", "#805ad5"};

    private final Run.Params params;
    private final List<Result> results;
    private final String mode;

    /**
     * One setup's outcome.
     *
     * @param setup    the setup
     * @param recorder what it did
     */
    record Result(Setup setup, Recorder recorder) {
    }

    SimulationReport(Run.Params params, List<Result> results, String mode) {
        this.params = params;
        this.results = results;
        this.mode = mode;
    }

    private double seconds() {
        return params.phaseNanos() / 1e9;
    }

    private double goodput(Result result, int phase) {
        return result.recorder().phase(phase).good / seconds();
    }

    private static String millis(long nanos) {
        return nanos < 0 ? "–" : String.format(Locale.ROOT, "%.1f", nanos / 1e6);
    }

    private long p99(Result result, int phase) {
        Recorder.LongList latencies = result.recorder().phase(phase).goodLatencies;
        return latencies.size() == 0 ? -1 : latencies.percentile(0.99);
    }

    private long settledP99(Result result, int phase) {
        Recorder.LongList latencies = result.recorder().phase(phase).settledLatencies;
        return latencies.size() == 0 ? -1 : latencies.percentile(0.99);
    }

    private long settledAfter(Result result, int phase) {
        return result.recorder().convergenceMillis(phase, 3 * params.baseNanos());
    }

    /** The result with the highest goodput in {@code phase} among those of {@code family}. */
    private Result best(String family, int phase) {
        Result best = null;
        for (Result r : results) {
            if (r.setup().family().equals(family) && (best == null || goodput(r, phase) > goodput(best, phase))) {
                best = r;
            }
        }
        return best;
    }

    private Result named(String name) {
        for (Result r : results) {
            if (r.setup().name().equals(name)) {
                return r;
            }
        }
        return null;
    }

    private String phaseTitle(int phase) {
        return String.format(Locale.ROOT, "Phase %d: capacity %d (%.0f jobs/s), %.0f s", phase + 1,
                params.capacities()[phase], params.capacities()[phase] * 1e9 / params.baseNanos(), seconds());
    }

    /** Plain-text tables for the console. */
    String tables() {
        return markdownTables();
    }

    private String markdownTables() {
        StringBuilder out = new StringBuilder();
        for (int phase = 0; phase < params.capacities().length; phase++) {
            Result bestFixed = best(Setup.FIXED, phase);
            out.append("**").append(phaseTitle(phase)).append("**\n\n");
            out.append("| setup | goodput/s | of best fixed | p50 ms | p99 ms | p99 after 2 s | shed/s | late/s "
                    + "| p99 ≤ 3x base after |\n");
            out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            for (Result r : results) {
                Recorder.Phase p = r.recorder().phase(phase);
                long settled = settledAfter(r, phase);
                out.append(String.format(Locale.ROOT, "| %s%s | %.0f | %.0f%% | %s | %s | %s | %.0f | %.0f | %s |%n",
                        r.setup().name(), r.setup().name().equals(Setup.DEFAULT) ? " **(default)**" : "",
                        goodput(r, phase), 100 * goodput(r, phase) / Math.max(1, goodput(bestFixed, phase)),
                        p.goodLatencies.size() == 0 ? "–" : millis(p.goodLatencies.percentile(0.5)),
                        millis(p99(r, phase)), millis(settledP99(r, phase)),
                        (p.refused + p.dropped + p.timedOut) / seconds(), p.late / seconds(),
                        settled < 0 ? "never" : settled + " ms"));
            }
            out.append('\n');
        }
        out.append(targets());
        return out.toString();
    }

    /** The default adaptive setup against the targets, phase by phase. */
    private String targets() {
        Result chosen = named(Setup.DEFAULT);
        if (chosen == null) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        out.append("**The default adaptive setup (").append(Setup.DEFAULT).append(") against the targets**\n\n");
        out.append("| phase | goodput/s | best fixed | ≥ 90%? | p99 from 2 s after the change ≤ 3x base? "
                + "| best Netflix (goodput, p99) | matches it? |\n");
        out.append("|---|---:|---|---|---|---|---|\n");
        long bound = 3 * params.baseNanos();
        for (int phase = 0; phase < params.capacities().length; phase++) {
            Result fixed = best(Setup.FIXED, phase);
            Result netflix = best(Setup.NETFLIX, phase);
            double ours = goodput(chosen, phase);
            long settled = settledAfter(chosen, phase);
            long after = settledP99(chosen, phase);
            boolean latencyMet = after >= 0 && after <= bound;
            String netflixText = "–";
            String matches = "–";
            if (netflix != null) {
                netflixText = String.format(Locale.ROOT, "%s (%.0f/s, %s ms)", netflix.setup().name(),
                        goodput(netflix, phase), millis(p99(netflix, phase)));
                long theirP99 = p99(netflix, phase);
                boolean matched = ours >= goodput(netflix, phase) && (theirP99 < 0 || p99(chosen, phase) <= theirP99);
                matches = (matched ? "yes" : "no") + String.format(Locale.ROOT, " (%.0f/s, %s ms)", ours,
                        millis(p99(chosen, phase)));
            }
            out.append(String.format(Locale.ROOT,
                    "| %d (C=%d) | %.0f | %s, %.0f/s | %s (%.0f%%) | %s (%s ms; every window "
                            + "within it from %s) | %s | %s |%n",
                    phase + 1, params.capacities()[phase], ours, fixed.setup().name(), goodput(fixed, phase),
                    ours >= 0.9 * goodput(fixed, phase) ? "yes" : "no", 100 * ours / Math.max(1, goodput(fixed, phase)),
                    latencyMet ? "yes" : "no", millis(after), settled < 0 ? "never" : settled + " ms",
                    netflixText, matches));
        }
        return out.append('\n').toString();
    }

    /** The generated section of the page: the settings, the tables and the charts. */
    String markdown(Collection<String> charts) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "Mode `%s`: %d phases of %.0f s, capacities %s, base latency %.0f ms, "
                        + "Poisson arrivals at %.0f/s, SLA %.0f ms, seed %d; windows of %d ms for the convergence "
                                + "times."
                        + "%n%n",
                mode, params.capacities().length, seconds(), java.util.Arrays.toString(params.capacities()),
                params.baseNanos() / 1e6, params.arrivalsPerSecond(), params.slaNanos() / 1e6, params.seed(),
                Recorder.WINDOW_MILLIS));
        out.append(markdownTables());
        for (String chart : charts) {
            out.append("![").append(chart.replace(".svg", "")).append("](").append(chart).append(")\n\n");
        }
        return out.toString();
    }

    /** The charts, by file name. */
    Map<String, String> charts() {
        List<Result> shown = new ArrayList<>();
        for (String name : List.of("limit(8)", "limit(32)", Setup.DEFAULT)) {
            if (named(name) != null) {
                shown.add(named(name));
            }
        }
        Result netflix = bestOverall(Setup.NETFLIX);
        if (netflix != null) {
            shown.add(netflix);
        }
        Map<String, String> charts = new LinkedHashMap<>();
        charts.put(CHART_GOODPUT, timeline("Goodput (jobs/s finished within the SLA), 500 ms buckets", "goodput/s",
                shown, 5, w -> w.goodPerSecond()));
        List<Result> adaptive = new ArrayList<>();
        for (Result r : results) {
            if (r.setup().name().equals(Setup.DEFAULT) || r.setup().name().equals("vegas")
                    || r.setup().name().equals("gradient2") || r == netflix) {
                adaptive.add(r);
            }
        }
        charts.put(CHART_LIMIT, timeline("The adaptive limits over time", "limit", adaptive, 1,
                w -> w.limit() == Integer.MAX_VALUE ? 0 : w.limit()));
        return charts;
    }

    private Result bestOverall(String family) {
        Result best = null;
        double bestWorst = -1;
        for (Result r : results) {
            if (!r.setup().family().equals(family)) {
                continue;
            }
            double worst = Double.MAX_VALUE;
            for (int phase = 0; phase < params.capacities().length; phase++) {
                worst = Math.min(worst, goodput(r, phase));
            }
            if (worst > bestWorst) {
                bestWorst = worst;
                best = r;
            }
        }
        return best;
    }

    /** Lines over time, one per result, averaging {@code bucket} windows per point. */
    private String timeline(String title, String yLabel, List<Result> shown, int bucket,
                            ToDoubleFunction<Recorder.Window> y) {
        int left = 70;
        int top = 60;
        int plotWidth = 640;
        int plotHeight = 280;
        int width = left + plotWidth + 300;
        int height = top + plotHeight + 60;
        List<double[]> series = new ArrayList<>();
        double max = 0;
        for (Result r : shown) {
            List<Recorder.Window> windows = r.recorder().windows();
            double[] points = new double[windows.size() / bucket];
            for (int i = 0; i < points.length; i++) {
                double sum = 0;
                for (int j = 0; j < bucket; j++) {
                    sum += y.applyAsDouble(windows.get(i * bucket + j));
                }
                points[i] = sum / bucket;
                max = Math.max(max, points[i]);
            }
            series.add(points);
        }
        double yMax = Svg.niceCeiling(max * 1.1);
        double totalSeconds = params.endNanos() / 1e9;
        Svg svg = new Svg(width, height);
        svg.title(title, "capacity " + java.util.Arrays.toString(params.capacities()) + ", " + mode + " mode");
        for (int i = 0; i <= 5; i++) {
            double v = yMax * i / 5;
            double py = top + plotHeight - v / yMax * plotHeight;
            svg.line(left, py, left + plotWidth, py, "#e2e8f0", 1, null);
            svg.text(left - 6, py + 4, "end", String.format(Locale.ROOT, "%.0f", v));
        }
        for (int phase = 1; phase < params.capacities().length; phase++) {
            double px = left + phase * seconds() / totalSeconds * plotWidth;
            svg.line(px, top, px, top + plotHeight, "#c53030", 1, "5,4");
        }
        for (int s = 0; s <= 6; s++) {
            double px = left + s / 6.0 * plotWidth;
            svg.text(px, top + plotHeight + 18, "middle", String.format(Locale.ROOT, "%.1f s", totalSeconds * s / 6));
        }
        svg.line(left, top + plotHeight, left + plotWidth, top + plotHeight, "#1a202c", 1, null);
        svg.line(left, top, left, top + plotHeight, "#1a202c", 1, null);
        svg.verticalText(18, top + plotHeight / 2.0, Svg.escape(yLabel));
        for (int s = 0; s < series.size(); s++) {
            double[] points = series.get(s);
            String color = COLORS[s % COLORS.length];
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < points.length; i++) {
                double px = left + (i + 0.5) / points.length * plotWidth;
                double py = top + plotHeight - points[i] / yMax * plotHeight;
                line.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
            }
            svg.polyline(line.toString().trim(), color, null);
            double ly = top + 10 + s * 20;
            svg.line(left + plotWidth + 15, ly, left + plotWidth + 39, ly, color, 2, null);
            svg.text(left + plotWidth + 45, ly + 4, "start", Svg.escape(shown.get(s).setup().name()));
        }
        return svg.finish();
    }
}
