package io.github.nettyjobs.reliability;

import io.github.nettyjobs.testing.EventLoops;
import io.github.nettyjobs.testing.QuietLogs;
import io.github.nettyjobs.testing.SeededRuns;
import io.netty.channel.EventLoop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Randomized model-based test of {@link io.github.nettyjobs.Scheduler}: random sequences of
 * spawns (on the loop, from another thread, from inside tasks), task success, failure and
 * cancellation, joins with and without timeouts, job and scheduler closes, {@code waitAndClose}
 * and shields, each compared step by step with {@link ReferenceScheduler}.
 *
 * <p>A failure prints the seed of the sequence; {@code -Dnettyjobs.stress.seed=<seed>
 * -Dnettyjobs.stress.sequences=1} replays it.
 */
// Sequences make the exception handler throw on purpose; each time the scheduler logs a warning.
@ExtendWith(QuietLogs.class)
class SchedulerModelTest {

    private static final List<String> EXPECTED_COVERAGE = List.of(
            "op spawn on loop", "op spawn off-loop", "op succeed task future", "op fail task future",
            "op cancel task future", "op join", "op join(1ms)", "op job close()", "op job close(1h)",
            "op job close(null)", "op job close(5ms)", "op withdraw waiting spawn", "op shield",
            "op complete shielded", "op cancel shield", "op scheduler.close()", "op scheduler.waitAndClose()",
            "op scheduler.waitAndClose(1h)", "op scheduler.waitAndClose(null)", "op scheduler.waitAndClose(1ms)",
            "op complete abandoned future",
            "kind PROMISE", "kind FOREIGN", "kind STUBBORN", "kind NESTED", "kind SYNC_SUCCESS", "kind SYNC_FAIL",
            "kind THROW", "kind NULL",
            "admission ADMITTED", "admission REJECTED", "admission WITHDRAWN", "waited for room",
            "end SUCCESS", "end FAILURE", "end CANCELLED", "end TIMED_OUT", "end ABANDONED", "rejected: full",
            "failure to handler", "failure to waiter", "close timeout to handler");

    @RegisterExtension
    static final EventLoops LOOPS = new EventLoops();
    private static final EventLoop loop = LOOPS.loop();
    private static final EventLoop foreign = LOOPS.newLoop();

    @Test
    @Timeout(value = 30, unit = TimeUnit.MINUTES)
    void randomSequences_matchReferenceModel() throws Exception {
        long seed = StressKnobs.seed();
        int sequences = StressKnobs.sequences();
        int steps = StressKnobs.steps();
        System.out.println("SchedulerModelTest: " + sequences + " sequences of up to " + steps + " steps, first seed "
                + seed);
        Map<String, Integer> coverage = new TreeMap<>();
        SeededRuns.forEachSeed(seed, sequences,
                sequenceSeed -> new ModelRun(sequenceSeed, loop, foreign, steps, coverage).run());
        System.out.println("SchedulerModelTest coverage: " + coverage);
        if (sequences >= 500) {
            // Enough sequences reach every operation and outcome; a generator that stops doing so tests less.
            SeededRuns.assertCovered(coverage, EXPECTED_COVERAGE);
        }
    }

    /** Fixed seeds with long sequences, replayed on every build: the same sequences each time. */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1L, 42L, 20261121L})
    @Timeout(value = 1, unit = TimeUnit.MINUTES)
    void knownSeeds_matchReferenceModel(long seed) throws Exception {
        new ModelRun(seed, loop, foreign, 200, new TreeMap<>()).run();
    }
}
