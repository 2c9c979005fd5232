package io.github.nettyjobs.benchmarks;

import io.github.nettyjobs.Job;
import io.github.nettyjobs.Scheduler;
import io.netty.channel.DefaultEventLoop;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Reads JMH result files ({@code -rf json}) of the nettyjobs benchmarks and prints, as Markdown,
 * every score with JMH's error, its ratio to the baseline of the same run, and whether each
 * target is met.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar -rf json -rff results.json
 * java -jar benchmarks/target/benchmarks.jar 'SpawnBenchmark|HopBenchmark' -prof gc -rf json -rff gc.json
 * java -cp benchmarks/target/benchmarks.jar io.github.nettyjobs.benchmarks.BenchmarkReport results.json gc.json
 * </pre>
 *
 * <p>Scores are taken from the first file that has them; allocation figures
 * ({@code gc.alloc.rate.norm}) from any file run with {@code -prof gc}. The allocation budget of a
 * spawn is the floor's allocation plus the shallow sizes of the job and of the future
 * {@code spawn} returns (counted once when they are one object), computed here from their classes.
 */
public final class BenchmarkReport {

    private static final String PREFIX = "io.github.nettyjobs.benchmarks.";
    private static final String ALLOC = "gc.alloc.rate.norm";

    private final List<Result> results;
    private final StringBuilder out = new StringBuilder();

    private BenchmarkReport(List<Result> results) {
        this.results = results;
    }

    /**
     * Prints the report.
     *
     * @param args one or more JMH JSON result files
     * @throws IOException if a file cannot be read
     */
    public static void main(String[] args) throws IOException {
        if (args.length == 0) {
            System.err.println("usage: BenchmarkReport results.json [more.json ...]");
            System.exit(2);
            return;
        }
        List<Result> results = new ArrayList<>();
        for (String file : args) {
            results.addAll(read(Path.of(file)));
        }
        System.out.print(new BenchmarkReport(results).render());
    }

    // ---- reading ----

    /** One JMH result: benchmark {@code Class.method}, parameters, primary score, allocation per op. */
    private record Result(String name, Map<String, Object> params, Score score, Score alloc) {
    }

    /** A score with JMH's 99.9 % error and its unit. */
    private record Score(double value, double error, String unit) {

        static Score of(Object metric) {
            if (!(metric instanceof Map<?, ?> m)) {
                return null;
            }
            return new Score(number(m.get("score")), number(m.get("scoreError")), String.valueOf(m.get("scoreUnit")));
        }

        private static double number(Object value) {
            if (value instanceof Double d) {
                return d;
            }
            try {
                return Double.parseDouble(String.valueOf(value));
            } catch (NumberFormatException e) {
                return Double.NaN;
            }
        }
    }

