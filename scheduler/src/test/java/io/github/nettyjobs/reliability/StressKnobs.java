package io.github.nettyjobs.reliability;

import io.github.nettyjobs.testing.SeededRuns;

/**
 * Sizes of the reliability suites. The defaults keep {@code mvn verify} short on a small CI
 * machine; the {@code stress} Maven profile raises them through system properties.
 */
final class StressKnobs {

    /** Randomized sequences run by the model-based test. */
    static final String SEQUENCES = "nettyjobs.stress.sequences";
    /** Operations per sequence, at most. */
    static final String STEPS = "nettyjobs.stress.steps";
    /** Seed of the first sequence; the others derive from it. Unset: a fresh seed per run. */
    static final String SEED = "nettyjobs.stress.seed";
    /** Jobs spawned by each storm test. */
    static final String STORM_JOBS = "nettyjobs.storm.jobs";
    /** Spawning threads of each storm test. */
    static final String STORM_THREADS = "nettyjobs.storm.threads";
    /** Spawn and complete cycles of the soak. */
    static final String SOAK_CYCLES = "nettyjobs.soak.cycles";
    /** Maximum heap of the soak's JVM, as for {@code -Xmx}. */
    static final String SOAK_HEAP = "nettyjobs.soak.heap";
    /** How long the soak may run before it counts as hung, in seconds. */
    static final String SOAK_TIMEOUT_SECONDS = "nettyjobs.soak.timeoutSeconds";

    private StressKnobs() {
    }

    static int sequences() {
        return positive(SEQUENCES, 3_000);
    }

    static int steps() {
        return positive(STEPS, 60);
    }

    static int stormJobs() {
        return positive(STORM_JOBS, 200_000);
    }

    static int stormThreads() {
        return positive(STORM_THREADS, 4);
    }

    static long soakCycles() {
        String value = System.getProperty(SOAK_CYCLES);
        long cycles = value == null || value.isBlank() ? 10_000_000L : Long.parseLong(value.trim());
        if (cycles <= 0) {
            throw new IllegalArgumentException(SOAK_CYCLES + ": " + cycles + " (expected: > 0)");
        }
        return cycles;
    }

    static String soakHeap() {
        String value = System.getProperty(SOAK_HEAP);
        return value == null || value.isBlank() ? "64m" : value.trim();
    }

    static int soakTimeoutSeconds() {
        return positive(SOAK_TIMEOUT_SECONDS, 300);
    }

    /** The seed given on the command line, or a fresh one. */
    static long seed() {
        return SeededRuns.seed(SEED);
    }

    private static int positive(String property, int defaultValue) {
        return SeededRuns.positive(property, defaultValue);
    }
}
