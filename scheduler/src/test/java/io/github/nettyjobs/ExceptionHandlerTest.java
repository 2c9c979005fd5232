package io.github.nettyjobs;

import io.github.nettyjobs.testing.LogCapture;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.URL;
import java.net.URLClassLoader;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import static io.github.nettyjobs.FutureAssertions.assertSucceeded;
import static io.github.nettyjobs.RecordingHandler.CLOSE_TIMED_OUT;
import static io.github.nettyjobs.SchedulerAssertions.assertRejected;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The exception handler: what reaches it and when, the default handler's WARN log, throwing
 * handlers, and spawn traces in debug mode.
 */
@Timeout(10)
class ExceptionHandlerTest {

    @Test
    void failureOfAJobThatEndedInsideSpawn_reachesTheHandler_beforeWaitAndCloseCompletes() {
        try (EmbeddedLoop embedded = new EmbeddedLoop()) {
            List<String> reports = new CopyOnWriteArrayList<>();
            Scheduler scheduler = Scheduler.builder()
                    .exceptionHandler((s, context) -> reports.add(context.message()))
                    .build(embedded.loop());
            // Ends inside spawn(): its report waits a loop turn for a join() that never comes.
            scheduler.spawn(() -> embedded.loop().newFailedFuture(new IllegalStateException("boom")));
            List<Integer> reportsSeenByTheClose = new CopyOnWriteArrayList<>();
            scheduler.waitAndClose().addListener(closed -> reportsSeenByTheClose.add(reports.size()));

            embedded.runTasks();

            assertEquals(List.of(1), reportsSeenByTheClose, "the report goes out before the scheduler is idle");
            assertEquals(List.of("Job processing failed"), reports);
        }
    }

    private static final String DEBUG_PROPERTY = "nettyjobs.debug";

    @RegisterExtension
    final SchedulerFixture fixture = new SchedulerFixture();
    private final EventLoop loop = fixture.loop();
    private final RecordingHandler handler = fixture.handler();

    /** True if any frame of {@code trace} is in {@code method} of this class. */
    private static boolean hasFrame(Throwable trace, String method) {
        return Arrays.stream(trace.getStackTrace()).anyMatch(
                e -> e.getClassName().equals(ExceptionHandlerTest.class.getName()) && e.getMethodName().equals(method));
    }

    @Test
    void exceptionHandler_reportsConfiguredHandlerOrNull() {
        assertNull(Scheduler.create(loop).exceptionHandler());
        assertSame(handler, fixture.scheduler().exceptionHandler());
        assertNull(Scheduler.builder().exceptionHandler(null).build(loop).exceptionHandler());
    }

    @Test
    void callExceptionHandler_customHandler_receivesSchedulerAndContext() {
        Scheduler scheduler = fixture.scheduler();
        ExceptionContext context = new ExceptionContext("custom", null, new RuntimeException("x"), null);

        scheduler.callExceptionHandler(context);

        assertSame(context, handler.single(scheduler));
    }

    @Test
    void callExceptionHandler_null_throwsNpeNamingContext() {
        Scheduler scheduler = fixture.scheduler();

        assertRejected(NullPointerException.class, "context", () -> scheduler.callExceptionHandler(null));
        handler.assertNotCalled();
    }

    @Test
    void unjoinedJobFailure_isReportedOnceAsJobProcessingFailed() {
        Scheduler scheduler = fixture.scheduler();
        Promise<Void> promise = loop.newPromise();
        Job<Void> job = fixture.spawnJob(scheduler, () -> promise);
        assertEquals(1, scheduler.size());
        RuntimeException failure = new RuntimeException("boom");

        promise.setFailure(failure);
        fixture.advanceMillis(50);

        assertEquals(0, scheduler.size());
        handler.assertSingleFailure(scheduler, job, failure);
        assertNull(handler.single(scheduler).spawnTrace(), "no spawn trace outside debug mode");
    }

    @Test
    void joinedJobFailure_isNotReportedToHandler() {
        Scheduler scheduler = fixture.scheduler();
        Promise<Void> promise = loop.newPromise();
        Job<Void> job = fixture.spawnJob(scheduler, () -> promise);
        Future<Void> joined = job.join();

        promise.setFailure(new RuntimeException("boom"));
        fixture.runTasks();

        assertFalse(joined.isSuccess());
        handler.assertNotCalled();
    }

