package io.github.nettyjobs.benchmarks.simulation;

import com.netflix.concurrency.limits.Limit;
import com.netflix.concurrency.limits.limit.Gradient2Limit;
import com.netflix.concurrency.limits.limit.VegasLimit;
import io.github.nettyjobs.Scheduler;
import io.github.nettyjobs.limit.LimitAlgorithm;
import io.github.nettyjobs.limit.Limits;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One way of admitting the simulated requests, run side by side with the others on the same
 * arrivals.
 *
 * @param name    as the tables show it
 * @param family  {@code fixed}, {@code nettyjobs} (adaptive) or {@code Netflix}
 * @param factory makes the admission of one run
 */
record Setup(String name, String family, Function<Admission.Context, Admission> factory) {

    static final String FIXED = "fixed";
    static final String ADAPTIVE = "nettyjobs";
    static final String NETFLIX = "Netflix";

    /** The queue deadline every scheduler setup has: five times the base latency. */
    static final Duration PENDING_TIMEOUT = Duration.ofMillis(50);
    /** A job that runs longer than the SLA is of no use to its caller: it is cut short (and counts as a drop). */
    static final Duration JOB_TIMEOUT = Duration.ofMillis(100);
    /** The pending queue of the adaptive setups (a fixed limit's is twice the limit). */
    static final int ADAPTIVE_PENDING_LIMIT = 64;
    /** Controlled delay as folly's defaults. */
    static final Duration TARGET = Duration.ofMillis(5);
    static final Duration INTERVAL = Duration.ofMillis(100);

    /** The name of the default adaptive setup, which the targets are about. */
    static final String DEFAULT = "gradient2 + adaptiveLifo";

    /** Every setup, fixed limits first; {@code capacity} is the downstream's high capacity. */
    static List<Setup> all(int capacity) {
        List<Setup> setups = new ArrayList<>();
        for (int limit : new int[] {capacity / 4, capacity, capacity * 4}) {
            setups.add(scheduler("limit(" + limit + ")", FIXED,
                    common().limit(limit).pendingLimit(2 * limit)));
        }
        setups.add(scheduler("no limit, pendingTimeout 50 ms", FIXED, common().limit(0)));
        adaptive(setups, "aimd", Limits.aimd());
        adaptive(setups, "vegas", Limits.vegas());
        adaptive(setups, "gradient2", Limits.gradient2());
        netflix(setups, "Gradient2", Gradient2Limit::newDefault);
        netflix(setups, "Vegas", VegasLimit::newDefault);
        return setups;
    }

    private static Scheduler.Builder common() {
        return Scheduler.builder().pendingTimeout(PENDING_TIMEOUT).jobTimeout(JOB_TIMEOUT).rejectWhenFull(true);
    }

    private static void adaptive(List<Setup> setups, String name, Supplier<LimitAlgorithm> algorithm) {
        Scheduler.Builder plain = common().limit(algorithm).pendingLimit(ADAPTIVE_PENDING_LIMIT);
        setups.add(scheduler(name, ADAPTIVE, plain));
        setups.add(scheduler(name + " + controlledDelay", ADAPTIVE, plain.copy().controlledDelay(TARGET, INTERVAL)));
        setups.add(scheduler(name + " + adaptiveLifo", ADAPTIVE, plain.copy().adaptiveLifo(true)));
        setups.add(scheduler(name + " + controlledDelay + adaptiveLifo", ADAPTIVE,
                plain.copy().controlledDelay(TARGET, INTERVAL).adaptiveLifo(true)));
    }

    private static void netflix(List<Setup> setups, String name, Supplier<Limit> limit) {
        setups.add(new Setup(name + " defaults, as a LimitAlgorithm", NETFLIX,
                context -> new SchedulerAdmission(context,
                common().pendingLimit(ADAPTIVE_PENDING_LIMIT)
                        .limit(() -> new NetflixLimit(limit.get(), context.time()::now)))));
        setups.add(new Setup(name + " defaults, SimpleLimiter (README)", NETFLIX,
                context -> new NetflixReadmeAdmission(context, limit.get())));
    }

    private static Setup scheduler(String name, String family, Scheduler.Builder config) {
        return new Setup(name, family, context -> new SchedulerAdmission(context, config));
    }
}
