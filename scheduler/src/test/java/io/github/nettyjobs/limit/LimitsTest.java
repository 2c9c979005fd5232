package io.github.nettyjobs.limit;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The factories of {@link Limits}: validation, one algorithm per get(), and what every built-in algorithm promises. */
class LimitsTest {

    private static List<Supplier<LimitAlgorithm>> builtIns(int initial, int min, int max) {
        return List.of(
                Limits.aimd().initialLimit(initial).minLimit(min).maxLimit(max),
                Limits.vegas().initialLimit(initial).minLimit(min).maxLimit(max),
                Limits.gradient2().initialLimit(initial).minLimit(min).maxLimit(max));
    }

    @Test
    void fixed_neverMoves() {
        LimitAlgorithm fixed = Limits.fixed(7).get();
        fixed.onSample(1, 7, true);
        Samples.saturated(fixed, Samples.MILLIS, 1000);

        assertEquals(7, fixed.limit());
    }

    @Test
    void fixed_belowOne_throwsIllegalArgument() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Limits.fixed(0));
        assertEquals("limit: 0 (expected: >= 1)", e.getMessage());
    }

    @Test
    void builders_giveANewAlgorithmPerGet() {
        for (Supplier<LimitAlgorithm> supplier : builtIns(20, 1, 100)) {
            assertNotSame(supplier.get(), supplier.get(), supplier.toString());
        }
    }

    @Test
    void builtIns_startAtTheirInitialLimit() {
        for (Supplier<LimitAlgorithm> supplier : builtIns(37, 5, 80)) {
            assertEquals(37, supplier.get().limit(), supplier.toString());
        }
        assertEquals(20, Limits.gradient2().get().limit());
        assertEquals(20, Limits.vegas().get().limit());
        assertEquals(20, Limits.aimd().get().limit());
    }

    @Test
    void builtIns_stayWithinTheirBounds_whateverTheSamples() {
        for (Supplier<LimitAlgorithm> supplier : builtIns(20, 4, 60)) {
            LimitAlgorithm algorithm = supplier.get();
            Random random = new Random(42);
            for (int i = 0; i < 50_000; i++) {
                long runNanos = random.nextInt(4) == 0 ? random.nextInt(1000)
                        : (long) random.nextInt(100) * Samples.MILLIS;
                int inFlight = random.nextBoolean() ? algorithm.limit() : 1 + random.nextInt(algorithm.limit());
                algorithm.onSample(runNanos, inFlight, random.nextInt(50) == 0);
                int limit = algorithm.limit();
                assertTrue(limit >= 4 && limit <= 60, supplier + " after " + i + " samples: " + limit);
            }
        }
    }

    @Test
    void builtIns_doNotGrow_underLightLoad() {
        for (Supplier<LimitAlgorithm> supplier : builtIns(40, 1, 1000)) {
            LimitAlgorithm algorithm = supplier.get();
            for (int i = 0; i < 10_000; i++) {
                // fewer than half the slots in use, and the run time flat: nothing says more would fit
                algorithm.onSample(10 * Samples.MILLIS, (algorithm.limit() - 1) / 2, false);
                assertTrue(algorithm.limit() <= 40, supplier + " grew to " + algorithm.limit() + " after " + i);
            }
        }
    }

    @Test
    void builtIns_growToMax_underSaturationWithSteadyRunTimes() {
        for (Supplier<LimitAlgorithm> supplier : builtIns(20, 1, 300)) {
            LimitAlgorithm algorithm = supplier.get();
            int samples = Samples.untilLimitAtLeast(algorithm, 10 * Samples.MILLIS, 300, 100_000);

            assertTrue(samples > 0, supplier + " stuck at " + algorithm.limit());
        }
    }

    @Test
    void builders_refuseLimitsBelowOne() {
        assertEquals("initialLimit: 0 (expected: >= 1)",
                assertThrows(IllegalArgumentException.class, () -> Limits.aimd().initialLimit(0)).getMessage());
        assertEquals("minLimit: -1 (expected: >= 1)",
                assertThrows(IllegalArgumentException.class, () -> Limits.vegas().minLimit(-1)).getMessage());
        assertEquals("maxLimit: 0 (expected: >= 1)",
                assertThrows(IllegalArgumentException.class, () -> Limits.gradient2().maxLimit(0)).getMessage());
    }

    @Test
    void get_withLimitsOutOfOrder_throwsIllegalArgument() {
        assertEquals("initialLimit: 50 (expected: <= maxLimit 10)", assertThrows(IllegalArgumentException.class,
                () -> Limits.gradient2().initialLimit(50).maxLimit(10).get()).getMessage());
        assertEquals("minLimit: 30 (expected: <= initialLimit 20)", assertThrows(IllegalArgumentException.class,
                () -> Limits.vegas().minLimit(30).get()).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Limits.aimd().minLimit(5).maxLimit(4).get());
    }

    @Test
    void knobs_refuseBadValues() {
        assertEquals("backoff: 0.95 (expected: >= 0.5 and <= 0.9)",
                assertThrows(IllegalArgumentException.class, () -> Limits.aimd().backoff(0.95)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Limits.aimd().timeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> Limits.aimd().timeout(Duration.ofMillis(-1)));
        assertThrows(IllegalArgumentException.class, () -> Limits.vegas().alpha(0));
        assertThrows(IllegalArgumentException.class, () -> Limits.vegas().beta(0));
        assertThrows(IllegalArgumentException.class, () -> Limits.vegas().probeInterval(0));
        assertEquals("alpha + 1: 7 (expected: <= beta 6)",
                assertThrows(IllegalArgumentException.class, () -> Limits.vegas().alpha(6).get()).getMessage());
        assertEquals("tolerance: 0.9 (expected: >= 1.0 and <= 10.0)",
                assertThrows(IllegalArgumentException.class, () -> Limits.gradient2().tolerance(0.9)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Limits.gradient2().tolerance(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Limits.gradient2().growth(0));
        assertThrows(IllegalArgumentException.class, () -> Limits.gradient2().growth(1.5));
        assertThrows(IllegalArgumentException.class, () -> Limits.gradient2().probeInterval(0));
    }

    @Test
    void builders_areReusable_andNameTheirConfiguration() {
        Limits.Gradient2 builder = Limits.gradient2().initialLimit(10);
        LimitAlgorithm first = builder.get();
        builder.initialLimit(30);

        assertEquals(10, first.limit());
        assertEquals(30, builder.get().limit());
        assertTrue(builder.toString().contains("initialLimit=30"), builder.toString());
        assertTrue(Limits.fixed(3).toString().contains("3"));
    }

    @Test
    void fixed_sharesOneImmutableAlgorithm() {
        Supplier<LimitAlgorithm> fixed = Limits.fixed(3);
        assertSame(fixed.get(), fixed.get());
    }
}
