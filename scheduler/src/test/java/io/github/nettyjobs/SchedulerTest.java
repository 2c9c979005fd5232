package io.github.nettyjobs;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;

import static io.github.nettyjobs.FutureAssertions.assertSucceeded;
import static io.github.nettyjobs.SchedulerAssertions.assertCounts;
import static io.github.nettyjobs.SchedulerAssertions.assertRejected;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The scheduler as a collection: creation, counts, iteration, results, toString. */
@Timeout(10)
class SchedulerTest {

    @RegisterExtension
    final SchedulerFixture fixture = new SchedulerFixture();
    private final EventLoop loop = fixture.loop();

    @Test
    void create_usesAiojobsDefaults() {
        Scheduler scheduler = Scheduler.create(loop);

        assertEquals(100, scheduler.limit());
        assertEquals(10_000, scheduler.pendingLimit());
        assertEquals(Duration.ofMillis(100), scheduler.closeTimeout());
        assertEquals(Duration.ofSeconds(60), scheduler.waitTimeout());
        assertNull(scheduler.exceptionHandler());
        assertSame(loop, scheduler.executor());
        assertFalse(scheduler.isClosed());
    }

    @Test
    void create_newScheduler_isEmpty() {
        Scheduler scheduler = Scheduler.create(loop);

        assertEquals(0, scheduler.size());
        assertCounts(scheduler, 0, 0);
        assertFalse(scheduler.iterator().hasNext());
        assertEquals(List.of(), scheduler.jobs());
    }

    @Test
    void create_nullLoop_throwsNpeNamingLoop() {
        assertRejected(NullPointerException.class, "loop", () -> Scheduler.create(null));
    }

    @Test
    void spawn_runningJob_isHeldIteratedAndContained() {
        Scheduler scheduler = Scheduler.create(loop);

        Job<Void> job = fixture.spawnJob(scheduler, loop.newPromise());

        assertFalse(job.isClosed());
        assertEquals(1, scheduler.size());
        assertEquals(1, scheduler.activeCount());
        assertEquals(List.of(job), scheduler.jobs());
        List<Job<?>> iterated = new ArrayList<>();
        scheduler.forEach(iterated::add);
        assertEquals(List.of(job), iterated);
        assertTrue(scheduler.contains(job));
        assertSame(scheduler, job.scheduler());
    }

    @Test
    void join_finishedJob_givesResultAndJobLeavesScheduler() {
        Scheduler scheduler = Scheduler.create(loop);
        Promise<Integer> promise = loop.newPromise();
        Job<Integer> job = fixture.spawnJob(scheduler, promise);
        Future<Integer> joined = job.join();

        promise.setSuccess(1);
        fixture.runTasks();

        assertEquals(1, assertSucceeded(joined));
        assertTrue(job.isClosed());
        assertEquals(0, scheduler.size());
        assertEquals(List.of(), scheduler.jobs());
        assertFalse(scheduler.iterator().hasNext());
        assertFalse(scheduler.contains(job));
    }

    @Test
    void spawn_alreadyCompletedFuture_jobEndsAndLeavesScheduler() {
        Scheduler scheduler = Scheduler.create(loop);

        Job<Integer> job = fixture.spawnJob(scheduler, () -> loop.newSucceededFuture(7));

        assertEquals(7, assertSucceeded(job.join()));
        assertTrue(job.isClosed());
        assertEquals(0, scheduler.size());
        assertFalse(scheduler.contains(job));
    }

    @Test
    void size_countsActiveAndPendingJobs() {
        Scheduler scheduler = Scheduler.builder().limit(2).build(loop);

        Job<Void> first = fixture.spawnJob(scheduler, loop.newPromise());
        Job<Void> second = fixture.spawnJob(scheduler, loop.newPromise());
        Job<Void> third = fixture.spawnJob(scheduler, loop.newPromise());

        assertEquals(3, scheduler.size());
        assertCounts(scheduler, 2, 1);
        assertEquals(Set.of(first, second, third), new HashSet<>(scheduler.jobs()));
        Set<Job<?>> iterated = new HashSet<>();
        for (Job<?> job : scheduler) {
            iterated.add(job);
        }
        assertEquals(Set.of(first, second, third), iterated);
        assertTrue(scheduler.contains(third));
    }

    @Test
    void iterator_pastLastJob_throwsNoSuchElement() {
        Scheduler scheduler = Scheduler.create(loop);
        fixture.spawnJob(scheduler, loop.newPromise());

        Iterator<Job<?>> iterator = scheduler.iterator();
        iterator.next();

        assertFalse(iterator.hasNext());
        assertThrows(NoSuchElementException.class, iterator::next);
    }

    @Test
    void contains_otherObjects_returnsFalse() {
        Scheduler scheduler = Scheduler.create(loop);
        Scheduler other = Scheduler.create(loop);
        Job<Void> foreign = fixture.spawnJob(other, loop.newPromise());
        fixture.spawnJob(scheduler, loop.newPromise());

        assertFalse(scheduler.contains(foreign));
        assertFalse(scheduler.contains("job-1"));
    }

    @Test
    void jobs_returnsImmutableSnapshot() {
        Scheduler scheduler = Scheduler.create(loop);
        Job<Void> first = fixture.spawnJob(scheduler, loop.newPromise());

        List<Job<?>> snapshot = scheduler.jobs();
        Job<Void> second = fixture.spawnJob(scheduler, loop.newPromise());

        assertEquals(List.of(first), snapshot);
        assertThrows(UnsupportedOperationException.class, () -> snapshot.add(second));
        assertThrows(UnsupportedOperationException.class, () -> snapshot.remove(first));
        assertEquals(2, scheduler.jobs().size());
    }

    @Test
    void toString_reportsJobCountAndClosedState() {
        Scheduler scheduler = Scheduler.create(loop);
        assertTrue(scheduler.toString().contains("jobs=0"), scheduler::toString);
        assertFalse(scheduler.toString().contains("closed"), scheduler::toString);

        fixture.spawnJob(scheduler, loop.newPromise());
        assertTrue(scheduler.toString().contains("jobs=1"), scheduler::toString);

        Future<Void> closed = fixture.close(scheduler);
        assertSucceeded(closed);
        assertTrue(scheduler.toString().contains("closed"), scheduler::toString);
        assertTrue(scheduler.toString().contains("jobs=0"), scheduler::toString);
    }

    @Test
    void executor_isTheOwningLoop() {
        assertSame(loop, Scheduler.builder().build(loop).executor());
    }
}