    @Test
    void synchronousFailure_joinFromSpawnListener_receivesItInsteadOfHandler() {
        Scheduler scheduler = fixture.scheduler();
        RuntimeException failure = new RuntimeException("boom");
        List<Throwable> joinFailures = new CopyOnWriteArrayList<>();

        scheduler.<Void>spawn(() -> {
            throw failure;
        }).addListener((Future<Job<Void>> f) -> f.getNow().join().addListener(j -> joinFailures.add(j.cause())));
        fixture.runTasks();

        assertEquals(List.of(failure), joinFailures);
        handler.assertNotCalled();
    }

    @Test
    void synchronousFailure_withoutJoin_isReportedOnce() {
        Scheduler scheduler = fixture.scheduler();
        RuntimeException failure = new RuntimeException("boom");

        Job<Void> job = fixture.spawnJob(scheduler, () -> loop.newFailedFuture(failure));
        fixture.advanceMillis(10);

        handler.assertSingleFailure(scheduler, job, failure);
    }

    @Test
    void cancelledJob_isNeverReported() {
        Scheduler scheduler = fixture.scheduler();
        Promise<Void> cancelledByOwner = loop.newPromise();
        fixture.spawnJob(scheduler, () -> cancelledByOwner);
        Job<Void> closedJob = fixture.spawnJob(scheduler, loop::newPromise);

        cancelledByOwner.cancel(false);
        closedJob.close();
        fixture.runTasks();
        Future<Void> closed = fixture.close(scheduler);

        assertSucceeded(closed);
        handler.assertNotCalled();
    }

    @Test
    void defaultHandler_logsWarnWithMessageJobNameAndException() {
        Scheduler scheduler = Scheduler.create(loop);
        Job<Void> job = fixture.spawnJob(scheduler, () -> scheduler.executor().newPromise());
        job.setName("logged-job");
        StacklessException failure = new StacklessException("failure-marker");

        try (LogCapture logs = LogCapture.start()) {
            scheduler.callExceptionHandler(new ExceptionContext("Custom message", job, failure, null));

            String text = logs.text(Level.WARNING);
            assertTrue(text.contains("Custom message"), text);
            assertTrue(text.contains("logged-job"), text);
            assertTrue(text.contains("failure-marker"), text);
            assertTrue(logs.records(Level.WARNING).stream().allMatch(r -> r.getLevel() == Level.WARNING),
                    "the default handler logs at WARN");
        }
    }

    @Test
    void defaultHandler_escapesAJobNameThatWouldForgeALogLine() {
        Scheduler scheduler = Scheduler.create(loop);
        Job<Void> job = fixture.spawnJob(scheduler, () -> scheduler.executor().newPromise());
        job.setName("innocent\r\n2026-11-29 WARN io.github.nettyjobs forged entry");

        try (LogCapture logs = LogCapture.start()) {
            scheduler.callExceptionHandler(new ExceptionContext("Job processing failed", job, null, null));

            String message = logs.records(Level.WARNING).get(0).getMessage();
            assertTrue(message.contains("innocent\\r\\n2026-11-29 WARN"), message);
            assertFalse(message.contains("\n") || message.contains("\r"), message);
        }
    }

    @Test
    void defaultHandler_logsSpawnTraceWhenThereIsOne() {
        Scheduler scheduler = Scheduler.create(loop);
        Job<Void> job = fixture.spawnJob(scheduler, () -> scheduler.executor().newPromise());
        Throwable trace = new Throwable("spawn-trace-marker");

        try (LogCapture logs = LogCapture.start()) {
            scheduler.callExceptionHandler(
                    new ExceptionContext("Job processing failed", job, new StacklessException("boom"), trace));

            String text = logs.text(Level.WARNING);
            String firstFrame = trace.getStackTrace()[0].toString();
            assertTrue(text.contains("spawn-trace-marker") || text.contains(firstFrame), text);
        }
    }

