package io.github.nettyjobs;

import io.github.nettyjobs.limit.LimitAlgorithm;
import io.github.nettyjobs.limit.Limits;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static io.github.nettyjobs.FutureAssertions.assertSucceeded;
import static io.github.nettyjobs.SchedulerAssertions.assertRejected;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code limit(Supplier)}: the scheduler's side of an adaptive limit, on frozen time. */
class AdaptiveLimitTest {

    @RegisterExtension
    final SchedulerFixture fixture = new SchedulerFixture();
    private final EventLoop loop = fixture.loop();
    private final ScriptedLimit algorithm = new ScriptedLimit(1);
    private final List<String> started = new ArrayList<>();

    /** An algorithm whose limit the test sets, and that records its samples and where they came from. */
    private final class ScriptedLimit implements LimitAlgorithm {
        final List<String> samples = new ArrayList<>();
        int limit;
        int next;

        ScriptedLimit(int limit) {
            this.limit = limit;
            this.next = limit;
        }

        @Override
        public int limit() {
            return limit;
        }

        @Override
        public void onSample(long runNanos, int inFlight, boolean dropped) {
            assertTrue(loop.inEventLoop());
            samples.add(runNanos / 1_000_000 + "ms inFlight=" + inFlight + (dropped ? " dropped" : ""));
            limit = next;
        }
    }

    private Scheduler scheduler() {
        return fixture.builder().limit(() -> algorithm).build(loop);
    }

    /** Spawns a job that records its start under {@code name} and ends when {@code promise} does. */
    private Job<Void> spawn(Scheduler scheduler, String name, Promise<Void> promise) {
        return assertSucceeded(fixture.spawn(scheduler, () -> {
            started.add(name);
            return promise;
        }));
    }

    @Test
    void limitSupplier_null_isRejectedNamingTheParameter() {
        assertRejected(NullPointerException.class, "algorithm",
                () -> Scheduler.builder().limit((Supplier<LimitAlgorithm>) null));
    }

    @Test
    void build_getsOneAlgorithmPerScheduler() {
        AtomicInteger gets = new AtomicInteger();
        Scheduler.Builder builder = fixture.builder().limit(() -> {
            gets.incrementAndGet();
            return Limits.aimd().initialLimit(7).get();
        });

        Scheduler first = builder.build(loop);
        Scheduler second = builder.build(loop);

        assertEquals(2, gets.get());
        assertEquals(7, first.limit());
        assertNotSame(first, second);
    }

    @Test
    void laterOfLimitIntAndLimitSupplier_wins() {
        assertEquals(5, fixture.builder().limit(Limits.fixed(9)).limit(5).build(loop).limit());
        assertEquals(9, fixture.builder().limit(5).limit(Limits.fixed(9)).build(loop).limit());
    }

    @Test
    void samples_succeededAndFailedAreNotDropped_timedOutIs_withRunTimeAndInFlight() {
        algorithm.limit = algorithm.next = 3;
        Scheduler scheduler = fixture.builder().limit(() -> algorithm).jobTimeout(Duration.ofMillis(50)).build(loop);
        Promise<Void> succeeds = loop.newPromise();
        Promise<Void> fails = loop.newPromise();
        spawn(scheduler, "a", succeeds);
        spawn(scheduler, "b", fails);
        spawn(scheduler, "c", loop.newPromise());

        fixture.advanceMillis(10);
        succeeds.setSuccess(null);
        fixture.advanceMillis(5);
        fails.setFailure(new StacklessException("boom"));
        fixture.advanceMillis(35); // c runs into its job timeout

        assertEquals(List.of("10ms inFlight=3", "15ms inFlight=2", "50ms inFlight=1 dropped"), algorithm.samples);
    }

    @Test
    void samples_withNoOtherOption_timeRunsAndJobsThatEndInsideTheirStart() {
        algorithm.limit = algorithm.next = 5;
        Scheduler scheduler = scheduler();
        Promise<Void> slow = loop.newPromise();
        spawn(scheduler, "slow", slow);
        fixture.advanceMillis(3);
        // a job whose task spawns another that is done at once: both end inside their own start
        assertSucceeded(fixture.spawn(scheduler, () -> {
            scheduler.spawn(() -> loop.newSucceededFuture(null));
            return loop.newSucceededFuture(null);
        }));
        fixture.advanceMillis(4);
        slow.setSuccess(null);

        assertEquals(List.of("0ms inFlight=3", "0ms inFlight=2", "7ms inFlight=1"), algorithm.samples);
    }

    @Test
    void cancelledDroppedAndAbandonedJobs_giveNoSample() {
        algorithm.limit = algorithm.next = 1;
        Scheduler scheduler = fixture.builder().limit(() -> algorithm).pendingTimeout(Duration.ofMillis(10))
                .closeTimeout(Duration.ofMillis(10)).build(loop);
        Job<Void> cancelled = spawn(scheduler, "a", loop.newPromise());
        Job<Void> dropped = spawn(scheduler, "b", loop.newPromise()); // pending behind a
        fixture.advanceMillis(10);
        assertEquals(JobOutcome.DROPPED, dropped.outcome());
        cancelled.close();
        fixture.runTasks();
        Job<Void> abandoned = spawn(scheduler, "c", fixture.uncancellable());
        abandoned.close();
        fixture.advanceMillis(10);

        assertEquals(JobOutcome.CANCELLED, cancelled.outcome());
        assertEquals(JobOutcome.ABANDONED, abandoned.outcome());
        assertEquals(List.of(), algorithm.samples);
    }

