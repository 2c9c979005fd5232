package io.github.nettyjobs.benchmarks.report;

import io.github.nettyjobs.benchmarks.report.ReportLayout.Row;
import io.github.nettyjobs.benchmarks.report.ScoredBenchmark.Score;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleUnaryOperator;
import java.util.function.ToDoubleBiFunction;

/**
 * Draws the report's charts as plain SVG text: each benchmark's throughput against its floor, and
 * how ending and spawning many jobs scale with their number. Each method returns {@code null} when
 * none of its benchmarks was run.
 */
final class SvgCharts {

    private static final String NETTYJOBS = "#2b6cb0";
    private static final String BY_HAND = "#a0aec0";
    private static final String[] LINES = {"#2b6cb0", "#dd6b20", "#38a169", "#805ad5"};

    private final Results results;
    private final String subtitle;

    /**
     * @param results  the measurements
     * @param subtitle a line under each title (the settings), or {@code ""}
     */
    SvgCharts(Results results, String subtitle) {
        this.results = results;
        this.subtitle = subtitle;
    }

    /** Horizontal bars: each benchmark's throughput as a ratio to its floor, with JMH's error. */
    String versusFloor() {
        record Bar(String label, String detail, double ratio, double error, boolean nettyjobs) {
        }
        List<Bar> bars = new ArrayList<>();
        for (Row row : ReportLayout.THROUGHPUT) {
            Score score = results.score(row.benchmark());
            Score floor = row.baseline() == null ? null : results.score(row.baseline());
            if (score != null && floor != null) {
                String name = row.benchmark().replace("Benchmark.", ".").replace("[loop=", " (").replace("]", ")");
                bars.add(new Bar(name, Results.format(score) + " vs " + Results.format(floor) + " " + score.unit(),
                        Results.ratio(score, floor), Results.ratioError(score, floor),
                        !row.benchmark().contains("lockBased")));
            }
        }
        if (bars.isEmpty()) {
            return null;
        }
        int left = 230;
        int plot = 420;
        int rowHeight = 28;
        int top = 70;
        int width = left + plot + 250;
        int height = top + bars.size() * rowHeight + 40;
        double max = 1.2;
        for (Bar b : bars) {
            max = Math.max(max, b.ratio + (Double.isNaN(b.error) ? 0 : b.error));
        }
        double scale = plot / max;
        Svg svg = new Svg(width, height);
        svg.title("Throughput against the floor (the raw event loop, same run); higher is better", subtitle);
        for (int i = 0; i < bars.size(); i++) {
            Bar b = bars.get(i);
            double y = top + i * rowHeight;
            svg.text(left - 8, y + 17, "end", esc(b.label));
            svg.rect(left, y + 5, Math.max(1, b.ratio * scale), rowHeight - 10, b.nettyjobs ? NETTYJOBS : BY_HAND);
            if (!Double.isNaN(b.error)) {
                double lo = left + Math.max(0, b.ratio - b.error) * scale;
                double hi = left + (b.ratio + b.error) * scale;
                svg.line(lo, y + rowHeight / 2.0, hi, y + rowHeight / 2.0, "#1a202c", 1.5, null);
                svg.line(lo, y + 9, lo, y + rowHeight - 9, "#1a202c", 1.5, null);
                svg.line(hi, y + 9, hi, y + rowHeight - 9, "#1a202c", 1.5, null);
            }
            svg.text(left + plot + 8, y + 17, "start", String.format(Locale.ROOT, "%.2fx", b.ratio) + "  "
                    + esc(b.detail));
        }
        double floorX = left + scale;
        svg.line(floorX, top - 6, floorX, top + bars.size() * rowHeight, "#c53030", 1.5, "5,4");
        svg.text(floorX, top - 10, "middle", "floor = 1");
        svg.text(left, height - 14, "start",
                "blue: nettyjobs; grey: tracked by hand (semaphore, concurrent set, listener)");
        return svg.finish();
    }

