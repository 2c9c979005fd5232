package io.github.nettyjobs.benchmarks.simulation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What one setup did: per phase, arrivals, goodput (jobs finished within the SLA, counted from
 * their arrival), the latencies of those, what was shed and what came too late; and per window of
 * {@value #WINDOW_MILLIS} ms, the goodput, the p99 of every finished job and the limit, for the
 * convergence times and the charts. Confined to the simulation's thread.
 */
final class Recorder {

    static final int WINDOW_MILLIS = 100;
    static final long WINDOW_NANOS = WINDOW_MILLIS * 1_000_000L;

    private final VirtualTime time;
    private final long phaseNanos;
    private final long slaNanos;
    private final long settleNanos;
    private final Phase[] phases;
    private final List<Window> windows = new ArrayList<>();
    private LongList windowLatencies = new LongList();
    private LongList windowWaits = new LongList();
    private int windowGood;

    /** One phase's counts. */
    static final class Phase {
        long arrivals;
        long good;
        long late;
        /** Refused at spawn: the queue was full, or the limiter said no. */
        long refused;
        /** Dropped from the queue: pending timeout or controlled delay. */
        long dropped;
        long timedOut;
        final LongList goodLatencies = new LongList();
        /** Those of the good jobs that finished once the phase had settled (its first seconds passed). */
        final LongList settledLatencies = new LongList();
    }

    /**
     * One window of the timeline.
     *
     * @param goodPerSecond goodput in the window
     * @param p99Nanos      p99 latency of every job finished in it (within the SLA or not); -1 if none finished
     * @param limit         the limit at its end, or 0 for none
     * @param waitP99Nanos  p99 of the queue waits of the jobs that started in it (by the scheduler's
     *                      clock); -1 if none started or the setup does not say
     */
    record Window(double goodPerSecond, long p99Nanos, int limit, long waitP99Nanos) {
    }

    Recorder(VirtualTime time, int phaseCount, long phaseNanos, long slaNanos, long settleNanos) {
        this.time = time;
        this.settleNanos = settleNanos;
        this.phaseNanos = phaseNanos;
        this.slaNanos = slaNanos;
        this.phases = new Phase[phaseCount];
        for (int i = 0; i < phaseCount; i++) {
            phases[i] = new Phase();
        }
    }

    private Phase now() {
        return phases[(int) Math.min(phases.length - 1, time.now() / phaseNanos)];
    }

    void arrived() {
        now().arrivals++;
    }

    void refused() {
        now().refused++;
    }

    void dropped() {
        now().dropped++;
    }

    void timedOut() {
        now().timedOut++;
    }

    /** A job finished (its downstream call succeeded) {@code latencyNanos} after its arrival. */
    void finished(long latencyNanos) {
        Phase phase = now();
        windowLatencies.add(latencyNanos);
        if (latencyNanos <= slaNanos) {
            phase.good++;
            phase.goodLatencies.add(latencyNanos);
            if (time.now() % phaseNanos >= settleNanos) {
                phase.settledLatencies.add(latencyNanos);
            }
            windowGood++;
        } else {
            phase.late++;
        }
    }

    /** A job started after waiting {@code queuedNanos} in the scheduler. */
    void started(long queuedNanos) {
        windowWaits.add(queuedNanos);
    }

    /** Closes the current window. */
    void endWindow(int limit) {
        long p99 = windowLatencies.size() == 0 ? -1 : windowLatencies.percentile(0.99);
        long waitP99 = windowWaits.size() == 0 ? -1 : windowWaits.percentile(0.99);
        windows.add(new Window(windowGood * 1000.0 / WINDOW_MILLIS, p99, limit, waitP99));
        windowLatencies = new LongList();
        windowWaits = new LongList();
        windowGood = 0;
    }

    Phase phase(int index) {
        return phases[index];
    }

    List<Window> windows() {
        return windows;
    }

    /**
     * Returns how long after the start of phase {@code index} every later window of that phase had a
     * p99 within {@code boundNanos} (and some job finished), in ms; -1 if the last window still had not.
     */
    long convergenceMillis(int index, long boundNanos) {
        int perPhase = (int) (phaseNanos / WINDOW_NANOS);
        int first = index * perPhase;
        int last = Math.min(windows.size(), first + perPhase) - 1;
        int settled = last + 1;
        for (int w = last; w >= first; w--) {
            Window window = windows.get(w);
            if (window.p99Nanos < 0 || window.p99Nanos > boundNanos) {
                break;
            }
            settled = w;
        }
        return settled > last ? -1 : (long) (settled - first) * WINDOW_MILLIS;
    }

    /** A growable array of longs, sorted for percentiles on demand. */
    static final class LongList {
        private long[] values = new long[1024];
        private int size;

        void add(long value) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }

        int size() {
            return size;
        }

        long get(int index) {
            return values[index];
        }

        /** The {@code q} quantile (nearest rank); the list itself stays in insertion order. */
        long percentile(double q) {
            long[] sorted = Arrays.copyOf(values, size);
            Arrays.sort(sorted);
            return sorted[(int) Math.min(size - 1, Math.max(0, Math.ceil(q * size) - 1))];
        }
    }
}
