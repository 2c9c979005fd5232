package io.github.nettyjobs.micrometer;

import io.github.nettyjobs.Job;
import io.github.nettyjobs.JobOutcome;
import io.github.nettyjobs.Scheduler;
import io.github.nettyjobs.SchedulerGroup;
import io.github.nettyjobs.SchedulerListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntFunction;

import static java.util.Objects.requireNonNull;

/**
 * Micrometer meters for one or more {@link Scheduler}s, all tagged {@code scheduler=<name>}: a
 * {@link SchedulerListener} for the counters and timers, and gauges of what it
 * {@linkplain #monitor(Scheduler) monitors}. Thread-safe: its listener methods are called on every
 * monitored scheduler's loop, its gauges are read on the registry's thread.
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>name</th><th>type</th><th>what</th></tr>
 *   <tr><td>{@code nettyjobs.jobs.active}</td><td>gauge</td><td>active jobs of the monitored schedulers</td></tr>
 *   <tr><td>{@code nettyjobs.jobs.pending}</td><td>gauge</td><td>pending jobs of the monitored schedulers</td></tr>
 *   <tr><td>{@code nettyjobs.limit}</td><td>gauge</td><td>the limits in force of the monitored schedulers,
 *       summed (an adaptive limit moves; 0 for none)</td></tr>
 *   <tr><td>{@code nettyjobs.jobs.ended}</td><td>counter, tag {@code outcome}</td><td>jobs ended, by
 *       {@link JobOutcome} in lower case ({@code succeeded}, {@code failed}, {@code cancelled},
 *       {@code timed_out}, {@code dropped}, {@code abandoned})</td></tr>
 *   <tr><td>{@code nettyjobs.jobs.queued}</td><td>timer</td><td>from {@code spawn} to the start of each job</td></tr>
 *   <tr><td>{@code nettyjobs.jobs.run}</td><td>timer</td><td>from the start to the end of each job that
 *   started</td></tr>
 *   <tr><td>{@code nettyjobs.spawns.rejected}</td><td>counter</td><td>spawns that failed (closed, full, timed out, loop
 *   shut down)</td></tr>
 *   <tr><td>{@code nettyjobs.tasks.slow}</td><td>counter</td><td>tasks whose call held the loop for at least the
 *       {@linkplain Scheduler.Builder#slowTaskThreshold(java.time.Duration) slow-task threshold}</td></tr>
 * </table>
 *
 * <pre>{@code
 * SchedulerMetrics metrics = SchedulerMetrics.of(registry, "background");
 * SchedulerGroup jobs = SchedulerGroup.create(workers, Scheduler.builder().listener(metrics));
 * metrics.monitor(jobs);
 * }</pre>
 *
 * One instance may serve every scheduler of a group, or any number of schedulers: the gauges sum
 * what it monitors, and count a scheduler until its close is over and it holds no job (jobs still
 * active while the close waits for them are counted), then forget it.
 *
 * <p>Create one instance per name (and tags) and registry, and share it: Micrometer keeps the first
 * gauge registered under a name and tags, so the gauges of a second instance would never be read.
 * {@link #of(MeterRegistry, String, Iterable)} refuses such a second instance with an
 * {@link IllegalStateException} rather than let its gauges lie. (The counters and timers of the
 * same name and tags are one meter in Micrometer, shared by whoever registers them.)
 */
public final class SchedulerMetrics implements SchedulerListener {

    private static final String ACTIVE = "nettyjobs.jobs.active";

    private final String name;
    private final Map<JobOutcome, Counter> ended = new EnumMap<>(JobOutcome.class);
    private final Timer queued;
    private final Timer run;
    private final Counter rejected;
    private final Counter slowTasks;
    private final CopyOnWriteArrayList<Scheduler> schedulers = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<SchedulerGroup> groups = new CopyOnWriteArrayList<>();

    private SchedulerMetrics(MeterRegistry registry, String name, Iterable<Tag> extraTags) {
        this.name = name;
        Tags tags = Tags.of(extraTags).and("scheduler", name);
        if (registry.find(ACTIVE).tags(tags).gauge() != null) {
            throw new IllegalStateException("SchedulerMetrics with " + tags + " are registered in " + registry
                    + " already: share that instance (one serves any number of schedulers), or give another name");
        }
        for (JobOutcome outcome : JobOutcome.values()) {
            ended.put(outcome, Counter.builder("nettyjobs.jobs.ended")
                    .description("Jobs ended, by outcome")
                    .tags(tags).tag("outcome", outcome.name().toLowerCase(Locale.ROOT))
                    .register(registry));
        }
        queued = Timer.builder("nettyjobs.jobs.queued")
                .description("Time from spawn to the start of a job")
                .tags(tags).register(registry);
        run = Timer.builder("nettyjobs.jobs.run")
                .description("Time from the start to the end of a job")
                .tags(tags).register(registry);
        rejected = Counter.builder("nettyjobs.spawns.rejected")
                .description("Spawns that failed: closed, full, timed out waiting, or the loop shut down")
                .tags(tags).register(registry);
        slowTasks = Counter.builder("nettyjobs.tasks.slow")
                .description("Tasks whose call held the event loop for at least the slow-task threshold")
                .tags(tags).register(registry);
        gauge(registry, ACTIVE, "Active jobs", tags, Scheduler::activeCount, SchedulerGroup::activeCount);
        gauge(registry, "nettyjobs.jobs.pending", "Pending jobs", tags, Scheduler::pendingCount,
                SchedulerGroup::pendingCount);
        gauge(registry, "nettyjobs.limit", "Concurrency limit in force (0: none), adaptive or fixed", tags,
                Scheduler::limit, SchedulerMetrics::limitOf);
    }

