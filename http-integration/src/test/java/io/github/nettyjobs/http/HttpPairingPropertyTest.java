package io.github.nettyjobs.http;

import io.github.nettyjobs.testing.QuietLogs;
import io.github.nettyjobs.testing.SeededRuns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * HTTP/1.1 pipelining's one promise, on random pipelines: a client pairs answers with its requests
 * by their order, so every answer on the wire must belong to the request in its position. Each
 * pipeline ({@link PairingRun}) mixes {@code GET}s, {@code POST}s, {@code Expect: 100-continue}
 * (met, and over the size limit), an {@code Expect} that cannot be met, oversized bodies,
 * {@code Connection: close}, and HTTP/1.0 with and without keep-alive; its handlers echo the request's
 * id, fail, answer later in any order, or end the connection with their answer. The server is Netty's {@code
 * HttpServerCodec},
 * {@link HttpJobs#aggregator(int)} and {@link HttpJobs#atomic(AsyncHttpHandler, int)} on an embedded
 * channel. Each step checks that each answer, {@code 100 Continue} included, pairs with the request in
 * its position, that nothing behind an answer that closes the connection is processed, and at the end
 * that every request ahead of it was answered and no buffer is left unreleased.
 *
 * <p>It prints its first seed; {@code -Dnettyjobs.pairing.seed=<seed> -Dnettyjobs.pairing.pipelines=1}
 * replays the pipeline a failure names.
 */
// Handlers fail on purpose; the atomic handler logs each failure at WARN.
@ExtendWith(QuietLogs.class)
class HttpPairingPropertyTest {

    static final String SEED = "nettyjobs.pairing.seed";
    static final String PIPELINES = "nettyjobs.pairing.pipelines";
    private static final int DEFAULT_PIPELINES = 1_000;

    private static final List<String> EXPECTED_COVERAGE = List.of(
            "kind GET", "kind POST", "kind EXPECT_CONTINUE", "kind EXPECT_CONTINUE_EAGER", "kind EXPECT_TOO_LARGE",
            "kind OVERSIZED", "kind EXPECT_UNSUPPORTED", "kind CLOSE", "kind HTTP10", "kind HTTP10_KEEP_ALIVE",
            "behaviour FAST", "behaviour SLOW", "behaviour FAIL", "behaviour CLOSE_NOW", "behaviour CLOSE_LATER",
            "100 Continue after an earlier answer", "closed by EXPECT_TOO_LARGE", "closed by OVERSIZED",
            "closed by EXPECT_UNSUPPORTED", "closed by CLOSE", "closed by HTTP10", "closed by the handler",
            "sent behind a close", "ran behind the handler's close");

    @Test
    void randomPipelines_everyAnswerBelongsToTheRequestInItsPosition() {
        long seed = SeededRuns.seed(SEED);
        int pipelines = SeededRuns.positive(PIPELINES, DEFAULT_PIPELINES);
        System.out.println("HttpPairingPropertyTest: " + pipelines + " pipelines, first seed " + seed
                + " (replay one with -D" + SEED + "=<seed> -D" + PIPELINES + "=1)");
        Map<String, Integer> coverage = new TreeMap<>();
        SeededRuns.forEachSeed(seed, pipelines, pipelineSeed -> new PairingRun(pipelineSeed, coverage).run());
        System.out.println("HttpPairingPropertyTest coverage: " + coverage);
        if (pipelines >= DEFAULT_PIPELINES) {
            // Enough pipelines reach every kind and outcome; a generator that stops doing so tests less.
            SeededRuns.assertCovered(coverage, EXPECTED_COVERAGE);
        }
    }
}
