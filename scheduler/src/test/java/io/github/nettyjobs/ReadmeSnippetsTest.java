package io.github.nettyjobs;

import io.github.nettyjobs.limit.Limits;
import io.github.nettyjobs.micrometer.SchedulerMetrics;
import io.github.nettyjobs.testing.EventLoops;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.MDC;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.github.nettyjobs.Loops.sync;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the code of the README and of the scheduler guide ({@code docs/scheduler.md}) and checks that
 * they show exactly this code: each region between {@code // tag::NAME[]} and {@code // end::NAME[]}
 * below must stand, de-indented, in the document {@link #DOCUMENTS} names for it.
 */
@Timeout(30)
class ReadmeSnippetsTest {

    private static final Path README = Path.of("..", "README.md");
    private static final Path GUIDE = Path.of("..", "docs", "scheduler.md");
    /** Where each snippet stands, in the order the snippets come in this file. */
    private static final Map<String, Path> DOCUMENTS = snippetDocuments();

    private static Map<String, Path> snippetDocuments() {
        Map<String, Path> documents = new LinkedHashMap<>();
        documents.put("quickstart", README);
        documents.put("spawn-join", README);
        documents.put("completion-stage", README);
        documents.put("limits", GUIDE);
        documents.put("handler", GUIDE);
        documents.put("shield", GUIDE);
        documents.put("under-load", GUIDE);
        documents.put("adaptive-limit", GUIDE);
        documents.put("metrics", GUIDE);
        documents.put("context", GUIDE);
        return documents;
    }
    private static final Path SOURCE = Path.of("src", "test", "java", "io", "github", "nettyjobs",
            "ReadmeSnippetsTest.java");

    @RegisterExtension
    static final EventLoops LOOPS = new EventLoops();
    private static final EventLoop loop = LOOPS.loop();

    @Test
    void documents_showEveryTaggedSnippetVerbatim() throws IOException {
        String source = Files.readString(SOURCE);
        Matcher tags = Pattern.compile("(?m)^( *)// tag::([a-z-]+)\\[]\\n(.*?)^ *// end::\\2\\[]", Pattern.DOTALL)
                .matcher(source);
        List<String> names = new ArrayList<>();
        while (tags.find()) {
            String snippet = dedent(tags.group(3), tags.group(1).length());
            String name = tags.group(2);
            names.add(name);
            Path document = DOCUMENTS.get(name);
            assertTrue(document != null && Files.readString(document).contains("```java\n" + snippet + "```"),
                    () -> document + " must show the snippet '" + name + "' exactly as:\n" + snippet);
        }
        assertEquals(List.copyOf(DOCUMENTS.keySet()), names);
    }

    private static String dedent(String block, int indent) {
        StringBuilder out = new StringBuilder();
        for (String line : block.split("\n", -1)) {
            if (!line.isEmpty()) {
                out.append(line.length() >= indent ? line.substring(indent) : line.strip()).append('\n');
            } else if (out.length() > 0) {
                out.append('\n');
            }
        }
        return out.toString().replaceAll("\n+$", "\n");
    }

    @Test
    void quickstart_waitsForJobsThenCloses() throws Exception {
        AtomicInteger done = new AtomicInteger();
        // tag::quickstart[]
        Scheduler scheduler = Scheduler.create(loop);
        for (int i = 0; i < 100; i++) {
            long delay = i;
            // A job is a task, called on the scheduler's loop, that returns a Netty Future.
            scheduler.spawn(() -> loop.schedule(() -> done.incrementAndGet(), delay, MILLISECONDS));
        }
        // Not every job has finished yet: let them finish (within a grace period), then close.
        scheduler.waitAndClose(Duration.ofSeconds(5)).sync();
        // end::quickstart[]
        assertEquals(100, done.get());
        assertTrue(scheduler.isClosed());
        assertEquals(0, scheduler.size());
    }

    @Test
    void spawnJoin_givesResultAndCancellation() throws Exception {
        Scheduler scheduler = Scheduler.create(loop);
        // tag::spawn-join[]
        // spawn() completes once the job is admitted (at once here: the scheduler has room).
        Job<String> job = scheduler.spawn("greeting", () -> loop.newSucceededFuture("hello")).get(5, SECONDS);
        String greeting = job.join().get(5, SECONDS);          // "hello"

        // A job that never ends by itself: closing it cancels its future.
        Promise<Void> forever = loop.newPromise();
        Job<Void> stuck = scheduler.<Void>spawn(() -> forever).get(5, SECONDS);
        stuck.close().sync();                                  // stuck.isClosed(), forever.isCancelled()
        // end::spawn-join[]
        assertEquals("hello", greeting);
        assertEquals("greeting", job.name());
        assertTrue(stuck.isClosed());
        assertTrue(forever.isCancelled());
        scheduler.close().sync();
    }

    /** Stands in for an asynchronous client of the CompletableFuture world. */
    private static final class StatusClient {
        CompletableFuture<String> fetchAsync(String path) {
            return CompletableFuture.supplyAsync(() -> "up: " + path);
        }
    }

    @Test
    void completionStage_bothWays() throws Exception {
        Scheduler scheduler = Scheduler.create(loop);
        StatusClient client = new StatusClient();
        // tag::completion-stage[]
        // A task returning a CompletionStage becomes a job; closing the job cancels the stage.
        Job<String> fetch = CompletionStages.spawn(scheduler, "fetch", () -> client.fetchAsync("/status"))
                .get(5, SECONDS);
        CompletableFuture<String> status = CompletionStages.join(fetch);  // the job's outcome as a CompletableFuture
        // end::completion-stage[]
        assertEquals("up: /status", status.get(5, SECONDS));
        assertEquals("fetch", fetch.name());
        scheduler.close().sync();
    }

    @Test
    void limits_queueThenWaitForRoom() throws Exception {
        // tag::limits[]
        Scheduler scheduler = Scheduler.builder()
                .limit(2)                              // at most 2 active jobs
                .pendingLimit(1)                       // 1 more waits in the pending queue
                .closeTimeout(Duration.ofMillis(500))  // how long close() waits per cancelled job
                .build(loop);
        List<Promise<String>> work =
                List.of(loop.newPromise(), loop.newPromise(), loop.newPromise(), loop.newPromise());
        List<Future<Job<String>>> spawned = new ArrayList<>();
        for (Promise<String> promise : work) {
            spawned.add(scheduler.spawn(() -> promise));
        }
        // Two jobs are active, one is pending; the fourth spawn waits for room (backpressure).
        // end::limits[]
        spawned.get(2).sync();
        assertEquals(2, scheduler.activeCount());
        assertEquals(1, scheduler.pendingCount());
        assertFalse(spawned.get(3).isDone());
        work.get(0).setSuccess("first"); // frees a slot: the pending job starts, the waiting spawn is admitted
        assertTrue(spawned.get(3).await(5, SECONDS));
        assertTrue(spawned.get(3).getNow().isPending());
        scheduler.close().sync();
    }

    @Test
    void handler_receivesUnawaitedFailures() throws Exception {
        List<String> reports = new CopyOnWriteArrayList<>();
        // tag::handler[]
        Scheduler scheduler = Scheduler.builder()
                .exceptionHandler((s, context) ->
                        reports.add(context.message() + ": " + context.exception().getMessage()))
                .build(loop);
        // Nobody joins this job, so its failure goes to the handler: "Job processing failed: boom".
        scheduler.spawn(() -> loop.newFailedFuture(new IllegalStateException("boom")));
        // end::handler[]
        scheduler.waitAndClose().sync();
        assertEquals(List.of("Job processing failed: boom"), reports);
    }

    @Test
    void shield_survivesCancellationButNotClose() throws Exception {
        Scheduler scheduler = Scheduler.create(loop);
        Promise<String> important = loop.newPromise();
        // tag::shield[]
        Future<String> shielded = scheduler.shield(important);
        shielded.cancel(false);            // the caller gives up waiting...
        // ...but `important` goes on, and waitAndClose() waits for it before closing.
        Future<Void> closed = scheduler.waitAndClose();
        // end::shield[]
        assertFalse(important.isDone());
        sync(loop); // everything the calls above queued on the loop has run
        assertFalse(closed.isDone(), "waitAndClose waits for the shielded future");
        important.setSuccess("done");
        assertTrue(closed.await(5, SECONDS));
    }

    @Test
    void underLoad_optionsBoundEveryKindOfWork() throws Exception {
        // tag::under-load[]
        Scheduler scheduler = Scheduler.builder()
                .limit(50)
                .pendingLimit(500)
                .rejectWhenFull(true)                   // a full queue fails the spawn at once (answer 503)
                .pendingTimeout(Duration.ofSeconds(2))  // a job not started 2 s after its spawn is dropped
                .jobTimeout(Duration.ofSeconds(30))     // a job running longer is closed and times out
                .build(loop);
        // end::under-load[]
        assertTrue(scheduler.rejectWhenFull());
        assertEquals(Duration.ofSeconds(2), scheduler.pendingTimeout());
        assertEquals(Duration.ofSeconds(30), scheduler.jobTimeout());
        Job<String> job = scheduler.spawn(() -> loop.newSucceededFuture("done")).get(5, SECONDS);
        assertEquals("done", job.join().get(5, SECONDS));
        scheduler.close().sync();
    }

    @Test
    void adaptiveLimit_startsAtTheAlgorithmsInitialLimit() throws Exception {
        Scheduler loopScheduler = adaptiveRequests(loop);
        assertEquals(20, loopScheduler.limit());
        Job<String> job = loopScheduler.spawn(() -> loop.newSucceededFuture("done")).get(5, SECONDS);
        assertEquals("done", job.join().get(5, SECONDS));
        assertEquals(20, loopScheduler.limit(), "one job at a time is too light a load to grow the limit");
        loopScheduler.close().sync();
    }

    private static Scheduler adaptiveRequests(EventLoop loop) {
        // tag::adaptive-limit[]
        Scheduler requests = Scheduler.builder()
                .limit(Limits.gradient2())             // moves with the downstream: about 1.2x what it serves at once
                .adaptiveLifo(true)                    // while the queue stands, the newest request first
                .pendingLimit(64)
                .rejectWhenFull(true)
                .pendingTimeout(Duration.ofMillis(50)) // what adaptive LIFO leaves behind is shed here
                .jobTimeout(Duration.ofMillis(100))    // the caller's own timeout: later is useless
                .build(loop);
        // end::adaptive-limit[]
        return requests;
    }

    @Test
    void metrics_countWhatTheSchedulerDoes() throws Exception {
        // tag::metrics[]
        MeterRegistry registry = new SimpleMeterRegistry();     // or the application's registry
        SchedulerMetrics metrics = SchedulerMetrics.of(registry, "background");
        Scheduler scheduler = Scheduler.builder().listener(metrics).build(loop);
        metrics.monitor(scheduler);                             // gauges of its active and pending jobs
        // end::metrics[]
        scheduler.spawn(() -> loop.newSucceededFuture("done")).get(5, SECONDS).join().get(5, SECONDS);
        assertEquals(1, registry.get("nettyjobs.jobs.ended").tags("outcome", "succeeded").counter().count());
        scheduler.close().sync();
    }

    @Test
    void context_theSpawningThreadsMdcReachesTheTask() throws Exception {
        // tag::context[]
        TaskDecorator mdc = start -> {
            Map<String, String> captured = MDC.getCopyOfContextMap();     // on the spawning thread
            return () -> {                                                 // on the loop, at the start
                Map<String, String> previous = MDC.getCopyOfContextMap();
                MDC.setContextMap(captured == null ? Map.of() : captured);
                try {
                    start.run();
                } finally {
                    MDC.setContextMap(previous == null ? Map.of() : previous);
                }
            };
        };
        Scheduler scheduler = Scheduler.builder().taskDecorator(mdc).build(loop);
        // end::context[]
        MDC.put("request", "r-42");
        try {
            Job<String> job = scheduler.spawn(() -> loop.newSucceededFuture(MDC.get("request"))).get(5, SECONDS);
            assertEquals("r-42", job.join().get(5, SECONDS));
        } finally {
            MDC.clear();
        }
        scheduler.close().sync();
    }
}