    private static List<Result> read(Path file) throws IOException {
        Object root = Json.parse(Files.readString(file, StandardCharsets.UTF_8));
        if (!(root instanceof List<?> entries)) {
            throw new IOException(file + ": not a JMH JSON result file");
        }
        List<Result> results = new ArrayList<>();
        for (Object entry : entries) {
            Map<?, ?> e = (Map<?, ?>) entry;
            String name = String.valueOf(e.get("benchmark"));
            if (name.startsWith(PREFIX)) {
                name = name.substring(PREFIX.length());
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> params = e.get("params") instanceof Map<?, ?> p ? (Map<String, Object>) p : Map.of();
            Score alloc = e.get("secondaryMetrics") instanceof Map<?, ?> secondary ? Score.of(secondary.get(ALLOC)) : null;
            results.add(new Result(name, params, Score.of(e.get("primaryMetric")), alloc));
        }
        return results;
    }

    private Score score(String name, String... params) {
        for (Result r : results) {
            if (r.name.equals(name) && matches(r, params)) {
                return r.score;
            }
        }
        return null;
    }

    private Score alloc(String name, String... params) {
        for (Result r : results) {
            if (r.name.equals(name) && matches(r, params) && r.alloc != null) {
                return r.alloc;
            }
        }
        return null;
    }

    private static boolean matches(Result r, String... params) {
        for (int i = 0; i < params.length; i += 2) {
            if (!params[i + 1].equals(String.valueOf(r.params.get(params[i])))) {
                return false;
            }
        }
        return true;
    }

    // ---- rendering ----

    private String render() {
        throughput();
        targets();
        allocation();
        close();
        return out.toString();
    }

    private void throughput() {
        line("### Throughput (operations per microsecond, higher is better)");
        line("");
        line("| benchmark | score ± error | ratio to its floor |");
        line("|---|---:|---:|");
        String[][] rows = {
            {"SpawnBenchmark.floorTask", "SpawnBenchmark.floorTask"},
            {"SpawnBenchmark.floorPromise", "SpawnBenchmark.floorPromise"},
            {"SpawnBenchmark.lockBasedTask", "SpawnBenchmark.floorTask"},
            {"SpawnBenchmark.lockBasedPromise", "SpawnBenchmark.floorPromise"},
            {"SpawnBenchmark.lockBasedPending", "SpawnBenchmark.floorPromise"},
            {"SpawnBenchmark.spawnTask", "SpawnBenchmark.floorTask"},
            {"SpawnBenchmark.spawnPromise", "SpawnBenchmark.floorPromise"},
            {"SpawnBenchmark.spawnPending", "SpawnBenchmark.floorPromise"},
            {"SpawnBenchmark.shield", "SpawnBenchmark.floorPromise"},
            {"SpawnBenchmark.emptyBatch", null},
        };
        for (String[] row : rows) {
            Score s = score(row[0]);
            if (s != null) {
                line("| `" + row[0] + "` | " + format(s) + " | " + (row[1] == null ? "(handoff only)" : ratio(s, score(row[1]))) + " |");
            }
        }
        for (String loop : new String[] {"default", "nio"}) {
            Score floor = score("HopBenchmark.floorHop", "loop", loop);
            for (String method : new String[] {"floorHop", "lockBasedHop", "spawnHop"}) {
                Score s = score("HopBenchmark." + method, "loop", loop);
                if (s != null) {
                    line("| `HopBenchmark." + method + "` (" + loop + ") | " + format(s) + " | " + ratio(s, floor) + " |");
                }
            }
        }
        line("");
    }

    private void targets() {
        line("### Targets (ratios of the same run)");
        line("");
        line("| target | ratio ± error | goal | met |");
        line("|---|---:|---:|:---:|");
        atLeast("spawnPromise / floorPromise", score("SpawnBenchmark.spawnPromise"), score("SpawnBenchmark.floorPromise"), 0.5);
        atLeast("spawnTask / floorTask", score("SpawnBenchmark.spawnTask"), score("SpawnBenchmark.floorTask"), 0.25);
        atLeast("spawnTask / lockBasedTask", score("SpawnBenchmark.spawnTask"), score("SpawnBenchmark.lockBasedTask"), 1.5);
        atLeast("spawnPromise / lockBasedPromise", score("SpawnBenchmark.spawnPromise"),
                score("SpawnBenchmark.lockBasedPromise"), 1.5);
        atLeast("spawnPending / lockBasedPending", score("SpawnBenchmark.spawnPending"),
                score("SpawnBenchmark.lockBasedPending"), 1.5);
        for (String loop : new String[] {"default", "nio"}) {
            atLeast("spawnHop / lockBasedHop (" + loop + ")", score("HopBenchmark.spawnHop", "loop", loop),
                    score("HopBenchmark.lockBasedHop", "loop", loop), 1.5);
        }
        atLeast("spawnPending / floorPromise", score("SpawnBenchmark.spawnPending"), score("SpawnBenchmark.floorPromise"), 0.3);
        atMost("close / cancelPromises, 100k jobs (time)", score("CloseBenchmark.close", "jobs", "100000"),
                score("CloseBenchmark.cancelPromises", "jobs", "100000"), 1.5);
        line("");
    }

    private void atLeast(String what, Score a, Score b, double goal) {
        target(what, a, b, ">= " + goal, r -> r >= goal);
    }

    private void atMost(String what, Score a, Score b, double goal) {
        target(what, a, b, "<= " + goal, r -> r <= goal);
    }

    private void target(String what, Score a, Score b, String goal, java.util.function.DoublePredicate met) {
        if (a == null || b == null) {
            return;
        }
        double r = a.value / b.value;
        line("| " + what + " | " + ratio(a, b) + " | " + goal + " | " + (met.test(r) ? "yes" : "**no**") + " |");
    }

    private void allocation() {
        String[] names = {"floorTask", "floorPromise", "lockBasedTask", "lockBasedPromise", "lockBasedPending",
            "spawnTask", "spawnPromise", "spawnPending", "shield"};
        boolean any = false;
        for (String n : names) {
            any |= alloc("SpawnBenchmark." + n) != null;
        }
        if (!any) {
            return;
        }
        long[] sizes = spawnSizes();
        line("### Allocation (bytes per operation, `-prof gc`)");
        line("");
        line("| benchmark | B/op |");
        line("|---|---:|");
        for (String n : names) {
            Score s = alloc("SpawnBenchmark." + n);
            if (s != null) {
                line(String.format(Locale.ROOT, "| `SpawnBenchmark.%s` | %.1f |", n, s.value));
            }
        }
        for (String loop : new String[] {"default", "nio"}) {
            for (String n : new String[] {"floorHop", "lockBasedHop", "spawnHop"}) {
                Score s = alloc("HopBenchmark." + n, "loop", loop);
                if (s != null) {
                    line(String.format(Locale.ROOT, "| `HopBenchmark.%s` (%s) | %.1f |", n, loop, s.value));
                }
            }
        }
        line("");
        line(String.format(Locale.ROOT, "Budget of a spawn: the floor's allocation + the job (%d B) + the future "
                + "`spawn` returns (%s).", sizes[0], sizes[1] == 0 ? "the job itself, 0 B more" : sizes[1] + " B"));
        line("");
        line("| spawn path | B/op | budget | met |");
        line("|---|---:|---:|:---:|");
        budget("spawnTask", "floorTask", sizes);
        budget("spawnPromise", "floorPromise", sizes);
        budget("spawnPending", "floorPromise", sizes);
        line("");
    }

    private void budget(String spawn, String floor, long[] sizes) {
        Score s = alloc("SpawnBenchmark." + spawn);
        Score f = alloc("SpawnBenchmark." + floor);
        if (s == null || f == null) {
            return;
        }
        double budget = f.value + sizes[0] + sizes[1];
        // gc.alloc.rate.norm carries a fraction of a byte of per-batch overhead.
        line(String.format(Locale.ROOT, "| `%s` | %.1f | %.1f | %s |", spawn, s.value, budget,
                s.value <= budget + 1 ? "yes" : "**no**"));
    }

    private void close() {
        if (score("CloseBenchmark.close", "jobs", "100000") == null && score("CloseBenchmark.close", "jobs", "1000") == null) {
            return;
        }
        line("### Ending many jobs (microseconds per invocation, lower is better)");
        line("");
        line("| jobs | `close` | `cancelPromises` | ratio | `waitAndClose` | `completePromises` | ratio |");
        line("|---:|---:|---:|---:|---:|---:|---:|");
        for (String jobs : new String[] {"1000", "10000", "100000"}) {
            Score close = score("CloseBenchmark.close", "jobs", jobs);
            Score cancel = score("CloseBenchmark.cancelPromises", "jobs", jobs);
            Score wait = score("CloseBenchmark.waitAndClose", "jobs", jobs);
            Score complete = score("CloseBenchmark.completePromises", "jobs", jobs);
            if (close == null && wait == null) {
                continue;
            }
            line("| " + jobs + " | " + format(close) + " | " + format(cancel) + " | " + ratio(close, cancel) + " | "
                    + format(wait) + " | " + format(complete) + " | " + ratio(wait, complete) + " |");
        }
        line("");
    }

    private static String format(Score s) {
        if (s == null) {
            return "-";
        }
        return Double.isNaN(s.error)
                ? String.format(Locale.ROOT, "%.3f", s.value)
                : String.format(Locale.ROOT, "%.3f ± %.3f", s.value, s.error);
    }

    /** a / b, with the error propagated from both scores' relative errors. */
    private static String ratio(Score a, Score b) {
        if (a == null || b == null) {
            return "-";
        }
        double r = a.value / b.value;
        if (Double.isNaN(a.error) || Double.isNaN(b.error)) {
            return String.format(Locale.ROOT, "%.2fx", r);
        }
        double err = r * Math.hypot(a.error / a.value, b.error / b.value);
        return String.format(Locale.ROOT, "%.2fx ± %.2f", r, err);
    }

    private void line(String s) {
        out.append(s).append('\n');
    }

    // ---- sizes of what a spawn allocates ----

    /**
     * The shallow size of the job and, if it is another object, of the future {@code spawn}
     * returns ({@code 0} when they are one object), from a real spawn.
     */
    private static long[] spawnSizes() {
        DefaultEventLoop loop = new DefaultEventLoop();
        try {
            Scheduler scheduler = Scheduler.create(loop);
            Future<Job<Integer>> spawned = loop.submit(() -> scheduler.spawn(() -> loop.newSucceededFuture(1)))
                    .syncUninterruptibly().getNow();
            Job<Integer> job = spawned.syncUninterruptibly().getNow();
            long jobSize = shallowSize(job.getClass());
            long futureSize = (Object) spawned == job ? 0 : shallowSize(spawned.getClass());
            scheduler.close().syncUninterruptibly();
            return new long[] {jobSize, futureSize};
        } finally {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /**
     * The instance size of {@code type} on this JVM if its fields pack without gaps: header plus
     * field sizes, rounded up to 8 bytes. A lower bound of HotSpot's layout, which it equals for
     * the job (JOL 0.17 gives {@code DefaultJob} 88 bytes with compressed oops, as this does).
     */
    static long shallowSize(Class<?> type) {
        boolean compressedOops = vmFlag("UseCompressedOops", true);
        boolean compressedClass = vmFlag("UseCompressedClassPointers", true);
        long size = compressedClass ? 12 : 16;
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers())) {
                    continue;
                }
                Class<?> t = f.getType();
                if (t == long.class || t == double.class) {
                    size += 8;
                } else if (t == int.class || t == float.class) {
                    size += 4;
                } else if (t == short.class || t == char.class) {
                    size += 2;
                } else if (t == byte.class || t == boolean.class) {
                    size += 1;
                } else {
                    size += compressedOops ? 4 : 8;
                }
            }
        }
        return (size + 7) & ~7L;
    }

    private static boolean vmFlag(String name, boolean fallback) {
        try {
            com.sun.management.HotSpotDiagnosticMXBean bean =
                    ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            return Boolean.parseBoolean(bean.getVMOption(name).getValue());
        } catch (RuntimeException | LinkageError e) {
            return fallback;
        }
    }
}
