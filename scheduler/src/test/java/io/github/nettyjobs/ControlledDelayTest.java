package io.github.nettyjobs;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static io.github.nettyjobs.FutureAssertions.assertFailedWith;
import static io.github.nettyjobs.FutureAssertions.assertSucceeded;
import static io.github.nettyjobs.SchedulerAssertions.assertRejected;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code controlledDelay} and {@code adaptiveLifo}: a standing queue sheds and serves the newest first. */
class ControlledDelayTest {

    private static final Duration TARGET = Duration.ofMillis(5);
    private static final Duration INTERVAL = Duration.ofMillis(100);

    @RegisterExtension
    final SchedulerFixture fixture = new SchedulerFixture();
    private final EventLoop loop = fixture.loop();
    private final RecordingHandler handler = fixture.handler();
    private final RecordingListener listener = new RecordingListener();
    private final List<Integer> started = new ArrayList<>();

    /** Spawns job {@code n}, which runs {@code millis} of frozen time once it starts. */
    private Job<Void> spawn(Scheduler scheduler, int n, long millis) {
        return assertSucceeded(fixture.spawn(scheduler, () -> {
            started.add(n);
            Promise<Void> promise = loop.newPromise();
            loop.schedule(() -> promise.setSuccess(null), millis, TimeUnit.MILLISECONDS);
            return promise;
        }));
    }

    /** Moves frozen time on a millisecond at a time, so each job's end, and the start it allows, comes on time. */
    private void runFor(long millis) {
        for (long i = 0; i < millis; i++) {
            fixture.advanceMillis(1);
        }
    }

    private List<Job<Void>> spawnAll(Scheduler scheduler, int from, int to, long millis) {
        List<Job<Void>> jobs = new ArrayList<>();
        for (int n = from; n <= to; n++) {
            jobs.add(spawn(scheduler, n, millis));
        }
        return jobs;
    }

    private static List<Integer> range(int from, int to) {
        List<Integer> list = new ArrayList<>();
        for (int n = from; n <= to; n++) {
            list.add(n);
        }
        return list;
    }

    @Test
    void controlledDelay_badValues_areRejectedNamingTheParameter() {
        assertRejected(IllegalArgumentException.class, "target",
                () -> Scheduler.builder().controlledDelay(Duration.ZERO, INTERVAL));
        assertRejected(IllegalArgumentException.class, "interval",
                () -> Scheduler.builder().controlledDelay(TARGET, Duration.ofMillis(-1)));
        assertRejected(NullPointerException.class, "interval", () -> Scheduler.builder().controlledDelay(TARGET, null));
    }

    @Test
    void burstThatDrainsWithinAnInterval_dropsNothing() {
        Scheduler scheduler = fixture.builder().limit(1).controlledDelay(TARGET, INTERVAL).listener(listener)
                .build(loop);
        spawn(scheduler, 0, 1);
        runFor(150); // quiet: a new interval begins with the burst

        List<Job<Void>> burst = spawnAll(scheduler, 1, 9, 10); // the last waits 80 ms, far over 2 x target
        runFor(90);

        assertEquals(range(0, 9), started);
        for (Job<Void> job : burst) {
            assertEquals(JobOutcome.SUCCEEDED, job.outcome());
        }
    }

    @Test
    void standingQueue_dropsJobsThatWaitedOverTwiceTheTarget_atTheirTurn() {
        Scheduler scheduler = fixture.builder().limit(1).controlledDelay(TARGET, INTERVAL).listener(listener)
                .build(loop);
        List<Job<Void>> jobs = spawnAll(scheduler, 1, 41, 10);
        List<Future<Void>> joins = new ArrayList<>();
        for (Job<Void> job : jobs) {
            joins.add(job.join());
        }

        // 0-100 ms: job 1 started at once, so the first interval's shortest wait is 0: not standing.
        // 100-200 ms: the shortest wait is job 11's 100 ms: from 200 ms on the queue stands.
        runFor(200); // job 21's turn opens the interval: never dropped
        runFor(10); // job 22's turn: waited 210 ms

        assertEquals(range(1, 21), started);
        for (int i = 21; i < 41; i++) {
            assertEquals(JobOutcome.DROPPED, jobs.get(i).outcome(), "job " + (i + 1));
            TimeoutException dropped = assertFailedWith(TimeoutException.class, joins.get(i));
            assertTrue(dropped.getMessage().contains("controlled delay"), dropped.getMessage());
        }
        assertEquals(JobOutcome.SUCCEEDED, jobs.get(20).outcome());
        assertEquals(0, scheduler.pendingCount());
        handler.assertNotCalled(); // load shedding, not a failure
        assertTrue(listener.calls.contains("ended job-41 DROPPED"), listener.calls.toString());

        spawn(scheduler, 42, 10); // the queue has drained: a new job starts at once
        assertEquals(42, started.get(started.size() - 1));
    }

    @Test
    void adaptiveLifo_whileTheQueueStands_startsTheNewestFirst() {
        Scheduler scheduler = fixture.builder().limit(1).adaptiveLifo(true).build(loop);
        spawnAll(scheduler, 1, 30, 10);

        runFor(199); // first in, first out until the queue has stood for an interval
        assertEquals(range(1, 20), started);

        runFor(31);
        assertEquals(List.of(30, 29, 28, 27), started.subList(20, 24),
                "newest first, and nothing dropped without controlledDelay");
    }

    @Test
    void adaptiveLifo_withControlledDelay_startsTheNewestAndShedsTheStale() {
        Scheduler scheduler = fixture.builder().limit(1).adaptiveLifo(true).controlledDelay(TARGET, INTERVAL)
                .build(loop);
        spawnAll(scheduler, 1, 30, 10);
        runFor(200);
        spawn(scheduler, 31, 10); // arrives while the queue stands

        runFor(10);

        assertEquals(31, started.get(started.size() - 1), "the newest, which waited under 2 x target");
        runFor(10);
        assertEquals(0, scheduler.pendingCount(), "the rest waited too long: shed");
    }

    @Test
    void adaptiveLifo_afterTheQueueDrains_isFirstInFirstOutAgain() {
        Scheduler scheduler = fixture.builder().limit(1).adaptiveLifo(true).build(loop);
        spawnAll(scheduler, 1, 30, 10);
        runFor(400); // all ran; the last interval saw short waits
        spawn(scheduler, 100, 0);
        runFor(200);
        started.clear();

        spawnAll(scheduler, 1, 5, 10);
        runFor(50);

        assertEquals(range(1, 5), started);
    }
}
