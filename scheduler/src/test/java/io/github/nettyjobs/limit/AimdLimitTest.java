package io.github.nettyjobs.limit;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Limits#aimd()}: one more per job in time under saturation, a cut per timeout. */
class AimdLimitTest {

    @Test
    void droppedSample_cutsToAtMostNineTenths() {
        LimitAlgorithm aimd = Limits.aimd().initialLimit(100).get();
        for (int i = 0; i < 20; i++) {
            int before = aimd.limit();
            aimd.onSample(Samples.MILLIS, before, true);
            assertTrue(aimd.limit() <= 0.9 * before, before + " -> " + aimd.limit());
        }
    }

    @Test
    void droppedSample_neverCutsBelowMin() {
        LimitAlgorithm aimd = Limits.aimd().initialLimit(10).minLimit(8).get();
        for (int i = 0; i < 5; i++) {
            aimd.onSample(Samples.MILLIS, 10, true);
        }
        assertEquals(8, aimd.limit());
    }

    @Test
    void samplesInTime_underSaturation_growByAtLeastOneEach() {
        LimitAlgorithm aimd = Limits.aimd().initialLimit(10).get();
        for (int i = 0; i < 50; i++) {
            int before = aimd.limit();
            aimd.onSample(Samples.MILLIS, before, false);
            assertTrue(aimd.limit() >= before + 1, before + " -> " + aimd.limit());
        }
    }

    @Test
    void sampleSlowerThanTimeout_countsAsDropped() {
        LimitAlgorithm aimd = Limits.aimd().initialLimit(50).timeout(Duration.ofMillis(100)).get();
        aimd.onSample(99 * Samples.MILLIS, 50, false);
        assertEquals(51, aimd.limit());

        aimd.onSample(101 * Samples.MILLIS, 51, false);
        assertEquals(45, aimd.limit());
    }

    @Test
    void backoff_setsTheCut() {
        LimitAlgorithm aimd = Limits.aimd().initialLimit(100).backoff(0.5).get();
        aimd.onSample(Samples.MILLIS, 100, true);
        assertEquals(50, aimd.limit());
    }
}
