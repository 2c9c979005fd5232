package io.github.nettyjobs.benchmarks.report;

import io.github.nettyjobs.benchmarks.load.LoadSummary;
import io.github.nettyjobs.benchmarks.report.ReportLayout.Row;
import io.github.nettyjobs.benchmarks.report.ReportLayout.Target;
import io.github.nettyjobs.benchmarks.report.ScoredBenchmark.Score;
import io.github.nettyjobs.benchmarks.report.ScoredBenchmark.Settings;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;

/**
 * Renders {@link Results} as the Markdown tables of the report, in the order and with the rows of
 * {@link ReportLayout}. A table none of whose benchmarks was run is left out.
 */
final class MarkdownReport {

    private final Results results;
    private final ObjectSizes.SpawnSizes sizes;
    private final List<LoadSummary> loads;
    private final StringBuilder out = new StringBuilder();

    /**
     * @param results the measurements
     * @param sizes   what one spawn allocates, for the allocation budget; {@code null} to leave it out
     * @param loads   load harness summaries, possibly none
     */
    MarkdownReport(Results results, ObjectSizes.SpawnSizes sizes, List<LoadSummary> loads) {
        this.results = results;
        this.sizes = sizes;
        this.loads = loads;
    }

    /**
     * The report.
     *
     * @param charts the file names of the charts to show, relative to the Markdown file; possibly none
     */
    String render(List<String> charts) {
        header(charts);
        throughput();
        targets();
        variants();
        allocation();
        scaling("Ending many jobs", "CloseBenchmark", ReportLayout.CLOSE_SCALING);
        scaling("Spawning many jobs", "SpawnScalingBenchmark", ReportLayout.SPAWN_SCALING);
        load();
        return out.toString();
    }

    private void header(List<String> charts) {
        if (!results.isEmpty()) {
            line("Measured with:");
            line("");
            for (Settings s : results.settings()) {
                line("- JMH " + s.jmhVersion() + ", JDK " + s.jdkVersion() + " (" + s.vm() + "), " + s.describe());
            }
            line("");
            line(String.format(Locale.ROOT, "Report written %s on %d CPUs, %s %s.",
                    Instant.now().truncatedTo(ChronoUnit.MINUTES), Runtime.getRuntime().availableProcessors(),
                    System.getProperty("os.name"), System.getProperty("os.arch")));
            line("");
            if (results.anySmoke()) {
                line("**Smoke-run settings, below the defaults of `AbstractBenchmark`: these figures only show that "
                        + "every benchmark runs; they measure nothing.**");
                line("");
            }
        }
        for (String chart : charts) {
            line("![" + chart + "](" + chart + ")");
            line("");
        }
    }

    private void throughput() {
        if (ReportLayout.THROUGHPUT.stream().noneMatch(r -> results.score(r.benchmark()) != null)) {
            return;
        }
        line("### Throughput against the floor");
        line("");
        line("Operations per µs, higher is better; the floor is the raw event loop doing the same work untracked.");
        line("");
        line("| benchmark | one operation | score ± error | ratio to its floor |");
        line("|---|---|---:|---:|");
        for (Row row : ReportLayout.THROUGHPUT) {
            Score score = results.score(row.benchmark());
            if (score != null) {
                line("| `" + row.benchmark() + "` | " + row.note() + " | " + Results.format(score) + " | "
                        + (row.baseline() == null ? "floor"
                                : Results.formatRatio(score, results.score(row.baseline()))) + " |");
            }
        }
        Score handoff = results.score("SpawnBenchmark.emptyBatch[loop=nio]");
        if (handoff != null) {
            line("");
            line("`SpawnBenchmark.emptyBatch`, the hand-off of one batch to the loop and back: "
                    + Results.format(handoff) + " " + handoff.unit()
                            + " (the part of every on-loop score that is not the operation).");
        }
        line("");
    }

    private void targets() {
        StringBuilder rows = new StringBuilder();
        for (Target t : ReportLayout.TARGETS) {
            Score a = results.score(t.benchmark());
            Score b = results.score(t.baseline());
            if (a != null && b != null) {
                rows.append("| ").append(t.label()).append(" | ").append(Results.formatRatio(a, b)).append(" | ")
                        .append(t.describeGoal()).append(" | ").append(t.isMet(Results.ratio(a, b)) ? "yes" : "**no**")
                        .append(" |\n");
            }
        }
        if (rows.length() == 0) {
            return;
        }
        line("### Targets");
        line("");
        line("| ratio in the same run | measured | goal | met |");
        line("|---|---:|---:|:---:|");
        out.append(rows);
        line("");
    }

    private void variants() {
        StringBuilder rows = new StringBuilder();
        for (Row row : ReportLayout.SPAWN_VARIANTS) {
            Score score = results.score(row.benchmark());
            if (score != null) {
                rows.append("| `").append(row.benchmark()).append("` | ").append(row.note()).append(" | ")
                        .append(Results.format(score)).append(" | ")
                        .append(Results.formatRatio(score, results.score(row.baseline()))).append(" |\n");
            }
        }
        if (rows.length() == 0) {
            return;
        }
        line("### What an option costs a spawn");
        line("");
        line("| benchmark | variant of `spawnPromise` | ops/µs ± error | ratio to `spawnPromise` |");
        line("|---|---|---:|---:|");
        out.append(rows);
        line("");
    }

