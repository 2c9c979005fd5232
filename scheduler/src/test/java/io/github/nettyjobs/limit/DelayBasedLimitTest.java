package io.github.nettyjobs.limit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.function.Supplier;

import static io.github.nettyjobs.limit.Samples.MILLIS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What {@link Limits#vegas()} and {@link Limits#gradient2()} both promise, and the failure modes both avoid. */
class DelayBasedLimitTest {

    private static Supplier<LimitAlgorithm> algorithm(String name, int initial, int max) {
        return "vegas".equals(name) ? Limits.vegas().initialLimit(initial).maxLimit(max)
                : Limits.gradient2().initialLimit(initial).maxLimit(max);
    }

    @ParameterizedTest
    @ValueSource(strings = {"vegas", "gradient2"})
    void steadyRunTime_underSaturation_growsToMax(String name) {
        LimitAlgorithm algorithm = algorithm(name, 10, 500).get();

        assertTrue(Samples.untilLimitAtLeast(algorithm, 10 * MILLIS, 500, 50_000) > 0, algorithm.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"vegas", "gradient2"})
    void runTimeRisingToThreeTimes_underSaturation_halvesWithin200Samples(String name) {
        LimitAlgorithm algorithm = algorithm(name, 100, 100).get();
        Samples.saturated(algorithm, 10 * MILLIS, 500);
        int before = algorithm.limit();

        Samples.saturated(algorithm, 30 * MILLIS, 200);

        assertTrue(algorithm.limit() <= before / 2, before + " -> " + algorithm);
    }

    @ParameterizedTest
    @ValueSource(strings = {"vegas", "gradient2"})
    void fastJobs_areNotDiscarded_microsecondsGrowAndCutLikeMilliseconds(String name) {
        LimitAlgorithm algorithm = algorithm(name, 10, 200).get();
        assertTrue(Samples.untilLimitAtLeast(algorithm, 20_000, 200, 50_000) > 0, "20 µs jobs: " + algorithm);

        Samples.saturated(algorithm, 60_000, 200);

        assertTrue(algorithm.limit() <= 100, "60 µs jobs: " + algorithm);
    }

    @ParameterizedTest
    @ValueSource(strings = {"vegas", "gradient2"})
    void oneLuckySample_doesNotCollapseTheLimit(String name) {
        LimitAlgorithm algorithm = algorithm(name, 50, 100).get();
        Samples.saturated(algorithm, 10 * MILLIS, 1000);
        assertEquals(100, algorithm.limit());

        algorithm.onSample(1_000, 100, false); // a job that happened to skip all the work
        for (int i = 0; i < 5000; i++) {
            algorithm.onSample(10 * MILLIS, algorithm.limit(), false);
            // a plain minimum would now read every job as ten thousand times too slow, and cut to the bottom
            assertTrue(algorithm.limit() >= 90, i + " samples later: " + algorithm);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"vegas", "gradient2"})
    void downstreamSlowerForGood_noLoadTimeIsReprobed_andTheLimitGrowsAgain(String name) {
        LimitAlgorithm algorithm = algorithm(name, 50, 100).get();
        Samples.saturated(algorithm, 10 * MILLIS, 1000);

        // From now on every job takes 25 ms, whatever the concurrency: nothing queues, it is just slower.
        Samples.saturated(algorithm, 25 * MILLIS, 200);
        assertTrue(algorithm.limit() < 50, "first read as a queue: " + algorithm);

        assertTrue(Samples.untilLimitAtLeast(algorithm, 25 * MILLIS, 100, 100_000) > 0, algorithm.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"vegas", "gradient2"})
    void queueingDownstream_limitSettlesNearItsCapacity_andDoesNotCreep(String name) {
        LimitAlgorithm algorithm = algorithm(name, 10, 1000).get();
        int capacity = 32;
        Samples.downstream(algorithm, 10 * MILLIS, capacity, 20_000);
        int highest = 0;
        int lowest = Integer.MAX_VALUE;

        for (int i = 0; i < 200; i++) {
            Samples.downstream(algorithm, 10 * MILLIS, capacity, 1000);
            highest = Math.max(highest, algorithm.limit());
            lowest = Math.min(lowest, algorithm.limit());
        }

        assertTrue(highest <= 2 * capacity, "crept up to " + highest + ": " + algorithm);
        assertTrue(lowest >= capacity / 2, "fell to " + lowest + ": " + algorithm);
    }

    @ParameterizedTest
    @ValueSource(strings = {"vegas", "gradient2"})
    void droppedSample_cutsTheLimit(String name) {
        LimitAlgorithm algorithm = algorithm(name, 100, 100).get();
        Samples.saturated(algorithm, 10 * MILLIS, 100);

        algorithm.onSample(10 * MILLIS, 100, true);

        assertTrue(algorithm.limit() <= 90, algorithm.toString());
    }
}
