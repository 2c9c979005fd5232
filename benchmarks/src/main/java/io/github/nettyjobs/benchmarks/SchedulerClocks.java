package io.github.nettyjobs.benchmarks;

import io.github.nettyjobs.Scheduler;

import java.lang.reflect.Method;
import java.util.function.LongSupplier;

/**
 * Gives a scheduler under measurement a clock of the benchmark's own. The scheduler reads time
 * through a package-private clock (so that its tests can freeze it); outside its package,
 * reflection is the only way in.
 */
public final class SchedulerClocks {

    private SchedulerClocks() {
    }

    /**
     * Sets the clock of the schedulers {@code builder} builds.
     *
     * @param builder the builder to set it on
     * @param clock   nanoseconds, as {@link System#nanoTime()} gives them
     * @throws IllegalStateException if the builder has no such clock
     */
    public static void useClock(Scheduler.Builder builder, LongSupplier clock) {
        try {
            Method method = Scheduler.Builder.class.getDeclaredMethod("clock", LongSupplier.class);
            method.setAccessible(true);
            method.invoke(builder, clock);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the scheduler's clock cannot be set: " + e, e);
        }
    }
}
