package io.github.nettyjobs.benchmarks;

/**
 * A log-linear histogram of non-negative values (nanoseconds here), precise to within 1/64 of a
 * value, of fixed size whatever the count. Not thread-safe: one per connection, merged at the end.
 */
final class LatencyHistogram {

    private static final int SUB_BITS = 6;
    private static final int SUB = 1 << SUB_BITS;

    private final long[] counts = new long[(Long.SIZE - SUB_BITS) * SUB];
    private long total;

    void record(long value) {
        counts[index(Math.max(0, value))]++;
        total++;
    }

    void add(LatencyHistogram other) {
        for (int i = 0; i < counts.length; i++) {
            counts[i] += other.counts[i];
        }
        total += other.total;
    }

    long count() {
        return total;
    }

    /**
     * The smallest recorded value such that {@code fraction} of all values are at most it
     * (the upper edge of its bucket), or 0 if nothing was recorded.
     */
    long percentile(double fraction) {
        if (total == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(fraction * total));
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return upperEdge(i);
            }
        }
        return upperEdge(counts.length - 1);
    }

    static int index(long value) {
        if (value < 2 * SUB) {
            return (int) value;
        }
        int shift = 63 - Long.numberOfLeadingZeros(value) - SUB_BITS;
        return (shift + 1) * SUB + (int) ((value >>> shift) - SUB);
    }

    static long upperEdge(int index) {
        if (index < 2 * SUB) {
            return index;
        }
        int shift = index / SUB - 1;
        long sub = index % SUB + SUB;
        return ((sub + 1) << shift) - 1;
    }
}
