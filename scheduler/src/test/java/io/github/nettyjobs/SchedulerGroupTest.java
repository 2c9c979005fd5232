package io.github.nettyjobs;

import io.github.nettyjobs.testing.EventLoops;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.github.nettyjobs.FutureAssertions.awaitSuccess;
import static io.github.nettyjobs.Loops.onLoop;
import static io.github.nettyjobs.Loops.sync;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link SchedulerGroup}: one scheduler per loop of a group, summed counts, group-wide close. */
@Timeout(10)
class SchedulerGroupTest {

    private static final int LOOPS = 3;
    @RegisterExtension
    static final EventLoops EVENT_LOOPS = new EventLoops();
    private static final EventLoopGroup GROUP = EVENT_LOOPS.newGroup(LOOPS);
    private static final EventLoop FOREIGN = EVENT_LOOPS.newLoop();

    private final RecordingHandler handler = new RecordingHandler();

    private SchedulerGroup group(Scheduler.Builder config) {
        return SchedulerGroup.create(GROUP, config.exceptionHandler(handler));
    }

    private static List<EventLoop> loops() {
        List<EventLoop> loops = new ArrayList<>();
        for (EventExecutor executor : GROUP) {
            loops.add((EventLoop) executor);
        }
        return loops;
    }

    private static List<Scheduler> schedulers(SchedulerGroup group) {
        List<Scheduler> schedulers = new ArrayList<>();
        group.forEach(schedulers::add);
        return schedulers;
    }

    private static void syncAll() throws Exception {
        for (EventLoop loop : loops()) {
            sync(loop);
        }
    }

    @Test
    void create_makesOneSchedulerPerLoop() {
        SchedulerGroup group = group(Scheduler.builder());

        List<Scheduler> schedulers = schedulers(group);

        assertEquals(LOOPS, schedulers.size());
        Set<EventLoop> executors = new HashSet<>();
        for (Scheduler scheduler : schedulers) {
            executors.add(scheduler.executor());
        }
        assertEquals(new HashSet<>(loops()), executors);
    }

    @Test
    void create_appliesConfigurationToEveryScheduler() {
        SchedulerGroup group = group(Scheduler.builder().limit(3).pendingLimit(4)
                .closeTimeout(Duration.ofSeconds(2)));

        for (Scheduler scheduler : group) {
            assertEquals(3, scheduler.limit());
            assertEquals(4, scheduler.pendingLimit());
            assertEquals(Duration.ofSeconds(2), scheduler.closeTimeout());
            assertSame(handler, scheduler.exceptionHandler());
        }
    }

    @Test
    void create_nullGroup_throwsNpeNamingGroup() {
        NullPointerException e = assertThrows(NullPointerException.class,
                () -> SchedulerGroup.create(null, Scheduler.builder()));
        assertTrue(String.valueOf(e.getMessage()).contains("group"), e::getMessage);
    }

