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
 * below must stand there, de-indented, less its lines marked {@value #NOT_IN_THE_GUIDE} (what
 * only a test needs, such as a frozen clock). The guide's HTTP route is checked in the HTTP module.
 */
@Timeout(30)
class BlockingGuideTest {

    private static final Path GUIDE = Path.of("..", "docs", "blocking.md");
    private static final Path SOURCE = Path.of("src", "test", "java", "io", "github", "nettyjobs",
            "BlockingGuideTest.java");
    private static final List<String> SNIPPETS = List.of("spawn-blocking", "bounded-executor", "slow-task");
    /** Ends a line of a snippet that the guide leaves out. */
    private static final String NOT_IN_THE_GUIDE = "// not in the guide";

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

    /** Stands in for a client whose calls block: a fetch takes 100 ms of the scheduler's frozen clock. */
    static final class ReportClient {
        private final ManualClock clock;

        ReportClient(ManualClock clock) {
            this.clock = clock;
        }

        String fetch() {
            clock.advance(Duration.ofMillis(100));
            return "report";
        }
    }

    private final Directory directory = new Directory();
    private final ManualClock clock = new ManualClock();
    private final ReportClient reportClient = new ReportClient(clock);

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
                if (line.endsWith(NOT_IN_THE_GUIDE)) {
                    continue;
                }
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
    void slowTaskThreshold_catchesABlockingCallInATask_andWarnsAsTheGuideShows() throws Exception {
        try (LogCapture logs = LogCapture.start()) {
            // tag::slow-task[]
            Scheduler scheduler = Scheduler.builder()
                    .clock(clock)                                   // not in the guide
                    .slowTaskThreshold(Duration.ofMillis(50))
                    .build(loop);
            scheduler.spawn("nightly-report", () -> {
                String report = reportClient.fetch();   // a blocking call in a task: every channel of this loop waits
                return loop.newSucceededFuture(report);
            });
            // end::slow-task[]
            sync(loop);
            List<String> warnings = logs.warnings().stream().map(LogCapture::text)
                    .filter(text -> text.contains("nightly-report")).toList();
            assertEquals(1, warnings.size(), () -> "one WARN for the job: " + logs.text(Level.ALL));
            String warning = warnings.get(0);
            assertTrue(warning.startsWith("The task of nightly-report blocked the event loop"), warning);
            assertTrue(warning.contains(" for 100.0 ms (slowTaskThreshold PT0.05S)"), warning);
            String guide = Files.readString(GUIDE);
            assertTrue(guide.contains("\nWARNING: " + warning + "\n"), () -> GUIDE + " must show the WARN: " + warning);
            scheduler.close().get(5, SECONDS);
        }
    }
}
