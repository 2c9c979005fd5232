package io.github.nettyjobs.channel;

import io.github.nettyjobs.testing.LeakDetectionExtension;
import io.github.nettyjobs.testing.QuietLogs;
import io.github.nettyjobs.testing.SeededRuns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Randomized model-based test of the channel layer: {@link AtomicHandler}, ordered and unordered,
 * with several {@code maxInFlight}, limits, pending queues, refusals and timeouts, on an
 * {@link io.netty.channel.embedded.EmbeddedChannel} with frozen time and paranoid leak detection,
 * each step compared with {@link AtomicModel}: the answers written and their order, whether the
 * connection is open, which handlers ran, whether the channel reads, and which requests are
 * released (see {@link AtomicModelRun}).
 *
 * <p>Each run prints its first seed; a failure prints the seed of its sequence, the step and the
 * steps before it. {@code -Dnettyjobs.channelModel.seed=<seed> -Dnettyjobs.channelModel.sequences=1}
 * replays one sequence; {@code nettyjobs.channelModel.sequences} and {@code nettyjobs.channelModel.steps}
 * size a run (defaults fit {@code mvn verify}).
 */
// Handlers fail on purpose; each failure is logged at WARN.
@ExtendWith(QuietLogs.class)
@ExtendWith(LeakDetectionExtension.class)
class AtomicHandlerModelTest {

    static final String SEED = "nettyjobs.channelModel.seed";
    static final String SEQUENCES = "nettyjobs.channelModel.sequences";
    static final String STEPS = "nettyjobs.channelModel.steps";

    private static final List<String> EXPECTED_COVERAGE = List.of(
            "kind ASYNC", "kind NEVER", "kind SYNC_OK", "kind SYNC_BYE", "kind THROW", "kind LAST", "kind BAD",
            "complete ok", "complete BYE", "complete failure", "advance", "unwritable", "writable",
            "half-close", "vanish", "held answer", "waiting beyond maxInFlight", "waiting for room");

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void randomSequences_matchTheModel() {
        long seed = SeededRuns.seed(SEED);
        int sequences = SeededRuns.positive(SEQUENCES, 500);
        int steps = SeededRuns.positive(STEPS, 60);
        System.out.println("AtomicHandlerModelTest: " + sequences + " sequences of " + steps
                + " steps, first seed " + seed);
        Map<String, Integer> coverage = new TreeMap<>();
        SeededRuns.forEachSeed(seed, sequences,
                sequenceSeed -> new AtomicModelRun(sequenceSeed, steps, coverage).run());
        System.out.println("AtomicHandlerModelTest coverage: " + coverage);
        if (sequences >= 500) {
            SeededRuns.assertCovered(coverage, EXPECTED_COVERAGE);
        }
    }

    /** Fixed seeds, replayed on every build: the same sequences each time. */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1L, 42L, 20261204L})
    @Timeout(value = 1, unit = TimeUnit.MINUTES)
    void knownSeeds_matchTheModel(long seed) {
        new AtomicModelRun(seed, 200, new TreeMap<>()).run();
    }
}
