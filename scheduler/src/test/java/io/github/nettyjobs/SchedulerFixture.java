package io.github.nettyjobs;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.time.Duration;
import java.util.concurrent.Callable;

import static io.github.nettyjobs.FutureAssertions.assertSucceeded;

/**
 * What the deterministic scheduler tests share: an {@link EmbeddedLoop}, a {@link RecordingHandler},
 * builders that install that handler, and spawns and closes that run the work they queue.
 *
 * <p>Register it as a field with {@code @RegisterExtension}: after each test it runs what is left
 * on the loop (rethrowing what that threw) and closes the loop. Everything runs on the test thread.
 */
final class SchedulerFixture implements AfterEachCallback {

    private final EmbeddedLoop embedded = new EmbeddedLoop();
    private final RecordingHandler handler = new RecordingHandler();

    /** The embedded event loop; every scheduler of a test lives on it. */
    EventLoop loop() {
        return embedded.loop();
    }

    /** The handler that {@link #builder()} installs. */
    RecordingHandler handler() {
        return handler;
    }

    /** The scheduler clock that {@link #builder()} installs; it moves with the loop's frozen time. */
    ManualClock clock() {
        return embedded.clock();
    }

    /**
     * A builder with the default configuration whose schedulers report to {@link #handler()} and
     * read {@link #clock()}.
     */
    Scheduler.Builder builder() {
        return embedded.clock().applyTo(Scheduler.builder().exceptionHandler(handler));
    }

    /** A scheduler with the default configuration that reports to {@link #handler()}. */
    Scheduler scheduler() {
        return builder().build(loop());
    }

    /** Spawns {@code task} on {@code scheduler}, runs what that queued, and returns the spawn's future. */
    <T> Future<Job<T>> spawn(Scheduler scheduler, Callable<? extends Future<T>> task) {
        Future<Job<T>> spawned = scheduler.spawn(task);
        runTasks();
        return spawned;
    }

    /** As {@link #spawn}, checking that the spawn succeeded; returns the job. */
    <T> Job<T> spawnJob(Scheduler scheduler, Callable<? extends Future<T>> task) {
        return assertSucceeded(spawn(scheduler, task));
    }

    /** Spawns a job whose task returns {@code promise}, checking that the spawn succeeded. */
    <T> Job<T> spawnJob(Scheduler scheduler, Promise<T> promise) {
        return spawnJob(scheduler, () -> promise);
    }

    /** Closes {@code scheduler}, runs what that queued, and returns the close's future. */
    Future<Void> close(Scheduler scheduler) {
        Future<Void> closed = scheduler.close();
        runTasks();
        return closed;
    }

    /** A new promise on the loop that cannot be cancelled: closing a job on it has to wait or time out. */
    Promise<Void> uncancellable() {
        Promise<Void> promise = loop().newPromise();
        promise.setUncancellable();
        return promise;
    }

    /** See {@link EmbeddedLoop#runTasks()}. */
    void runTasks() {
        embedded.runTasks();
    }

    /** See {@link EmbeddedLoop#hasTimers()}. */
    boolean hasTimers() {
        return embedded.hasTimers();
    }

    /** See {@link EmbeddedLoop#advance(Duration)}. */
    void advance(Duration duration) {
        embedded.advance(duration);
    }

    /** See {@link EmbeddedLoop#advanceMillis(long)}. */
    void advanceMillis(long millis) {
        embedded.advanceMillis(millis);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        embedded.close();
    }
}
