package io.github.nettyjobs;

import io.github.nettyjobs.limit.LimitAlgorithm;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import static io.github.nettyjobs.Checks.toNanos;

/**
 * The configuration of one {@link Scheduler}: every option of {@link Scheduler.Builder}, each
 * written once here with its default, and what the scheduler derives from them. A builder edits
 * an instance of its own; each scheduler gets a {@link #snapshot()} that nobody writes again,
 * published through the scheduler's final field, so any thread reads it without synchronization.
 *
 * <p>Adding an option takes a field here (with its default), the builder method that sets it, and
 * a line in {@link #toString()} if it should show there.
 */
final class SchedulerConfig implements Cloneable {

    /** The clock of production: {@link System#nanoTime()}. */
    static final LongSupplier SYSTEM_CLOCK = System::nanoTime;

    int limit = 100;
    int pendingLimit = 10_000;
    Duration closeTimeout = Duration.ofMillis(100);
    Duration waitTimeout = Duration.ofSeconds(60);
    ExceptionHandler exceptionHandler;
    boolean debug = Boolean.getBoolean("nettyjobs.debug");
    Duration jobTimeout;
    Duration pendingTimeout;
    boolean rejectWhenFull;
    SchedulerListener listener;
    TaskDecorator taskDecorator;
    /** Makes each scheduler's adaptive limit; {@code null}: the fixed {@link #limit}. */
    Supplier<? extends LimitAlgorithm> limitAlgorithm;
    /** The target wait of controlled delay; {@code null}: off. */
    Duration controlledDelayTarget;
    Duration controlledDelayInterval;
    boolean adaptiveLifo;
    /** Runs the calls of {@code spawnBlocking}; {@code null} for {@link DefaultBlockingExecutor#instance()}. */
    Executor blockingExecutor;
    /** A task whose call on the loop takes at least this long is reported; {@code null}: not timed. */
    Duration slowTaskThreshold;
    /**
     * Every time the scheduler reads (spawn, start and end times, a queue deadline's remainder)
     * comes from here, so tests can freeze it beside a loop whose time they freeze.
     */
    LongSupplier clock = SYSTEM_CLOCK;

    // Derived by snapshot(), for the scheduler and its jobs.
    /** {@link #closeTimeout} in nanoseconds, or {@link Checks#NO_LIMIT}. */
    long closeTimeoutNanos;
    /** {@link #jobTimeout} in nanoseconds, or {@link Checks#NO_LIMIT}. */
    long jobTimeoutNanos;
    /** {@link #pendingTimeout} in nanoseconds, or {@link Checks#NO_LIMIT}. */
    long pendingTimeoutNanos;
    /** {@link #slowTaskThreshold} in nanoseconds, or {@link Checks#NO_LIMIT}: tasks are not timed. */
    long slowTaskThresholdNanos;
    /** Whether jobs note the time of their start and end: a listener, queue deadline or adaptive limit needs it. */
    boolean readsClock;
    /** Whether jobs note the time of their spawn too: all but an adaptive limit need it (it times runs only). */
    boolean timesSpawn;
    /** Whether each job carries {@link JobExtras} from its spawn on: some option needs them. */
    boolean jobsCarryExtras;

    /** A copy for a builder of its own (see {@link Scheduler.Builder#copy()}). */
    SchedulerConfig copy() {
        try {
            return (SchedulerConfig) clone();
        } catch (CloneNotSupportedException impossible) {
            throw new AssertionError(impossible);
        }
    }

    /** The configuration of a new scheduler: a copy with what it derives from the options. */
    SchedulerConfig snapshot() {
        SchedulerConfig snapshot = copy();
        snapshot.closeTimeoutNanos = toNanos(closeTimeout);
        snapshot.jobTimeoutNanos = toNanos(jobTimeout);
        snapshot.pendingTimeoutNanos = toNanos(pendingTimeout);
        snapshot.slowTaskThresholdNanos = toNanos(slowTaskThreshold);
        snapshot.timesSpawn = listener != null || pendingTimeout != null || controlledDelayTarget != null
                || adaptiveLifo;
        snapshot.readsClock = snapshot.timesSpawn || limitAlgorithm != null;
        // an adaptive limit alone times runs without extras (see DefaultJob#startTimed)
        snapshot.jobsCarryExtras = debug || snapshot.timesSpawn || jobTimeout != null || taskDecorator != null;
        return snapshot;
    }

    /** The queue's controlled delay for a new scheduler, or {@code null} when neither it nor adaptive LIFO is on. */
    ControlledDelay newControlledDelay() {
        if (controlledDelayTarget != null) {
            return new ControlledDelay(toNanos(controlledDelayTarget), toNanos(controlledDelayInterval), true);
        }
        return adaptiveLifo ? new ControlledDelay(ControlledDelay.DEFAULT_TARGET_NANOS,
                ControlledDelay.DEFAULT_INTERVAL_NANOS, false) : null;
    }

    /** The executor of blocking calls: the configured one, else the shared default. */
    Executor blockingExecutorOrDefault() {
        Executor executor = blockingExecutor;
        return executor != null ? executor : DefaultBlockingExecutor.instance();
    }

    /** Reads the scheduler's clock, in nanoseconds of an arbitrary origin. */
    long nanoTime() {
        return clock.getAsLong();
    }

    /** The options, those left at their default of "off" omitted. */
    @Override
    public String toString() {
        return "{limit=" + (limitAlgorithm != null ? limitAlgorithm : limit) + ", pendingLimit=" + pendingLimit
                + ", closeTimeout=" + closeTimeout
                + ", waitTimeout=" + waitTimeout + ", debug=" + debug
                + (jobTimeout != null ? ", jobTimeout=" + jobTimeout : "")
                + (pendingTimeout != null ? ", pendingTimeout=" + pendingTimeout : "")
                + (rejectWhenFull ? ", rejectWhenFull" : "")
                + (listener != null ? ", listener=" + listener : "")
                + (taskDecorator != null ? ", taskDecorator=" + taskDecorator : "")
                + (controlledDelayTarget != null
                        ? ", controlledDelay=" + controlledDelayTarget + '/' + controlledDelayInterval : "")
                + (adaptiveLifo ? ", adaptiveLifo" : "")
                + (blockingExecutor != null ? ", blockingExecutor=" + blockingExecutor : "")
                + (slowTaskThreshold != null ? ", slowTaskThreshold=" + slowTaskThreshold : "")
                + (clock != SYSTEM_CLOCK ? ", clock=" + clock : "") + '}';
    }
}
