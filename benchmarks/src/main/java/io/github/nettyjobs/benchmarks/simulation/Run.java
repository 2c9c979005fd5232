package io.github.nettyjobs.benchmarks.simulation;

import java.util.Random;

/**
 * One setup through every phase: Poisson arrivals (the same for every setup, from the seed), the
 * downstream's capacity changed at each phase's start, everything in virtual time. Returns what the
 * recorder saw.
 */
final class Run {

    private Run() {
    }

    /**
     * The simulation's parameters.
     *
     * @param capacities    the downstream's capacity in each phase
     * @param phaseNanos    the length of each phase
     * @param baseNanos     the downstream's mean service time without contention
     * @param arrivalsPerSecond the mean arrival rate
     * @param slaNanos      a job finished later than this after its arrival does not count as goodput
     * @param settleNanos   how long after a change the latency target applies
     * @param seed          of the arrivals and the service times
     */
    record Params(int[] capacities, long phaseNanos, long baseNanos, double arrivalsPerSecond, long slaNanos,
                  long settleNanos, long seed) {

        long endNanos() {
            return capacities.length * phaseNanos;
        }
    }

    static Recorder run(Setup setup, Params params) {
        VirtualTime time = new VirtualTime();
        try {
            Downstream downstream = new Downstream(time, params.baseNanos(), params.capacities()[0], params.seed() + 1);
            Recorder recorder = new Recorder(time, params.capacities().length, params.phaseNanos(), params.slaNanos(),
                    params.settleNanos());
            Admission admission = setup.factory().apply(new Admission.Context(time, downstream, recorder));
            Random arrivals = new Random(params.seed());
            double meanGapNanos = 1e9 / params.arrivalsPerSecond();
            long nextArrival = gap(arrivals, meanGapNanos);
            int phase = 0;
            long nextPhase = params.phaseNanos();
            long nextWindow = Recorder.WINDOW_NANOS;
            long end = params.endNanos();
            while (true) {
                long next = Math.min(Math.min(nextArrival, time.nextTimer()), Math.min(nextPhase, nextWindow));
                if (next > end) {
                    break;
                }
                time.advanceTo(next);
                if (next == nextWindow) {
                    recorder.endWindow(admission.limit());
                    nextWindow += Recorder.WINDOW_NANOS;
                }
                if (next == nextPhase) {
                    downstream.capacity(params.capacities()[Math.min(++phase, params.capacities().length - 1)]);
                    nextPhase += params.phaseNanos();
                }
                if (next == nextArrival) {
                    admission.arrive();
                    nextArrival += gap(arrivals, meanGapNanos);
                }
            }
            return recorder;
        } finally {
            time.close();
        }
    }

    private static long gap(Random random, double meanNanos) {
        return Math.max(1, (long) (-meanNanos * Math.log(1 - random.nextDouble())));
    }
}