    private void gauge(MeterRegistry registry, String meter, String description, Tags tags,
                       ToIntFunction<Scheduler> ofScheduler, ToIntFunction<SchedulerGroup> ofGroup) {
        Gauge.builder(meter, this, metrics -> metrics.sum(ofScheduler, ofGroup))
                .description(description)
                .tags(tags)
                .strongReference(true) // the registry keeps the metrics alive, not the other way round
                .register(registry);
    }

    /**
     * Meters in {@code registry}, tagged {@code scheduler=name}.
     *
     * @param registry where the meters are registered, at once
     * @param name     the value of the {@code scheduler} tag
     * @return new metrics that monitor nothing yet
     * @throws NullPointerException if an argument is {@code null}
     * @throws IllegalStateException if metrics with this name are registered in {@code registry}
     *         already: share that instance instead
     */
    public static SchedulerMetrics of(MeterRegistry registry, String name) {
        return of(registry, name, Tags.empty());
    }

    /**
     * Meters in {@code registry}, tagged {@code scheduler=name} and with {@code tags}.
     *
     * @param registry where the meters are registered, at once
     * @param name     the value of the {@code scheduler} tag
     * @param tags     more tags for every meter, such as the application's
     * @return new metrics that monitor nothing yet
     * @throws NullPointerException if an argument is {@code null}
     * @throws IllegalStateException if metrics with this name and these tags are registered in
     *         {@code registry} already: share that instance instead
     */
    public static SchedulerMetrics of(MeterRegistry registry, String name, Iterable<Tag> tags) {
        return new SchedulerMetrics(requireNonNull(registry, "registry"), requireNonNull(name, "name"),
                requireNonNull(tags, "tags"));
    }

    /**
     * Adds {@code scheduler}'s counts to the gauges, until it is closed. Pass this metrics object to
     * its builder's {@link Scheduler.Builder#listener listener} too, for the counters and timers.
     *
     * @param scheduler the scheduler to count; monitoring it twice counts it once
     * @return this
     * @throws NullPointerException if {@code scheduler} is {@code null}
     */
    public SchedulerMetrics monitor(Scheduler scheduler) {
        requireNonNull(scheduler, "scheduler");
        forgetFinished();
        schedulers.addIfAbsent(scheduler);
        return this;
    }

    /**
     * Adds the counts of every scheduler of {@code group} to the gauges, until it is closed.
     *
     * @param group the schedulers to count; monitoring a group twice counts it once
     * @return this
     * @throws NullPointerException if {@code group} is {@code null}
     */
    public SchedulerMetrics monitor(SchedulerGroup group) {
        requireNonNull(group, "group");
        forgetFinished();
        groups.addIfAbsent(group);
        return this;
    }

    private static int limitOf(SchedulerGroup group) {
        int sum = 0;
        for (Scheduler scheduler : group) {
            sum += scheduler.limit();
        }
        return sum;
    }

    private double sum(ToIntFunction<Scheduler> ofScheduler, ToIntFunction<SchedulerGroup> ofGroup) {
        forgetFinished();
        long sum = 0;
        for (Scheduler scheduler : schedulers) {
            sum += ofScheduler.applyAsInt(scheduler);
        }
        for (SchedulerGroup group : groups) {
            sum += ofGroup.applyAsInt(group);
        }
        return sum;
    }

    /**
     * Forgets the schedulers and groups that are closed and hold no job: they count 0 from now on.
     * This runs at every gauge read and every {@code monitor} call, so a finished scheduler stays
     * reachable from here only until the next of them: a registry that publishes reads the gauges
     * every step, and an application that monitors a scheduler per connection prunes the closed
     * ones as it adds new ones, so what is kept is bounded by the schedulers alive, plus those
     * finished since the last read or {@code monitor}. Nothing on a scheduler's loop prunes: the
     * listener calls stay free of list walks.
     */
    private void forgetFinished() {
        schedulers.removeIf(SchedulerMetrics::isFinished);
        groups.removeIf(SchedulerMetrics::isFinished);
    }

    /**
     * Whether the scheduler's counts are 0 for good: a closed scheduler takes no job again, so once
     * it holds none it never will. Closed first, counts second: read the other way round, a
     * scheduler could spawn and begin closing between the two reads, and be forgotten with its
     * active jobs still in its close.
     */
    private static boolean isFinished(Scheduler scheduler) {
        return scheduler.isClosed() && scheduler.activeCount() == 0 && scheduler.pendingCount() == 0;
    }

    private static boolean isFinished(SchedulerGroup group) {
        return group.isClosed() && group.activeCount() == 0 && group.pendingCount() == 0;
    }

    /** Records the time the job spent queued. */
    @Override
    public void jobStarted(Job<?> job, long queuedNanos) {
        queued.record(queuedNanos, TimeUnit.NANOSECONDS);
    }

    /** Counts the outcome, and records the run time of a job that started. */
    @Override
    public void jobEnded(Job<?> job, JobOutcome outcome, long queuedNanos, long runNanos) {
        ended.get(outcome).increment();
        if (runNanos > 0) {
            run.record(runNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** Counts the refused spawn. */
    @Override
    public void spawnRejected(Scheduler scheduler, Throwable reason) {
        rejected.increment();
    }

    /** Counts the task that held the loop too long. */
    @Override
    public void slowTask(Job<?> job, long callNanos) {
        slowTasks.increment();
    }

    @Override
    public String toString() {
        return "SchedulerMetrics{scheduler=" + name + ", monitoring " + schedulers.size() + " schedulers and "
                + groups.size() + " groups}";
    }
}
