package io.github.nettyjobs.benchmarks.report;

import io.github.nettyjobs.benchmarks.report.ScoredBenchmark.Score;
import io.github.nettyjobs.benchmarks.report.ScoredBenchmark.Settings;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The measurements of one or more runs by {@linkplain ScoredBenchmark#key() key}, and the arithmetic on them. */
final class Results {

    private final Map<String, ScoredBenchmark> byKey = new LinkedHashMap<>();

    /** Later measurements of the same key replace earlier ones, except that allocation figures are kept. */
    Results(Collection<ScoredBenchmark> measurements) {
        for (ScoredBenchmark m : measurements) {
            ScoredBenchmark earlier = byKey.get(m.key());
            if (earlier != null && m.alloc() == null && earlier.alloc() != null) {
                m = new ScoredBenchmark(m.benchmark(), m.params(), m.score(), earlier.alloc(), m.settings());
            }
            byKey.put(m.key(), m);
        }
    }

    boolean isEmpty() {
        return byKey.isEmpty();
    }

    Score score(String key) {
        ScoredBenchmark m = byKey.get(key);
        return m == null ? null : m.score();
    }

    Score alloc(String key) {
        ScoredBenchmark m = byKey.get(key);
        return m == null ? null : m.alloc();
    }

    /** Score of {@code Class.method} with {@code jobs=n}. */
    Score score(String benchmark, int jobs) {
        return score(benchmark + "[jobs=" + jobs + ']');
    }

    /** The distinct settings, JVMs and JMH versions of the measurements. */
    Set<Settings> settings() {
        Set<Settings> settings = new LinkedHashSet<>();
        for (ScoredBenchmark m : byKey.values()) {
            settings.add(m.settings());
        }
        return settings;
    }

    boolean anySmoke() {
        return byKey.values().stream().anyMatch(m -> m.settings().isSmoke());
    }

    /** {@code a / b}, or {@code NaN} if either is missing. */
    static double ratio(Score a, Score b) {
        return a == null || b == null ? Double.NaN : a.value() / b.value();
    }

    /** The error of {@code a / b}, from both relative errors; {@code NaN} if unknown. */
    static double ratioError(Score a, Score b) {
        return a == null || b == null ? Double.NaN
                : ratio(a, b) * Math.hypot(a.relativeError(), b.relativeError());
    }

    /** {@code 0.81x ± 0.06}, or {@code 0.81x} without a known error, or {@code -}. */
    static String formatRatio(Score a, Score b) {
        double r = ratio(a, b);
        if (Double.isNaN(r)) {
            return "-";
        }
        double e = ratioError(a, b);
        return Double.isNaN(e) ? String.format(Locale.ROOT, "%.2fx", r)
                : String.format(Locale.ROOT, "%.2fx ± %.2f", r, e);
    }

    /** {@code 13.3 ± 0.5}, with as many decimals as the size of the value deserves, or {@code -}. */
    static String format(Score s) {
        if (s == null) {
            return "-";
        }
        String value = number(s.value());
        return Double.isNaN(s.error()) ? value : value + " ± " + number(s.error());
    }

    static String number(double v) {
        double a = Math.abs(v);
        String pattern = a >= 1000 ? "%,.0f" : a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : a >= 1 ? "%.2f" : "%.3f";
        return String.format(Locale.ROOT, pattern, v).replace(',', ' ');
    }
}
