package io.github.nettyjobs.limit;

import java.time.Duration;
import java.util.function.Supplier;

import static io.github.nettyjobs.limit.LimitChecks.checkPositive;
import static io.github.nettyjobs.limit.LimitChecks.checkPositiveOrNull;
import static io.github.nettyjobs.limit.LimitChecks.checkRange;

/**
 * The built-in {@link LimitAlgorithm}s, for {@code Scheduler.Builder.limit(Supplier)}. Each factory
 * returns a {@link Supplier} whose every {@code get()} makes a new algorithm, so each scheduler
 * built from one configuration gets its own.
 *
 * <p>Every built-in algorithm starts at its initial limit, stays within its lowest and highest
 * limit, and raises its limit only while at least half of it is in use (a light load proves
 * nothing about what the downstream can take):
 * <ul>
 *   <li>{@link #fixed(int)}: never moves;</li>
 *   <li>{@link #aimd()}: one more per job that ends in time, a cut to 0.9x per job that times out;</li>
 *   <li>{@link #vegas()}: keeps the jobs queued at the downstream, as estimated from run times
 *       against the no-load time, between two small numbers;</li>
 *   <li>{@link #gradient2()}: scales the limit by the ratio of the no-load time to the recent run
 *       time; the choice when the downstream's capacity changes.</li>
 * </ul>
 * Builders are reusable configuration and not thread-safe; a bad value is refused with an
 * {@link IllegalArgumentException} when it is set, and a lowest, initial and highest limit out of
 * order when an algorithm is made.
 */
public final class Limits {

    private static final double DEFAULT_BACKOFF = 0.9;
    private static final int DEFAULT_PROBE_INTERVAL = 200;

    private Limits() {
    }

    /**
     * Returns a limit that never moves: the same as {@code Scheduler.Builder.limit(int)}, as an algorithm.
     *
     * @param limit the limit, at least 1
     * @return a supplier of fixed limits
     * @throws IllegalArgumentException if {@code limit} is below 1
     */
    public static Supplier<LimitAlgorithm> fixed(int limit) {
        FixedLimit fixed = new FixedLimit(checkPositive(limit, "limit"));
        return new Supplier<>() {
            @Override
            public LimitAlgorithm get() {
                return fixed; // immutable, so one serves every scheduler
            }

            @Override
            public String toString() {
                return "Limits.fixed(" + limit + ')';
            }
        };
    }

    /**
     * Returns a builder of additive-increase, multiplicative-decrease limits (initial 20, lowest 1,
     * highest 1000, backoff 0.9, no timeout).
     *
     * @return a new builder
     */
    public static Aimd aimd() {
        return new Aimd();
    }

    /**
     * Returns a builder of Vegas limits (initial 20, lowest 1, highest 1000, alpha 3, beta 6).
     *
     * @return a new builder
     */
    public static Vegas vegas() {
        return new Vegas();
    }

    /**
     * Returns a builder of gradient limits (initial 20, lowest 1, highest 1000, tolerance 1.2,
     * growth 0.5).
     *
     * @return a new builder
     */
    public static Gradient2 gradient2() {
        return new Gradient2();
    }

    /**
     * Additive increase, multiplicative decrease: each job that ends in time while at least half the
     * limit is in use adds one; each job that times out (with the scheduler's {@code jobTimeout}),
     * or runs longer than {@link #timeout(Duration)}, cuts the limit to {@code backoff} times itself.
     * It reacts to failures only, not to run times creeping up.
     */
    public static final class Aimd implements Supplier<LimitAlgorithm> {

        private final LimitRange range = new LimitRange();
        private double backoff = DEFAULT_BACKOFF;
        private Duration timeout;

        Aimd() {
        }

        /**
         * Sets the limit to start at, default 20.
         *
         * @param initialLimit at least 1, within the lowest and highest limit
         * @return this builder
         * @throws IllegalArgumentException if below 1
         */
        public Aimd initialLimit(int initialLimit) {
            range.initial(initialLimit);
            return this;
        }

        /**
         * Sets the lowest limit, default 1.
         *
         * @param minLimit at least 1
         * @return this builder
         * @throws IllegalArgumentException if below 1
         */
        public Aimd minLimit(int minLimit) {
            range.min(minLimit);
            return this;
        }

