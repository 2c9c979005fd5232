package io.github.nettyjobs.micrometer;

import io.github.nettyjobs.Job;
import io.github.nettyjobs.ManualClock;
import io.github.nettyjobs.Scheduler;
import io.github.nettyjobs.SchedulerGroup;
import io.github.nettyjobs.limit.Limits;
import io.github.nettyjobs.testing.EmbeddedChannels;
import io.github.nettyjobs.testing.EventLoops;
import io.github.nettyjobs.testing.LogCapture;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link SchedulerMetrics} against a {@link SimpleMeterRegistry}, on real loops and on an embedded
 * one with frozen time.
 */
@Timeout(10)
class SchedulerMetricsTest {

    @RegisterExtension
    static final EventLoops LOOPS = new EventLoops();
    private final EventLoop loop = LOOPS.loop();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private <T> T onLoop(Callable<T> action) throws Exception {
        return loop.submit(action).get(5, TimeUnit.SECONDS);
    }

    private double ended(String outcome) {
        return registry.get("nettyjobs.jobs.ended").tags("scheduler", "work", "outcome", outcome).counter().count();
    }

    private double gauge(String name) {
        return registry.get(name).tags("scheduler", "work").gauge().value();
    }

    @Test
    void meters_countOutcomesTimesAndRejections() throws Exception {
        // Frozen time: the queued job's deadline passes when the test says so, not when a busy
        // machine happens to let 50 ms go by before the gauges are read.
        FrozenLoop frozen = new FrozenLoop();
        EventLoop embedded = frozen.channel.eventLoop();
        SchedulerMetrics metrics = SchedulerMetrics.of(registry, "work", Tags.of("app", "test"));
        Scheduler scheduler = frozen.clock.applyTo(Scheduler.builder()).limit(1).pendingLimit(1)
                .rejectWhenFull(true).pendingTimeout(Duration.ofMillis(50)).listener(metrics).build(embedded);
        metrics.monitor(scheduler);

        Promise<String> running = embedded.newPromise();
        Future<Job<String>> first = scheduler.spawn(() -> running);
        Future<Job<String>> queued = scheduler.spawn(embedded::newPromise);
        Future<Job<String>> refused = scheduler.spawn(embedded::newPromise);
        EmbeddedChannels.runUntilQuiet(frozen.channel);
        assertTrue(refused.cause() instanceof RejectedExecutionException, () -> String.valueOf(refused.cause()));
        assertEquals(1, gauge("nettyjobs.jobs.active"));
        assertEquals(1, gauge("nettyjobs.jobs.pending"));

        Future<String> dropped = queued.getNow().join();
        frozen.advance(Duration.ofMillis(50)); // the queued job's deadline
        assertTrue(dropped.cause() instanceof TimeoutException, () -> String.valueOf(dropped.cause()));
        running.setSuccess("done");
        EmbeddedChannels.runUntilQuiet(frozen.channel);
        assertEquals("done", first.getNow().join().getNow());

        assertEquals(1, ended("succeeded"));
        assertEquals(1, ended("dropped"));
        assertEquals(0, ended("failed"));
        assertEquals(1, registry.get("nettyjobs.spawns.rejected").tags("scheduler", "work").counter().count());
        assertEquals(1, registry.get("nettyjobs.jobs.queued").tags("scheduler", "work").timer().count());
        assertEquals(1, registry.get("nettyjobs.jobs.run").tags("scheduler", "work").timer().count(),
                "the dropped job never ran");
        assertEquals(0, gauge("nettyjobs.jobs.active"));
        for (Meter meter : registry.getMeters()) {
            assertEquals("test", meter.getId().getTag("app"), meter.getId()::toString);
            assertEquals("work", meter.getId().getTag("scheduler"), meter.getId()::toString);
        }
        List<String> outcomes = registry.find("nettyjobs.jobs.ended").counters().stream()
                .map(c -> c.getId().getTag("outcome")).sorted().collect(Collectors.toList());
        assertEquals(List.of("abandoned", "cancelled", "dropped", "failed", "succeeded", "timed_out"), outcomes);
        scheduler.close();
        assertFalse(frozen.channel.finishAndReleaseAll());
    }

