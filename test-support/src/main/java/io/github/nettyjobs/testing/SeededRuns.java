package io.github.nettyjobs.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the randomized tests share: a run of many sequences whose first seed comes from a system
 * property (a fresh one when it is unset), the others derived from it, so that the seed a failure
 * names, given with a count of 1, replays that sequence alone; their sizes from system properties;
 * and a check that enough sequences exercised every case the generator should reach.
 */
public final class SeededRuns {

    private SeededRuns() {
    }

    /** The seed in the system property {@code property}, or a fresh one when it is unset or blank. */
    public static long seed(String property) {
        String value = System.getProperty(property);
        return value == null || value.isBlank() ? System.nanoTime() ^ 0x9E3779B97F4A7C15L
                : Long.parseLong(value.trim());
    }

    /**
     * The number in the system property {@code property}, or {@code defaultValue} when it is unset or blank.
     *
     * @throws IllegalArgumentException if the number is not positive
     */
    public static int positive(String property, int defaultValue) {
        String value = System.getProperty(property);
        int result = value == null || value.isBlank() ? defaultValue : Integer.parseInt(value.trim());
        if (result <= 0) {
            throw new IllegalArgumentException(property + ": " + result + " (expected: > 0)");
        }
        return result;
    }

    /**
     * Runs {@code count} sequences: the first with {@code firstSeed}, the others with seeds derived from it.
     *
     * @throws E what a sequence threw; the sequences after it do not run
     */
    public static <E extends Exception> void forEachSeed(long firstSeed, int count, Sequence<E> sequence) throws E {
        SplittableRandom seeds = new SplittableRandom(firstSeed);
        for (int i = 0; i < count; i++) {
            sequence.run(i == 0 ? firstSeed : seeds.nextLong());
        }
    }

    /** The options that replay the sequence of {@code seed} alone: {@code -D<seed>=<seed> -D<count>=1}. */
    public static String replay(String seedProperty, long seed, String countProperty) {
        return "-D" + seedProperty + "=" + seed + " -D" + countProperty + "=1";
    }

    /** Fails the test if a case of {@code expected} is not in {@code coverage}, naming those never exercised. */
    public static void assertCovered(Map<String, Integer> coverage, List<String> expected) {
        List<String> missing = new ArrayList<>();
        for (String name : expected) {
            if (!coverage.containsKey(name)) {
                missing.add(name);
            }
        }
        assertTrue(missing.isEmpty(), "never exercised: " + missing);
    }

    /**
     * One randomized sequence, all of whose choices come from its seed.
     *
     * @param <E> what it may throw
     */
    @FunctionalInterface
    public interface Sequence<E extends Exception> {
        /** Runs the sequence of {@code seed}. */
        void run(long seed) throws E;
    }
}