        /**
         * Sets the highest limit, default 1000.
         *
         * @param maxLimit at least 1
         * @return this builder
         * @throws IllegalArgumentException if below 1
         */
        public Aimd maxLimit(int maxLimit) {
            range.max(maxLimit);
            return this;
        }

        /**
         * Sets the factor a timed-out job cuts the limit by, default 0.9.
         *
         * @param backoff from 0.5 to 0.9
         * @return this builder
         * @throws IllegalArgumentException if out of that range
         */
        public Aimd backoff(double backoff) {
            this.backoff = checkRange(backoff, 0.5, 0.9, "backoff");
            return this;
        }

        /**
         * Sets a run time beyond which a job that ended counts as dropped, as if it had timed out;
         * default {@code null}: only timed-out jobs do.
         *
         * @param timeout positive, or {@code null} for none
         * @return this builder
         * @throws IllegalArgumentException if zero or negative
         */
        public Aimd timeout(Duration timeout) {
            this.timeout = checkPositiveOrNull(timeout, "timeout");
            return this;
        }

        /**
         * Returns a new algorithm with this configuration.
         *
         * @throws IllegalArgumentException if the lowest, initial and highest limit are out of order
         */
        @Override
        public LimitAlgorithm get() {
            range.check();
            return new AimdLimit(range.initial, range.min, range.max, backoff,
                    timeout == null ? Long.MAX_VALUE : saturatedNanos(timeout));
        }

        @Override
        public String toString() {
            return "Limits.aimd(" + range + ", backoff=" + backoff
                    + (timeout != null ? ", timeout=" + timeout : "") + ')';
        }
    }

    /**
     * TCP Vegas applied to jobs: from each round of run times and the no-load time (the run time
     * when nothing queues, re-probed now and then), it estimates how many jobs wait at the
     * downstream beyond what it serves at once, and keeps that between {@code alpha} and
     * {@code beta}: below {@code alpha} the limit grows by {@code alpha}, above {@code beta} the
     * excess is taken off at once. A timed-out job cuts the limit to 0.9 times itself.
     */
    public static final class Vegas implements Supplier<LimitAlgorithm> {

        private final LimitRange range = new LimitRange();
        private int alpha = 3;
        private int beta = 6;
        private int probeInterval = DEFAULT_PROBE_INTERVAL;

        Vegas() {
        }

        /**
         * Sets the limit to start at, default 20.
         *
         * @param initialLimit at least 1, within the lowest and highest limit
         * @return this builder
         * @throws IllegalArgumentException if below 1
         */
        public Vegas initialLimit(int initialLimit) {
            range.initial(initialLimit);
            return this;
        }

        /**
         * Sets the lowest limit, default 1.
         *
         * @param minLimit at least 1
         * @return this builder
         * @throws IllegalArgumentException if below 1
         */
        public Vegas minLimit(int minLimit) {
            range.min(minLimit);
            return this;
        }

        /**
         * Sets the highest limit, default 1000.
         *
         * @param maxLimit at least 1
         * @return this builder
         * @throws IllegalArgumentException if below 1
         */
        public Vegas maxLimit(int maxLimit) {
            range.max(maxLimit);
            return this;
        }

        /**
         * Sets the queue estimate below which the limit grows, default 3.
         *
         * @param alpha at least 1, below {@code beta}
         * @return this builder
         * @throws IllegalArgumentException if below 1
         */
        public Vegas alpha(int alpha) {
            this.alpha = checkPositive(alpha, "alpha");
            return this;
        }

        /**
         * Sets the queue estimate above which the limit falls, default 6.
         *
         * @param beta at least 1, above {@code alpha}
         * @return this builder
         * @throws IllegalArgumentException if below 1
         */
        public Vegas beta(int beta) {
            this.beta = checkPositive(beta, "beta");
            return this;
        }

        /**
         * Sets how long the no-load time may go unconfirmed before it is re-probed, in run times,
         * default 200. A probe halves the limit until the jobs started above that have ended and a
         * batch of run times has been averaged.
         *
         * @param probeInterval at least 1, in run times (about the samples seen divided by the concurrency)
         * @return this builder
         * @throws IllegalArgumentException if below 1
         */
        public Vegas probeInterval(int probeInterval) {
            this.probeInterval = checkPositive(probeInterval, "probeInterval");
            return this;
        }