    @Test
    void limitGauge_followsTheAdaptiveLimit_andSumsAGroupsLimits() throws Exception {
        SchedulerMetrics metrics = SchedulerMetrics.of(registry, "work");
        // every job counts as too slow (over 1 ns), so each cuts the limit: 10, then 9
        Scheduler adaptive = Scheduler.builder().listener(metrics)
                .limit(Limits.aimd().initialLimit(10).timeout(Duration.ofNanos(1))).build(loop);
        SchedulerGroup group = SchedulerGroup.create(LOOPS.newGroup(2), Scheduler.builder().limit(3));
        metrics.monitor(adaptive).monitor(group);
        assertEquals(16, gauge("nettyjobs.limit"));

        Promise<Void> done = loop.newPromise();
        Job<Void> job = adaptive.spawn(() -> done).get(5, TimeUnit.SECONDS);
        onLoop(() -> done.setSuccess(null));
        job.join().get(5, TimeUnit.SECONDS);

        assertEquals(15, gauge("nettyjobs.limit"));
        group.close().get(5, TimeUnit.SECONDS);
        adaptive.close().get(5, TimeUnit.SECONDS);
    }

    @Test
    void oneInstance_servesAGroup_andItsGaugesSumTheSchedulers() throws Exception {
        SchedulerMetrics metrics = SchedulerMetrics.of(registry, "work");
        SchedulerGroup group = SchedulerGroup.create(LOOPS.newGroup(2), Scheduler.builder().listener(metrics));
        metrics.monitor(group);
        for (Scheduler scheduler : group) {
            EventLoop its = scheduler.executor();
            scheduler.spawn(its::newPromise).get(5, TimeUnit.SECONDS);
        }

        assertEquals(2, gauge("nettyjobs.jobs.active"));

        group.close().get(5, TimeUnit.SECONDS);
        assertEquals(2, ended("cancelled"));
        assertEquals(0, gauge("nettyjobs.jobs.active"));
    }

    @Test
    void closedSchedulers_areForgotten() throws Exception {
        SchedulerMetrics metrics = SchedulerMetrics.of(registry, "work");
        Scheduler scheduler = Scheduler.builder().listener(metrics).build(loop);
        metrics.monitor(scheduler).monitor(scheduler);
        assertTrue(metrics.toString().contains("1 schedulers"), metrics::toString);

        scheduler.close().get(5, TimeUnit.SECONDS);
        gauge("nettyjobs.jobs.pending");

        assertTrue(metrics.toString().contains("0 schedulers"), metrics::toString);
    }

    /** An embedded loop with frozen time, and a scheduler clock that moves with it. */
    private static final class FrozenLoop {
        final EmbeddedChannel channel = new EmbeddedChannel();
        final ManualClock clock = new ManualClock();

        FrozenLoop() {
            channel.freezeTime();
        }

        void advance(Duration duration) {
            clock.advance(duration);
            EmbeddedChannels.advance(channel, duration);
        }
    }

    @Test
    void meters_onFrozenTime_recordExactQueueAndRunTimes() {
        FrozenLoop frozen = new FrozenLoop();
        EventLoop embedded = frozen.channel.eventLoop();
        SchedulerMetrics metrics = SchedulerMetrics.of(registry, "work");
        Scheduler scheduler = frozen.clock.applyTo(Scheduler.builder()).limit(1).listener(metrics).build(embedded);
        Promise<String> first = embedded.newPromise();
        scheduler.spawn(() -> first);
        scheduler.<String>spawn(embedded::newPromise);
        frozen.advance(Duration.ofMillis(30));

        first.setSuccess("done");
        EmbeddedChannels.runUntilQuiet(frozen.channel);

        Timer queued = registry.get("nettyjobs.jobs.queued").timer();
        Timer run = registry.get("nettyjobs.jobs.run").timer();
        assertEquals(2, queued.count());
        assertEquals(30, queued.totalTime(TimeUnit.MILLISECONDS), "the second job waited the 30 ms the first ran");
        assertEquals(1, run.count());
        assertEquals(30, run.totalTime(TimeUnit.MILLISECONDS));
        scheduler.close();
        assertFalse(frozen.channel.finishAndReleaseAll());
    }