    /**
     * Lines over the number of jobs (logarithmic), one per method of {@code benchmarkClass} named in
     * {@code pairs}, with {@code y} computed from each score and its number of jobs.
     *
     * @param title          the chart's title
     * @param yLabel         what {@code y} is
     * @param benchmarkClass e.g. {@code CloseBenchmark}
     * @param pairs          method pairs of {@link ReportLayout}; each method is a line
     * @param y              {@code y} of a score at a number of jobs
     */
    String scaling(String title, String yLabel, String benchmarkClass, List<ReportLayout.Scaling> pairs,
                   ToDoubleBiFunction<Score, Integer> y) {
        record Point(int jobs, double y, double error) {
        }
        List<String> names = new ArrayList<>();
        List<List<Point>> series = new ArrayList<>();
        List<String> colors = new ArrayList<>();
        List<Boolean> dashed = new ArrayList<>();
        double max = 0;
        for (int p = 0; p < pairs.size(); p++) {
            for (int m = 0; m < 2; m++) {
                String method = m == 0 ? pairs.get(p).method() : pairs.get(p).baseline();
                List<Point> points = new ArrayList<>();
                for (int jobs : ReportLayout.JOBS) {
                    Score s = results.score(benchmarkClass + '.' + method, jobs);
                    if (s != null) {
                        double v = y.applyAsDouble(s, jobs);
                        double e = Double.isNaN(s.error()) ? Double.NaN : v * Math.abs(s.relativeError());
                        points.add(new Point(jobs, v, e));
                        max = Math.max(max, v + (Double.isNaN(e) ? 0 : e));
                    }
                }
                if (!points.isEmpty()) {
                    names.add(method);
                    series.add(points);
                    colors.add(LINES[p % LINES.length]);
                    dashed.add(m == 1);
                }
            }
        }
        if (series.isEmpty()) {
            return null;
        }
        int left = 80;
        int top = 70;
        int plotWidth = 560;
        int plotHeight = 300;
        int width = left + plotWidth + 190;
        int height = top + plotHeight + 60;
        double yMax = niceCeiling(max * 1.1);
        Svg svg = new Svg(width, height);
        svg.title(title, subtitle);
        double minLog = Math.log10(ReportLayout.JOBS.get(0));
        double maxLog = Math.log10(ReportLayout.JOBS.get(ReportLayout.JOBS.size() - 1));
        DoubleUnaryOperator xOf = jobs -> left + (Math.log10(jobs) - minLog) / (maxLog - minLog) * plotWidth;
        DoubleUnaryOperator yOf = v -> top + plotHeight - v / yMax * plotHeight;
        for (int i = 0; i <= 5; i++) {
            double v = yMax * i / 5;
            double py = yOf.applyAsDouble(v);
            svg.line(left, py, left + plotWidth, py, "#e2e8f0", 1, null);
            svg.text(left - 6, py + 4, "end", String.format(Locale.ROOT, yMax / 5 >= 1 ? "%.0f" : "%.1f", v));
        }
        for (int jobs : ReportLayout.JOBS) {
            double px = xOf.applyAsDouble(jobs);
            svg.line(px, top, px, top + plotHeight, "#e2e8f0", 1, null);
            svg.text(px, top + plotHeight + 18, "middle", jobs >= 1_000_000 ? jobs / 1_000_000 + "M" : jobs / 1000
                    + "k");
        }
        svg.line(left, top + plotHeight, left + plotWidth, top + plotHeight, "#1a202c", 1, null);
        svg.line(left, top, left, top + plotHeight, "#1a202c", 1, null);
        svg.text(left + plotWidth / 2.0, top + plotHeight + 40, "middle", "jobs (logarithmic)");
        svg.verticalText(18, top + plotHeight / 2.0, esc(yLabel));
        for (int s = 0; s < series.size(); s++) {
            String color = colors.get(s);
            String dash = dashed.get(s) ? "6,4" : null;
            StringBuilder polyline = new StringBuilder();
            for (Point p : series.get(s)) {
                double px = xOf.applyAsDouble(p.jobs);
                double py = yOf.applyAsDouble(p.y);
                polyline.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
                if (!Double.isNaN(p.error)) {
                    svg.line(px, yOf.applyAsDouble(Math.max(0, p.y - p.error)), px, yOf.applyAsDouble(p.y + p.error),
                            color, 1.5, null);
                }
                svg.circle(px, py, 3.5, color);
            }
            svg.polyline(polyline.toString().trim(), color, dash);
            double ly = top + 10 + s * 20;
            svg.line(left + plotWidth + 20, ly, left + plotWidth + 44, ly, color, 2, dash);
            svg.text(left + plotWidth + 50, ly + 4, "start", names.get(s));
        }
        svg.text(left + plotWidth + 20, top + 10 + series.size() * 20 + 10, "start", "dashed: bare promises");
        return svg.finish();
    }

    private static double niceCeiling(double v) {
        return Svg.niceCeiling(v);
    }

    private static String esc(String s) {
        return Svg.escape(s);
    }
}
