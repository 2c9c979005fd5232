package io.github.nettyjobs;

import io.github.nettyjobs.testing.EventLoops;
import io.github.nettyjobs.testing.LogCapture;
import io.netty.channel.EventLoop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.github.nettyjobs.Loops.sync;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the code of the blocking-work guide ({@code docs/blocking.md}) and checks that the guide
 * shows exactly this code: each region between {@code // tag::NAME[]} and {@code // end::NAME[]}
 * below must stand there, de-indented. The guide's HTTP route is checked in the HTTP module.
 */
@Timeout(30)
class BlockingGuideTest {

    private static final Path GUIDE = Path.of("..", "docs", "blocking.md");
    private static final Path SOURCE = Path.of("src", "test", "java", "io", "github", "nettyjobs",
            "BlockingGuideTest.java");
    private static final List<String> SNIPPETS = List.of("spawn-blocking", "bounded-executor", "slow-task");

    @RegisterExtension
    static final EventLoops LOOPS = new EventLoops();
    private static final EventLoop loop = LOOPS.loop();

    /** Stands in for a client whose calls block. */
    static final class Directory {
        private final Map<String, String> names = Map.of("ada", "Ada Lovelace");

        String lookup(String user) {
            return names.get(user);
        }
    }

    private final Directory directory = new Directory();

    @Test
    void guide_showsEveryTaggedSnippetVerbatim() throws IOException {
        String source = Files.readString(SOURCE);
        String guide = Files.readString(GUIDE);
        Matcher tags = Pattern.compile("(?m)^( *)// tag::([a-z-]+)\\[]\\n(.*?)^ *// end::\\2\\[]", Pattern.DOTALL)
                .matcher(source);
        List<String> names = new ArrayList<>();
        while (tags.find()) {
            int indent = tags.group(1).length();
            StringBuilder snippet = new StringBuilder();
            for (String line : tags.group(3).split("\n")) {
                snippet.append(line.length() >= indent ? line.substring(indent) : line.strip()).append('\n');
            }
            names.add(tags.group(2));
            assertTrue(guide.contains("```java\n" + snippet + "```"),
                    () -> GUIDE + " must show the snippet '" + tags.group(2) + "' exactly as:\n" + snippet);
        }
        assertEquals(SNIPPETS, names);
    }

    @Test
    void spawnBlocking_runsTheLookupOffTheLoop() throws Exception {
        // tag::spawn-blocking[]
        Scheduler scheduler = Scheduler.builder().limit(200).jobTimeout(Duration.ofSeconds(2)).build(loop);
        // The call runs on a virtual thread (Java 21 and later) or a pooled thread (Java 17), never on the loop.
        Job<String> job = scheduler.spawnBlocking("lookup", () -> directory.lookup("ada")).get(5, SECONDS);
        String name = job.join().get(5, SECONDS);                 // "Ada Lovelace", delivered on the loop
        // end::spawn-blocking[]
        assertEquals("Ada Lovelace", name);
        scheduler.close().get(5, SECONDS);
    }

    @Test
    void boundedExecutor_runsTheCallsOnItsThreads() throws Exception {
        // tag::bounded-executor[]
        ExecutorService jdbcThreads = Executors.newFixedThreadPool(32);      // as many as the connection pool
        Scheduler.Builder database = Scheduler.builder()
                .limit(32)                                                   // never more calls than threads
                .pendingLimit(1_000)
                .rejectWhenFull(true)
                .blockingExecutor(jdbcThreads);
        // end::bounded-executor[]
        try {
            Scheduler scheduler = database.build(loop);
            assertSame(jdbcThreads, scheduler.blockingExecutor());
            Job<String> job = scheduler.spawnBlocking(() -> Thread.currentThread().getName()).get(5, SECONDS);
            assertTrue(job.join().get(5, SECONDS).startsWith("pool-"));
            scheduler.close().get(5, SECONDS);
        } finally {
            jdbcThreads.shutdownNow();
        }
    }

    @Test
    void slowTaskThreshold_catchesASleepInATask() throws Exception {
        try (LogCapture logs = LogCapture.start()) {
            // tag::slow-task[]
            Scheduler scheduler = Scheduler.builder().slowTaskThreshold(Duration.ofMillis(50)).build(loop);
            scheduler.spawn("nightly-report", () -> {
                Thread.sleep(100);          // a blocking call in a task: every channel of this loop waits
                return loop.newSucceededFuture("done");
            });
            // end::slow-task[]
            sync(loop);
            String warning = logs.text(Level.WARNING);
            assertTrue(warning.contains("The task of nightly-report blocked the event loop"), warning);
            scheduler.close().get(5, SECONDS);
        }
    }
}