    @Test
    void gauges_countJobsStillActiveWhileTheCloseWaitsForThem_thenForgetTheScheduler() {
        FrozenLoop frozen = new FrozenLoop();
        EventLoop embedded = frozen.channel.eventLoop();
        SchedulerMetrics metrics = SchedulerMetrics.of(registry, "work");
        Scheduler scheduler = Scheduler.builder().closeTimeout(Duration.ofSeconds(1)).listener(metrics)
                .exceptionHandler((s, context) -> { }).build(embedded);
        metrics.monitor(scheduler);
        Promise<Void> stubborn = embedded.newPromise();
        stubborn.setUncancellable();
        scheduler.spawn(() -> stubborn);
        scheduler.spawn(() -> embedded.<Void>newPromise());

        Future<Void> closed = scheduler.close();
        EmbeddedChannels.runUntilQuiet(frozen.channel);

        assertTrue(scheduler.isClosed());
        assertFalse(closed.isDone(), "the close waits for the stubborn job");
        assertEquals(1, gauge("nettyjobs.jobs.active"), "a job still active in the close is counted");
        assertTrue(metrics.toString().contains("1 schedulers"), metrics::toString);

        frozen.advance(Duration.ofSeconds(1)); // the close timeout: the stubborn job is abandoned

        assertTrue(closed.isSuccess());
        assertEquals(0, gauge("nettyjobs.jobs.active"));
        assertTrue(metrics.toString().contains("0 schedulers"), metrics::toString);
        assertFalse(frozen.channel.finishAndReleaseAll());
    }

    @Test
    void secondInstance_sameNameAndTags_isRefusedClearly_anotherNameOrTagIsNot() {
        SchedulerMetrics.of(registry, "work", Tags.of("app", "a"));

        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> SchedulerMetrics.of(registry, "work", Tags.of("app", "a")));

        assertTrue(refused.getMessage().contains("share that instance"), refused.getMessage());
        SchedulerMetrics.of(registry, "other", Tags.of("app", "a"));
        SchedulerMetrics.of(registry, "work", Tags.of("app", "b"));
        SchedulerMetrics.of(new SimpleMeterRegistry(), "work", Tags.of("app", "a"));
    }

    @Test
    void monitor_forgetsFinishedSchedulers_soNoneIsKeptUntilAGaugeIsRead() throws Exception {
        SchedulerMetrics metrics = SchedulerMetrics.of(registry, "work");
        for (int i = 0; i < 100; i++) {
            Scheduler closed = Scheduler.create(loop);
            metrics.monitor(closed);
            closed.close().get(5, TimeUnit.SECONDS);
        }

        metrics.monitor(Scheduler.create(loop));

        assertTrue(metrics.toString().contains("monitoring 1 schedulers"), metrics::toString);
    }

    @Test
    void slowTask_isCountedOncePerSlowJob() throws Exception {
        SchedulerMetrics metrics = SchedulerMetrics.of(registry, "work");
        ManualClock clock = new ManualClock();
        Scheduler scheduler = clock.applyTo(Scheduler.builder().slowTaskThreshold(Duration.ofMillis(10))
                .listener(metrics)).build(loop);

        try (LogCapture logs = LogCapture.start()) {
            Job<String> slow = scheduler.spawn(() -> {
                clock.advance(Duration.ofMillis(25)); // the task holds the loop for 25 ms of the scheduler's clock
                return loop.newSucceededFuture("slow");
            }).get(5, TimeUnit.SECONDS);
            Job<String> quick = scheduler.spawn(() -> loop.newSucceededFuture("quick")).get(5, TimeUnit.SECONDS);
            assertEquals("slow", slow.join().get(5, TimeUnit.SECONDS));
            assertEquals("quick", quick.join().get(5, TimeUnit.SECONDS));
            assertEquals(1, logs.warnings().size(), () -> logs.text(java.util.logging.Level.WARNING));
        }

        assertEquals(1, registry.get("nettyjobs.tasks.slow").tags("scheduler", "work").counter().count());
    }

    @Test
    void arguments_areChecked() {
        assertThrows(NullPointerException.class, () -> SchedulerMetrics.of(null, "work"));
        assertThrows(NullPointerException.class, () -> SchedulerMetrics.of(registry, null));
        SchedulerMetrics metrics = SchedulerMetrics.of(registry, "work");
        assertThrows(NullPointerException.class, () -> metrics.monitor((Scheduler) null));
        assertThrows(NullPointerException.class, () -> metrics.monitor((SchedulerGroup) null));
    }
}