    @Test
    void defaultHandler_unjoinedJobFailure_isLoggedAtWarn() {
        Scheduler scheduler = Scheduler.create(loop);
        Promise<Void> promise = loop.newPromise();
        Future<Job<Void>> spawned = scheduler.spawn("failing-job", () -> promise);
        fixture.runTasks();
        assertSucceeded(spawned);

        try (LogCapture logs = LogCapture.start()) {
            promise.setFailure(new StacklessException("failure-marker"));
            fixture.runTasks();

            String text = logs.text(Level.WARNING);
            assertTrue(text.contains("Job processing failed"), text);
            assertTrue(text.contains("failing-job"), text);
            assertTrue(text.contains("failure-marker"), text);
        }
    }

    @Test
    void throwingHandler_isLoggedAndIgnored() {
        IllegalStateException handlerFailure = new IllegalStateException("handler-failure-marker");
        Scheduler scheduler = Scheduler.builder().exceptionHandler((s, c) -> {
            throw handlerFailure;
        }).build(loop);

        try (LogCapture logs = LogCapture.start()) {
            assertDoesNotThrow(() -> scheduler.callExceptionHandler(
                    new ExceptionContext("custom", null, new RuntimeException("x"), null)));

            List<LogRecord> records = logs.records(Level.ALL);
            assertTrue(records.stream().anyMatch(r -> r.getThrown() == handlerFailure
                            || LogCapture.text(r).contains("handler-failure-marker")),
                    () -> "the handler's exception should be logged: " + logs.text(Level.ALL));
        }
    }

    @Test
    void throwingHandler_schedulerKeepsWorking() {
        List<ExceptionContext> seen = new CopyOnWriteArrayList<>();
        Scheduler scheduler = Scheduler.builder().exceptionHandler((s, c) -> {
            seen.add(c);
            throw new IllegalStateException("handler failure");
        }).build(loop);

        try (LogCapture logs = LogCapture.start()) {
            Promise<Void> failing = loop.newPromise();
            fixture.spawnJob(scheduler, () -> failing);
            failing.setFailure(new RuntimeException("boom"));
            fixture.runTasks();

            Job<Integer> next = fixture.spawnJob(scheduler, () -> loop.newSucceededFuture(42));
            assertEquals(42, assertSucceeded(next.join()));
            assertEquals(1, seen.size());
            assertTrue(logs.text(Level.ALL).contains("handler failure"), () -> logs.text(Level.ALL));
            assertEquals(0, scheduler.size());
            Future<Void> closed = fixture.close(scheduler);
            assertSucceeded(closed);
        }
    }

    @Test
    void debugMode_contextCarriesStackAtSpawn() {
        Scheduler scheduler = fixture.builder().debug(true).build(loop);

        Job<Void> job = fixture.spawnJob(scheduler, () -> loop.newFailedFuture(new StacklessException("boom")));
        fixture.runTasks();

        ExceptionContext context = handler.single(scheduler);
        assertSame(job, context.job());
        assertNotNull(context.spawnTrace(), "debug mode captures the stack at spawn");
        assertTrue(hasFrame(context.spawnTrace(), "debugMode_contextCarriesStackAtSpawn"),
                () -> Arrays.toString(context.spawnTrace().getStackTrace()));
    }

    @Test
    void debugMode_closeTimeoutReportCarriesSpawnTrace() {
        Scheduler scheduler = fixture.builder().debug(true).closeTimeout(Duration.ofMillis(5)).build(loop);
        Promise<Void> stubborn = fixture.uncancellable();
        fixture.spawnJob(scheduler, () -> stubborn);

        Future<Void> closed = scheduler.close();
        fixture.advanceMillis(5);

        assertSucceeded(closed);
        assertNotNull(handler.single(scheduler, CLOSE_TIMED_OUT).spawnTrace());
    }

    @Test
    void debugOff_contextHasNoSpawnTrace() {
        Scheduler scheduler = fixture.builder().debug(false).build(loop);

        fixture.spawnJob(scheduler, () -> loop.newFailedFuture(new StacklessException("boom")));
        fixture.runTasks();

        assertNull(handler.single(scheduler).spawnTrace());
    }