    private void allocation() {
        StringBuilder rows = new StringBuilder();
        for (Row row : ReportLayout.THROUGHPUT) {
            Score alloc = results.alloc(row.benchmark());
            if (alloc != null) {
                rows.append(String.format(Locale.ROOT, "| `%s` | %.1f |%n", row.benchmark(), alloc.value()));
            }
        }
        if (rows.length() == 0) {
            return;
        }
        line("### Allocation per operation");
        line("");
        line("Bytes per operation (`-prof gc`, `gc.alloc.rate.norm`).");
        line("");
        line("| benchmark | B/op |");
        line("|---|---:|");
        out.append(rows);
        line("");
        if (sizes == null) {
            return;
        }
        line("Budget of a spawn on its loop: the floor's allocation + the job (" + sizes.job() + " B, "
                + sizes.jobClass() + ", as JOL lays it out on this JVM) + the future `spawn` returns ("
                + (sizes.spawnFuture() == 0 ? "the job itself, 0 B more" : sizes.spawnFuture() + " B") + ").");
        line("");
        line("| spawn path | B/op | budget | met |");
        line("|---|---:|---:|:---:|");
        for (Row row : ReportLayout.ALLOCATION_BUDGET) {
            Score spawn = results.alloc(row.benchmark());
            Score floor = results.alloc(row.baseline());
            if (spawn != null && floor != null) {
                double budget = floor.value() + sizes.job() + sizes.spawnFuture();
                // gc.alloc.rate.norm carries a fraction of a byte of per-batch overhead.
                line(String.format(Locale.ROOT, "| `%s` | %.1f | %.1f | %s |", row.benchmark(), spawn.value(), budget,
                        spawn.value() <= budget + 1 ? "yes" : "**no**"));
            }
        }
        line("");
    }

    private void scaling(String title, String benchmarkClass, List<ReportLayout.Scaling> pairs) {
        StringBuilder rows = new StringBuilder();
        for (int jobs : ReportLayout.JOBS) {
            StringBuilder row = new StringBuilder("| ")
                    .append(String.format(Locale.ROOT, "%,d", jobs).replace(',', ' '));
            boolean any = false;
            for (ReportLayout.Scaling pair : pairs) {
                Score a = results.score(benchmarkClass + '.' + pair.method(), jobs);
                Score b = results.score(benchmarkClass + '.' + pair.baseline(), jobs);
                any |= a != null || b != null;
                row.append(" | ").append(Results.format(a)).append(" | ").append(perJob(a, jobs))
                        .append(" | ").append(Results.format(b)).append(" | ").append(Results.formatRatio(a, b));
            }
            if (any) {
                rows.append(row).append(" |\n");
            }
        }
        if (rows.length() == 0) {
            return;
        }
        line("### " + title);
        line("");
        line("µs per invocation (lower is better), ns per job, and the ratio of times to the baseline on bare "
                + "promises.");
        line("");
        StringBuilder head = new StringBuilder("| jobs");
        StringBuilder rule = new StringBuilder("|---:");
        for (ReportLayout.Scaling pair : pairs) {
            head.append(" | `").append(pair.method()).append("` µs | ns/job | `").append(pair.baseline())
                    .append("` µs | ratio");
            rule.append("|---:|---:|---:|---:");
        }
        line(head + " |");
        line(rule + "|");
        out.append(rows);
        line("");
    }

    private static String perJob(Score timeMicros, int jobs) {
        return timeMicros == null ? "-" : Results.number(timeMicros.value() * 1000 / jobs);
    }

    private void load() {
        if (loads.isEmpty()) {
            return;
        }
        line("### HTTP load (atomic handler against a plain handler)");
        line("");
        line("| protocol | client | connections | plain req/s | atomic req/s | ratio of medians | median per-round "
                + "ratio | p99 plain / atomic µs | errors |");
        line("|---|---|---:|---:|---:|---:|---:|---:|---:|");
        for (LoadSummary s : loads) {
            line(String.format(Locale.ROOT, "| %s | %s | %d | %.0f | %.0f | %.2fx | %.2fx | %.0f / %.0f | %d |",
                    s.protocol(), s.client(), s.connections(), s.plainRequestsPerSecond(), s.atomicRequestsPerSecond(),
                    s.atomicRequestsPerSecond() / s.plainRequestsPerSecond(), s.medianPerRoundRatio(),
                    s.plainP99Micros(), s.atomicP99Micros(), s.errors()));
        }
        line("");
        if (loads.stream().allMatch(s -> s.peers().isEmpty())) {
            return;
        }
        line("### HTTP load (atomic handler against other frameworks' hello servers)");
        line("");
        line("Measured in the same rounds as the table above, on as many NIO event loops. Requests per server CPU "
                + "second count the CPU time of each server's own threads only, so a busy machine disturbs them less "
                + "than requests per second.");
        line("");
        line("| client | connections | server threads | peer | peer req/s | atomic req/s | ratio of medians "
                + "| median per-round ratio | per-round ratio of requests per server CPU second "
                + "| p99 peer / atomic µs |");
        line("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|");
        for (LoadSummary s : loads) {
            for (LoadSummary.Peer peer : s.peers()) {
                line(String.format(Locale.ROOT,
                        "| %s | %d | %d | %s | %.0f | %.0f | %.2fx | %.2fx | %s | %.0f / %.0f |",
                        s.client(), s.connections(), s.serverThreads(), peer.name(), peer.requestsPerSecond(),
                        s.atomicRequestsPerSecond(), s.atomicRequestsPerSecond() / peer.requestsPerSecond(),
                        peer.medianPerRoundAtomicRatio(), ratio(peer.medianPerRoundAtomicCpuRatio()),
                        peer.p99Micros(), s.atomicP99Micros()));
            }
        }
        line("");
    }

    /** {@code 1.02x}, or {@code -} for a figure the summary does not have. */
    private static String ratio(double ratio) {
        return ratio > 0 && Double.isFinite(ratio) ? String.format(Locale.ROOT, "%.2fx", ratio) : "-";
    }

    private void line(String s) {
        out.append(s).append('\n');
    }
}
