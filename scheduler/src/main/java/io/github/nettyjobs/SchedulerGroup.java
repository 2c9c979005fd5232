package io.github.nettyjobs;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;

import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static io.github.nettyjobs.Checks.checkNotNull;
import static io.github.nettyjobs.Checks.checkTimeout;

/**
 * One {@link Scheduler} per event loop of an {@link EventLoopGroup}, for servers with many loops.
 * Immutable once created and safe to use from any thread; each scheduler keeps its state on its own
 * loop, so work spawned through {@link #schedulerFor(EventLoop)} with a channel's loop never leaves it.
 */
public final class SchedulerGroup implements Iterable<Scheduler> {

    private final EventLoopGroup group;
    private final Map<EventExecutor, Scheduler> byLoop;
    private final List<Scheduler> schedulers;

    private SchedulerGroup(EventLoopGroup group, Scheduler.Builder config) {
        this.group = group;
        Map<EventExecutor, Scheduler> byLoop = new IdentityHashMap<>();
        List<Scheduler> schedulers = new ArrayList<>();
        for (EventExecutor executor : group) {
            if (!(executor instanceof EventLoop)) {
                throw new IllegalArgumentException("group: " + executor + " is not an EventLoop");
            }
            Scheduler scheduler = config.build((EventLoop) executor);
            byLoop.put(executor, scheduler);
            schedulers.add(scheduler);
        }
        if (schedulers.isEmpty()) {
            throw new IllegalArgumentException("group: " + group + " has no event loop");
        }
        this.byLoop = byLoop;
        this.schedulers = List.copyOf(schedulers);
    }

    /**
     * One scheduler, built from {@code config}, for each loop of {@code group}.
     *
     * @param group  the event loops; the group does not shut them down
     * @param config the configuration of every scheduler; later changes to it do not reach them
     * @return a new group of open schedulers
     * @throws NullPointerException     if an argument is {@code null}
     * @throws IllegalArgumentException if the group has no loop, or an executor that is not an {@link EventLoop}
     */
    public static SchedulerGroup create(EventLoopGroup group, Scheduler.Builder config) {
        return new SchedulerGroup(checkNotNull(group, "group"), checkNotNull(config, "config"));
    }

    /**
     * The scheduler of {@code loop}.
     *
     * @param loop an event loop of this group, typically a channel's
     * @return the scheduler whose state lives on {@code loop}; never {@code null}
     * @throws NullPointerException     if {@code loop} is {@code null}
     * @throws IllegalArgumentException if {@code loop} is not in this group
     */
    public Scheduler schedulerFor(EventLoop loop) {
        Scheduler scheduler = byLoop.get(checkNotNull(loop, "loop"));
        if (scheduler == null) {
            throw new IllegalArgumentException("loop: " + loop + " is not in this group");
        }
        return scheduler;
    }

    /**
     * The scheduler of the group's next loop, in the group's own (round-robin) order.
     *
     * @return a scheduler of this group; never {@code null}
     */
    public Scheduler next() {
        return schedulerFor(group.next());
    }

    /** The schedulers, one per loop, in the group's order. */
    @Override
    public Iterator<Scheduler> iterator() {
        return schedulers.iterator();
    }

    /**
     * The jobs held by all schedulers, active and pending; each term may be slightly stale.
     *
     * @return the sum of the schedulers' {@link Scheduler#size() sizes}
     */
    public int size() {
        return activeCount() + pendingCount();
    }

    /**
     * The active jobs of all schedulers.
     *
     * @return the sum of the schedulers' {@link Scheduler#activeCount() active counts}
     */
    public int activeCount() {
        int sum = 0;
        for (Scheduler scheduler : schedulers) {
            sum += scheduler.activeCount();
        }
        return sum;
    }

    /**
     * The pending jobs of all schedulers.
     *
     * @return the sum of the schedulers' {@link Scheduler#pendingCount() pending counts}
     */
    public int pendingCount() {
        int sum = 0;
        for (Scheduler scheduler : schedulers) {
            sum += scheduler.pendingCount();
        }
        return sum;
    }

    /**
     * Whether every scheduler is closed.
     *
     * @return {@code true} once a close has begun on every scheduler, even before they complete
     */
    public boolean isClosed() {
        for (Scheduler scheduler : schedulers) {
            if (!scheduler.isClosed()) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@linkplain Scheduler#close() Closes} every scheduler; completes when all have closed.
     *
     * @return a future that succeeds once every scheduler's close is over; it never fails
     */
    public Future<Void> close() {
        return onEach(Scheduler::close);
    }

    /**
     * {@linkplain Scheduler#waitAndClose() Waits and closes} every scheduler; completes when all have closed.
     *
     * @return a future that succeeds once every scheduler's close is over; it never fails
     */
    public Future<Void> waitAndClose() {
        return onEach(Scheduler::waitAndClose);
    }

    /**
     * {@linkplain Scheduler#waitAndClose(Duration) Waits and closes} every scheduler with the same
     * grace period; completes when all have closed.
     *
     * @param timeout the grace period of each scheduler; {@code null} waits without limit
     * @return a future that succeeds once every scheduler's close is over; it never fails
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    public Future<Void> waitAndClose(Duration timeout) {
        checkTimeout(timeout, "timeout");
        return onEach(scheduler -> scheduler.waitAndClose(timeout));
    }

    /** Completes, on whichever loop finishes last, when every scheduler's operation has (they never fail). */
    private Future<Void> onEach(Function<Scheduler, Future<Void>> operation) {
        Promise<Void> all = ImmediateEventExecutor.INSTANCE.newPromise();
        AtomicInteger remaining = new AtomicInteger(schedulers.size());
        GenericFutureListener<Future<Void>> countDown = done -> {
            if (remaining.decrementAndGet() == 0) {
                all.trySuccess(null);
            }
        };
        for (Scheduler scheduler : schedulers) {
            operation.apply(scheduler).addListener(countDown);
        }
        return all;
    }

    @Override
    public String toString() {
        return "SchedulerGroup{schedulers=" + schedulers.size() + ", jobs=" + size() + (isClosed() ? ", closed}" : "}");
    }
}