    @Test
    void debugMode_defaultHandlerLogsSpawnTrace() {
        Scheduler scheduler = Scheduler.builder().debug(true).build(loop);

        try (LogCapture logs = LogCapture.start()) {
            fixture.spawnJob(scheduler, () -> loop.newFailedFuture(new StacklessException("boom")));
            fixture.runTasks();

            String text = logs.text(Level.WARNING);
            assertTrue(text.contains("debugMode_defaultHandlerLogsSpawnTrace"),
                    () -> "the spawn trace should be logged: " + text);
        }
    }

    /**
     * The property is read by whatever code nettyjobs chooses, possibly a static initializer, so
     * this test loads a fresh copy of the library after setting it.
     */
    @Test
    void debugSystemProperty_true_enablesSpawnTraces() throws Exception {
        assertEquals(List.of(true), spawnTracesWithProperty("true", null));
    }

    @Test
    void debugSystemProperty_explicitDebugFalse_wins() throws Exception {
        assertEquals(List.of(false), spawnTracesWithProperty("true", false));
    }

    @Test
    void debugSystemProperty_unset_noSpawnTraces() throws Exception {
        assertEquals(List.of(false), spawnTracesWithProperty(null, null));
    }

    /**
     * With {@code nettyjobs.debug} set to {@code property}, spawns one failing job on a fresh copy of
     * the library and tells, per handler call, whether it carried a spawn trace.
     */
    private List<Boolean> spawnTracesWithProperty(String property, Boolean debug) throws Exception {
        String old = System.getProperty(DEBUG_PROPERTY);
        setProperty(property);
        try (IsolatedLoader isolated = new IsolatedLoader()) {
            Class<?> schedulerType = isolated.loadClass(Scheduler.class.getName());
            Class<?> handlerType = isolated.loadClass(ExceptionHandler.class.getName());
            List<Boolean> traced = new CopyOnWriteArrayList<>();
            Object isolatedHandler = Proxy.newProxyInstance(isolated, new Class<?>[] {handlerType},
                    (proxy, method, args) -> {
                        switch (method.getName()) {
                            case "handle":
                                Object context = args[1];
                                traced.add(context.getClass().getMethod("spawnTrace").invoke(context) != null);
                                return null;
                            case "hashCode":
                                return System.identityHashCode(proxy);
                            case "equals":
                                return proxy == args[0];
                            default:
                                return "isolated handler";
                        }
                    });
            Object builder = schedulerType.getMethod("builder").invoke(null);
            Class<?> builderType = builder.getClass();
            builderType.getMethod("exceptionHandler", handlerType).invoke(builder, isolatedHandler);
            if (debug != null) {
                builderType.getMethod("debug", boolean.class).invoke(builder, debug);
            }
            Object scheduler = builderType.getMethod("build", EventLoop.class).invoke(builder, loop);
            Method spawn = schedulerType.getMethod("spawn", Callable.class);
            Callable<Future<Void>> task = () -> loop.newFailedFuture(new StacklessException("boom"));
            Future<?> spawned = (Future<?>) spawn.invoke(scheduler, task);
            fixture.runTasks();
            assertSucceeded(spawned);
            return traced;
        } finally {
            setProperty(old);
        }
    }

    private static void setProperty(String value) {
        if (value == null) {
            System.clearProperty(DEBUG_PROPERTY);
        } else {
            System.setProperty(DEBUG_PROPERTY, value);
        }
    }

    /** Loads the library's own classes afresh (child first); everything else from the test's loader. */
    private static final class IsolatedLoader extends URLClassLoader {

        private static final String LIBRARY_PACKAGE = Scheduler.class.getPackageName() + '.';

        IsolatedLoader() {
            super(new URL[] {Scheduler.class.getProtectionDomain().getCodeSource().getLocation()},
                    ExceptionHandlerTest.class.getClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.startsWith(LIBRARY_PACKAGE)) {
                return super.loadClass(name, resolve);
            }
            // Only the test thread and the embedded loop (the same thread) load through this loader.
            Class<?> type = findLoadedClass(name);
            if (type == null) {
                type = findClass(name);
            }
            if (resolve) {
                resolveClass(type);
            }
            return type;
        }
    }
}