        /**
         * Returns a new algorithm with this configuration.
         *
         * @throws IllegalArgumentException if the lowest, initial and highest limit are out of
         *                                  order, or {@code alpha} is not below {@code beta}
         */
        @Override
        public LimitAlgorithm get() {
            range.check();
            LimitChecks.checkOrder(alpha + 1, "alpha + 1", beta, "beta");
            return new VegasLimit(range.initial, range.min, range.max, alpha, beta, DEFAULT_BACKOFF, probeInterval);
        }

        @Override
        public String toString() {
            return "Limits.vegas(" + range + ", alpha=" + alpha + ", beta=" + beta + ", probeInterval=" + probeInterval
                    + ')';
        }
    }

    /**
     * A gradient limit, after Netflix's Gradient2: each round of {@code limit} samples scales the
     * limit by {@code tolerance * noLoad / recent} (clamped to [0.5, 1]) and, while the recent run time is
     * within {@code tolerance} of the no-load time and half the limit is in use, adds
     * {@code sqrt(limit)} of headroom, smoothed. Unlike Netflix's, it does not creep at a steady
     * load (the no-load time is re-probed, not averaged with the load) and a timed-out job cuts the
     * limit to 0.9 times itself.
     */
    public static final class Gradient2 implements Supplier<LimitAlgorithm> {

        private final LimitRange range = new LimitRange();
        private double tolerance = 1.2;
        private double growth = 0.5;
        private int probeInterval = DEFAULT_PROBE_INTERVAL;

        Gradient2() {
        }

        /**
         * Sets the limit to start at, default 20.
         *
         * @param initialLimit at least 1, within the lowest and highest limit
         * @return this builder
         * @throws IllegalArgumentException if below 1
         */
        public Gradient2 initialLimit(int initialLimit) {
            range.initial(initialLimit);
            return this;
        }

        /**
         * Sets the lowest limit, default 1.
         *
         * @param minLimit at least 1
         * @return this builder
         * @throws IllegalArgumentException if below 1
         */
        public Gradient2 minLimit(int minLimit) {
            range.min(minLimit);
            return this;
        }

        /**
         * Sets the highest limit, default 1000.
         *
         * @param maxLimit at least 1
         * @return this builder
         * @throws IllegalArgumentException if below 1
         */
        public Gradient2 maxLimit(int maxLimit) {
            range.max(maxLimit);
            return this;
        }

        /**
         * Sets how much slower than the no-load time the recent run time may be before the limit
         * falls, default 1.2; the limit settles at about this many times what the downstream serves at once.
         *
         * @param tolerance from 1 to 10
         * @return this builder
         * @throws IllegalArgumentException if out of that range
         */
        public Gradient2 tolerance(double tolerance) {
            this.tolerance = checkRange(tolerance, 1.0, 10.0, "tolerance");
            return this;
        }

        /**
         * Sets how fast the limit grows while no queue shows: each round adds {@code growth * sqrt(limit)},
         * default 0.5.
         *
         * @param growth above 0, at most 1
         * @return this builder
         * @throws IllegalArgumentException if out of that range
         */
        public Gradient2 growth(double growth) {
            this.growth = checkRange(growth, Double.MIN_VALUE, 1.0, "growth");
            return this;
        }

        /**
         * Sets how long the no-load time may go unconfirmed before it is re-probed, in run times,
         * default 200. A probe halves the limit until the jobs started above that have ended and a
         * batch of run times has been averaged.
         *
         * @param probeInterval at least 1, in run times (about the samples seen divided by the concurrency)
         * @return this builder
         * @throws IllegalArgumentException if below 1
         */
        public Gradient2 probeInterval(int probeInterval) {
            this.probeInterval = checkPositive(probeInterval, "probeInterval");
            return this;
        }

        /**
         * Returns a new algorithm with this configuration.
         *
         * @throws IllegalArgumentException if the lowest, initial and highest limit are out of order
         */
        @Override
        public LimitAlgorithm get() {
            range.check();
            return new Gradient2Limit(range.initial, range.min, range.max, tolerance, growth, DEFAULT_BACKOFF,
                    probeInterval);
        }

        @Override
        public String toString() {
            return "Limits.gradient2(" + range + ", tolerance=" + tolerance + ", growth=" + growth
                    + ", probeInterval=" + probeInterval + ')';
        }
    }

    private static long saturatedNanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }
}
