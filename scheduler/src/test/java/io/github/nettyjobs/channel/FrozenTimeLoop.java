package io.github.nettyjobs.channel;

import io.netty.channel.DefaultEventLoop;
import io.netty.util.concurrent.DefaultPromise;
import io.netty.util.concurrent.ScheduledFuture;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real event loop (tasks run on its own thread, so any thread may hand it work) whose time stands
 * still: {@link #schedule(Runnable, long, TimeUnit)} keeps the task until {@link #advance(Duration)}
 * moves the time past its deadline, with what Netty 4.1 and 4.2 both offer. For a drain's steps,
 * whose pace its timers set.
 */
final class FrozenTimeLoop extends DefaultEventLoop {

    private final AtomicLong now = new AtomicLong();
    private final Queue<Timer> timers = new ConcurrentLinkedQueue<>();

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        long nanos = unit.toNanos(delay);
        Timer timer = new Timer(command, nanos > Long.MAX_VALUE - now.get() ? Long.MAX_VALUE : now.get() + nanos);
        timers.add(timer);
        return timer;
    }

    /** Moves the time on by {@code duration}, then runs on the loop every timer due, earliest first, and waits. */
    void advance(Duration duration) throws Exception {
        submit(() -> null).get(5, TimeUnit.SECONDS); // what was handed over before schedules at the old time
        long time = now.addAndGet(duration.toNanos());
        submit(() -> {
            List<Timer> due = new ArrayList<>();
            for (Timer timer : timers) {
                if (timer.deadline <= time) {
                    due.add(timer);
                }
            }
            timers.removeAll(due);
            due.sort(Comparator.comparingLong(timer -> timer.deadline));
            for (Timer timer : due) {
                if (timer.setUncancellable()) {
                    timer.task.run();
                    timer.setSuccess(null);
                }
            }
        }).get(5, TimeUnit.SECONDS);
    }

    /** Timers not run or cancelled yet. */
    int pendingTimers() {
        return (int) timers.stream().filter(timer -> !timer.isCancelled()).count();
    }

    private final class Timer extends DefaultPromise<Object> implements ScheduledFuture<Object> {
        final Runnable task;
        final long deadline;

        Timer(Runnable task, long deadline) {
            super(FrozenTimeLoop.this);
            this.task = task;
            this.deadline = deadline;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(deadline - now.get(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
        }
    }
}