    @Test
    void limitRising_startsPendingJobsAtOnce_firstInFirstOut() {
        Scheduler scheduler = scheduler();
        Promise<Void> first = loop.newPromise();
        spawn(scheduler, "1", first);
        spawn(scheduler, "2", loop.newPromise());
        spawn(scheduler, "3", loop.newPromise());
        spawn(scheduler, "4", loop.newPromise());
        spawn(scheduler, "5", loop.newPromise());
        assertEquals(List.of("1"), started);

        algorithm.next = 3;
        first.setSuccess(null);

        assertEquals(List.of("1", "2", "3", "4"), started);
        assertEquals(3, scheduler.limit());
        assertEquals(3, scheduler.activeCount());
        assertEquals(1, scheduler.pendingCount());
    }

    @Test
    void limitFalling_touchesNoActiveJob_andNewJobsWaitUntilTheActiveCountIsUnderIt() {
        algorithm.limit = algorithm.next = 3;
        Scheduler scheduler = scheduler();
        Promise<Void> a = loop.newPromise();
        Promise<Void> b = loop.newPromise();
        spawn(scheduler, "a", a);
        spawn(scheduler, "b", b);
        spawn(scheduler, "c", loop.newPromise());

        algorithm.next = 1;
        a.setSuccess(null);
        spawn(scheduler, "d", loop.newPromise());

        assertEquals(1, scheduler.limit());
        assertEquals(2, scheduler.activeCount(), "b and c run on");
        assertTrue(b.isCancellable() && !b.isDone());
        assertEquals(List.of("a", "b", "c"), started, "d waits");

        b.setSuccess(null); // one active job left: still not under the limit of 1
        assertEquals(List.of("a", "b", "c"), started);
    }

    @Test
    void limitChanged_isHeardOnTheLoop_onlyWhenTheLimitMoves() {
        List<String> changes = new ArrayList<>();
        Scheduler scheduler = fixture.builder().limit(() -> algorithm).listener(new SchedulerListener() {
            @Override
            public void limitChanged(Scheduler s, int oldLimit, int newLimit) {
                assertTrue(s.executor().inEventLoop());
                changes.add(oldLimit + "->" + newLimit);
            }
        }).build(loop);
        Promise<Void> first = loop.newPromise();
        Promise<Void> second = loop.newPromise();
        spawn(scheduler, "a", first);

        first.setSuccess(null); // the limit stays 1
        spawn(scheduler, "b", second);
        algorithm.next = 4;
        second.setSuccess(null);

        assertEquals(List.of("1->4"), changes);
    }

    @Test
    void algorithmThatThrows_isLoggedAndTheLimitStays() {
        Scheduler scheduler = fixture.builder().limit(() -> new LimitAlgorithm() {
            @Override
            public int limit() {
                return 2;
            }

            @Override
            public void onSample(long runNanos, int inFlight, boolean dropped) {
                throw new IllegalStateException("broken algorithm");
            }
        }).build(loop);
        Promise<Void> promise = loop.newPromise();
        Job<Void> job = spawn(scheduler, "a", promise);

        promise.setSuccess(null);

        assertEquals(JobOutcome.SUCCEEDED, job.outcome());
        assertEquals(2, scheduler.limit());
    }

    @Test
    void limitBelowOne_countsAsOne() {
        algorithm.limit = 0;
        algorithm.next = -5;
        Scheduler scheduler = scheduler();
        assertEquals(1, scheduler.limit());
        Promise<Void> promise = loop.newPromise();
        spawn(scheduler, "a", promise);
        spawn(scheduler, "b", loop.newPromise());

        promise.setSuccess(null);

        assertEquals(1, scheduler.limit());
        assertEquals(List.of("a", "b"), started);
    }

    @Test
    void gradient2_inAScheduler_growsWhileJobsKeepTheirRunTime() {
        Scheduler scheduler = fixture.builder().limit(Limits.gradient2().initialLimit(2).maxLimit(40)).build(loop);
        for (int i = 0; i < 5000; i++) {
            scheduler.spawn(() -> {
                Promise<Void> promise = loop.newPromise();
                loop.schedule(() -> promise.setSuccess(null), 10, TimeUnit.MILLISECONDS); // 10 ms, however many run
                return promise;
            });
        }
        fixture.runTasks();
        for (int millis = 0; millis < 5000 && scheduler.limit() < 40; millis++) {
            fixture.advanceMillis(1);
        }

        assertEquals(40, scheduler.limit());
        assertEquals(40, scheduler.activeCount());
        Future<Void> closed = scheduler.close();
        fixture.runTasks();
        assertTrue(closed.isDone());
    }
}
