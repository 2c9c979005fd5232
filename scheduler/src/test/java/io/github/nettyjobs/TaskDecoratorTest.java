package io.github.nettyjobs;

import io.github.nettyjobs.testing.EventLoops;
import io.github.nettyjobs.testing.LogCapture;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.MDC;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;

import static io.github.nettyjobs.FutureAssertions.assertFailedWith;
import static io.github.nettyjobs.FutureAssertions.assertSucceeded;
import static io.github.nettyjobs.FutureAssertions.awaitSuccess;
import static io.github.nettyjobs.Loops.onLoop;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link TaskDecorator}: thread context from the spawning thread into the task, and decorators that misbehave. */
@Timeout(10)
class TaskDecoratorTest {

    @RegisterExtension
    static final EventLoops LOOPS = new EventLoops();
    @RegisterExtension
    final SchedulerFixture fixture = new SchedulerFixture();
    private final EventLoop loop = fixture.loop();
    private final RecordingHandler handler = fixture.handler();

    /** Carries SLF4J's MDC, as the decorator's Javadoc shows. */
    private static final TaskDecorator MDC_DECORATOR = start -> {
        Map<String, String> captured = MDC.getCopyOfContextMap();
        return () -> {
            Map<String, String> previous = MDC.getCopyOfContextMap();
            MDC.setContextMap(captured == null ? Map.of() : captured);
            try {
                start.run();
            } finally {
                MDC.setContextMap(previous == null ? Map.of() : previous);
            }
        };
    };

    @Test
    void mdcOfTheSpawningThread_isVisibleInTheTask_alsoForAJobThatStartsLaterFromTheQueue() throws Exception {
        EventLoop real = LOOPS.loop();
        Scheduler scheduler = Scheduler.builder().limit(1).taskDecorator(MDC_DECORATOR).build(real);
        List<String> seen = new CopyOnWriteArrayList<>();
        Promise<Void> first = onLoop(real, real::newPromise);

        MDC.put("request", "first");
        Job<Void> running = awaitSuccess(scheduler.spawn(() -> {
            seen.add(MDC.get("request") + " on " + real.inEventLoop());
            return first;
        }));
        MDC.put("request", "second");
        Job<Void> queued = awaitSuccess(scheduler.spawn(() -> {
            seen.add(MDC.get("request") + " on " + real.inEventLoop());
            return real.newSucceededFuture(null);
        }));
        MDC.clear();
        assertTrue(queued.isPending());
        real.execute(() -> first.setSuccess(null)); // the queued job starts now, on the loop
        awaitSuccess(queued.join());

        assertEquals(List.of("first on true", "second on true"), seen);
        assertTrue(running.isClosed());
        assertNull(onLoop(real, () -> MDC.get("request")), "the loop's own MDC is restored after each start");
    }

    @Test
    void decorate_isCalledOnTheSpawningThreadAtTheCall_andItsRunnableOnTheLoopAtTheStart() throws Exception {
        EventLoop real = LOOPS.loop();
        List<String> calls = new CopyOnWriteArrayList<>();
        Scheduler scheduler = Scheduler.builder().taskDecorator(start -> {
            calls.add("decorate on loop=" + real.inEventLoop());
            return () -> {
                calls.add("start on loop=" + real.inEventLoop());
                start.run();
            };
        }).build(real);

        awaitSuccess(awaitSuccess(scheduler.spawn(() -> real.newSucceededFuture("x"))).join());

        assertEquals(List.of("decorate on loop=false", "start on loop=true"), calls);
    }

    @Test
    void decoratorThatThrows_failsTheJobAsATaskThatThrows() {
        IllegalStateException bug = new IllegalStateException("decorator bug");
        Scheduler scheduler = fixture.builder().taskDecorator(start -> {
            throw bug;
        }).build(loop);
        AtomicInteger calls = new AtomicInteger();

        Job<Void> job = fixture.spawnJob(scheduler, () -> {
            calls.incrementAndGet();
            return loop.newPromise();
        });

        assertEquals(JobOutcome.FAILED, job.outcome());
        assertEquals(0, calls.get());
        handler.assertSingleFailure(scheduler, job, bug);
    }

    @Test
    void decoratorThatReturnsNull_failsTheJob() {
        Scheduler scheduler = fixture.builder().taskDecorator(start -> null).build(loop);
        Future<Job<Void>> spawned = scheduler.spawn(loop::newPromise);
        Job<Void> job = assertSucceeded(spawned);
        Future<Void> joined = job.join(); // claims the failure before its report is due

        assertTrue(assertFailedWith(NullPointerException.class, joined).getMessage().contains("decorator"));
        fixture.runTasks();
        handler.assertNotCalled();
    }

    @Test
    void decoratorWhoseRunnableNeverRunsStart_failsTheJob() {
        Scheduler scheduler = fixture.builder().taskDecorator(start -> () -> { }).build(loop);
        AtomicInteger calls = new AtomicInteger();

        Job<Void> job = fixture.spawnJob(scheduler, () -> {
            calls.incrementAndGet();
            return loop.newPromise();
        });

        assertEquals(0, calls.get());
        ExceptionContext report = handler.single(scheduler, RecordingHandler.JOB_FAILED);
        assertSame(job, report.job());
        assertTrue(report.exception() instanceof IllegalStateException, () -> String.valueOf(report.exception()));
    }

    @Test
    void decoratorWhoseRunnableRunsStartTwice_callsTheTaskOnce() {
        Scheduler scheduler = fixture.builder().taskDecorator(start -> () -> {
            start.run();
            start.run();
        }).build(loop);
        AtomicInteger calls = new AtomicInteger();

        Job<Void> job = fixture.spawnJob(scheduler, () -> {
            calls.incrementAndGet();
            return loop.newPromise();
        });

        assertEquals(1, calls.get());
        assertTrue(job.isActive());
    }

    @Test
    void decoratorWhoseRunnableThrowsAfterStart_leavesTheJobRunningAndLogs() {
        Scheduler scheduler = fixture.builder().taskDecorator(start -> () -> {
            start.run();
            throw new IllegalStateException("restoring the context failed");
        }).build(loop);
        try (LogCapture logs = LogCapture.start()) {
            Promise<String> promise = loop.newPromise();
            Job<String> job = fixture.spawnJob(scheduler, promise);

            assertTrue(job.isActive());
            promise.setSuccess("fine");
            assertEquals("fine", assertSucceeded(job.join()));
            assertTrue(logs.text(Level.WARNING).contains("restoring the context failed"), () -> logs.text(Level.ALL));
        }
        handler.assertNotCalled();
    }
}
