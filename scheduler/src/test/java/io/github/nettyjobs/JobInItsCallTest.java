package io.github.nettyjobs;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static io.github.nettyjobs.FutureAssertions.assertSucceeded;
import static io.github.nettyjobs.SchedulerAssertions.assertCounts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A job is active from the call of its task, though it enters the scheduler's active list only once
 * its task has returned a future that is not done: inside the call, the scheduler's introspection,
 * counts, limit and close see it all the same.
 */
class JobInItsCallTest {

    @RegisterExtension
    final SchedulerFixture fixture = new SchedulerFixture();
    private final EventLoop loop = fixture.loop();

    private static List<String> names(List<Job<?>> jobs) {
        List<String> names = new ArrayList<>();
        for (Job<?> job : jobs) {
            names.add(job.name() + (job.isActive() ? " active" : job.isPending() ? " pending" : " closed"));
        }
        return names;
    }

    @Test
    void insideItsTask_theJobIsListedCountedAndHeld() {
        Scheduler scheduler = fixture.scheduler();
        fixture.spawnJob(scheduler, loop.<Void>newPromise()); // job-1, in the active list
        AtomicReference<List<String>> seen = new AtomicReference<>();
        AtomicReference<String> counts = new AtomicReference<>();

        Job<String> job = fixture.spawnJob(scheduler, () -> {
            seen.set(names(scheduler.jobs()));
            counts.set(scheduler.activeCount() + "/" + scheduler.size() + "/" + scheduler.jobs().size());
            return loop.newSucceededFuture("done");
        });

        assertEquals(List.of("job-1 active", "job-2 active"), seen.get());
        assertEquals("2/2/2", counts.get());
        assertEquals(JobOutcome.SUCCEEDED, job.outcome());
        assertCounts(scheduler, 1, 0);
        assertEquals(List.of("job-1 active"), names(scheduler.jobs()));
    }

    @Test
    void nestedSpawns_areListedInStartOrder_andCountTowardTheLimit() {
        Scheduler scheduler = fixture.builder().limit(2).build(loop);
        AtomicReference<List<String>> innermost = new AtomicReference<>();
        AtomicReference<Future<Job<Object>>> third = new AtomicReference<>();

        fixture.spawnJob(scheduler, () -> {
            scheduler.spawn(() -> {
                innermost.set(names(scheduler.jobs()));
                third.set(scheduler.spawn(loop::newPromise)); // both slots are taken: it queues
                return loop.newSucceededFuture(null);
            });
            return loop.newSucceededFuture(null);
        });

        assertEquals(List.of("job-1 active", "job-2 active"), innermost.get());
        Job<Object> queued = assertSucceeded(third.get());
        assertTrue(queued.isActive(), "it started once the two jobs ended inside their calls");
        assertCounts(scheduler, 1, 0);
    }

    @Test
    void closeFromInsideATask_cancelsTheFutureItReturns_andCompletes() {
        Scheduler scheduler = fixture.scheduler();
        AtomicReference<Future<Void>> closed = new AtomicReference<>();
        Promise<String> returned = loop.newPromise();

        Job<String> job = fixture.spawnJob(scheduler, () -> {
            closed.set(scheduler.close());
            return returned;
        });
        fixture.runTasks();

        assertTrue(returned.isCancelled(), "the close reached the job in its call");
        assertEquals(JobOutcome.CANCELLED, job.outcome());
        assertSucceeded(closed.get());
        assertCounts(scheduler, 0, 0);
    }

    @Test
    void closeFromInsideATask_waitsForAJobThatIgnoresCancellation() {
        Scheduler scheduler = fixture.builder().closeTimeout(java.time.Duration.ofMillis(10)).build(loop);
        AtomicReference<Future<Void>> closed = new AtomicReference<>();
        Promise<Void> stubborn = fixture.uncancellable();

        Job<Void> job = fixture.spawnJob(scheduler, () -> {
            closed.set(scheduler.close());
            return stubborn;
        });

        assertTrue(job.isActive());
        assertEquals(List.of("job-1 active"), names(scheduler.jobs()));
        assertTrue(!closed.get().isDone(), "the close waits for the job it could not cancel");
        fixture.advanceMillis(10);
        assertEquals(JobOutcome.ABANDONED, job.outcome());
        assertSucceeded(closed.get());
        assertEquals(1, fixture.handler().contexts().size(), "its close timeout is reported");
    }
}