    @Test
    void create_nullConfig_throwsNpeNamingConfig() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> SchedulerGroup.create(GROUP, null));
        assertTrue(String.valueOf(e.getMessage()).contains("config"), e::getMessage);
    }

    @Test
    void schedulerFor_null_throwsNpeNamingLoop() {
        SchedulerGroup group = group(Scheduler.builder());

        NullPointerException e = assertThrows(NullPointerException.class, () -> group.schedulerFor(null));
        assertTrue(String.valueOf(e.getMessage()).contains("loop"), e::getMessage);
    }

    @Test
    void schedulerFor_loopOfGroup_returnsItsScheduler() {
        SchedulerGroup group = group(Scheduler.builder());

        for (EventLoop loop : loops()) {
            Scheduler scheduler = group.schedulerFor(loop);
            assertSame(loop, scheduler.executor());
            assertSame(scheduler, group.schedulerFor(loop));
        }
    }

    @Test
    void schedulerFor_foreignLoop_throwsIllegalArgument() {
        SchedulerGroup group = group(Scheduler.builder());

        assertThrows(IllegalArgumentException.class, () -> group.schedulerFor(FOREIGN));
    }

    @Test
    void next_returnsEverySchedulerOfTheGroup() {
        SchedulerGroup group = group(Scheduler.builder());
        Set<Scheduler> all = new HashSet<>(schedulers(group));
        Set<Scheduler> seen = new HashSet<>();

        for (int i = 0; i < LOOPS * 4; i++) {
            Scheduler next = group.next();
            assertTrue(all.contains(next), "next() returned a scheduler outside the group");
            seen.add(next);
        }

        assertEquals(all, seen);
    }

    @Test
    void counts_areSummedOverSchedulers() throws Exception {
        SchedulerGroup group = group(Scheduler.builder().limit(1));
        List<EventLoop> loops = loops();
        Scheduler first = group.schedulerFor(loops.get(0));
        Scheduler second = group.schedulerFor(loops.get(1));
        assertEquals(0, group.size());

        awaitSuccess(first.spawn(loops.get(0)::newPromise));
        awaitSuccess(first.spawn(loops.get(0)::newPromise));
        awaitSuccess(first.spawn(loops.get(0)::newPromise));
        awaitSuccess(second.spawn(loops.get(1)::newPromise));
        syncAll();

        assertEquals(4, group.size());
        assertEquals(2, group.activeCount());
        assertEquals(2, group.pendingCount());
        awaitSuccess(group.close());
    }

    @Test
    void close_closesEverySchedulerAndCancelsJobs() throws Exception {
        SchedulerGroup group = group(Scheduler.builder());
        List<Promise<Void>> promises = new ArrayList<>();
        for (EventLoop loop : loops()) {
            Promise<Void> promise = onLoop(loop, loop::newPromise);
            promises.add(promise);
            awaitSuccess(group.schedulerFor(loop).spawn(() -> promise));
        }
        assertFalse(group.isClosed());

        awaitSuccess(group.close());
        syncAll();

        assertTrue(group.isClosed());
        for (Scheduler scheduler : group) {
            assertTrue(scheduler.isClosed());
            assertEquals(0, scheduler.size());
        }
        for (Promise<Void> promise : promises) {
            assertTrue(promise.isCancelled());
        }
        assertEquals(0, group.size());
        handler.assertNotCalled();
    }

    @Test
    void waitAndClose_waitsForJobsOnEveryLoop() throws Exception {
        SchedulerGroup group = group(Scheduler.builder());
        List<EventLoop> loops = loops();
        List<Promise<Void>> promises = new ArrayList<>();
        for (EventLoop loop : loops) {
            Promise<Void> promise = onLoop(loop, loop::newPromise);
            promises.add(promise);
            awaitSuccess(group.schedulerFor(loop).spawn(() -> promise));
        }

        Future<Void> closed = group.waitAndClose();
        for (int i = 0; i < loops.size(); i++) {
            syncAll();
            assertFalse(closed.isDone(), "done before job " + i + " ended");
            Promise<Void> promise = promises.get(i);
            loops.get(i).execute(() -> promise.setSuccess(null));
        }

        awaitSuccess(closed);
        assertTrue(group.isClosed());
        for (Promise<Void> promise : promises) {
            assertTrue(promise.isSuccess());
        }
    }

    @Test
    void waitAndCloseWithTimeout_closesRemainingJobsAfterTimeout() throws Exception {
        SchedulerGroup group = group(Scheduler.builder());
        EventLoop loop = loops().get(2);
        Promise<Void> promise = onLoop(loop, loop::newPromise);
        awaitSuccess(group.schedulerFor(loop).spawn(() -> promise));

        awaitSuccess(group.waitAndClose(Duration.ofMillis(20)));

        assertTrue(promise.isCancelled());
        assertTrue(group.isClosed());
    }
}
