package io.github.nettyjobs.limit;

/** A limit that never moves, for {@link Limits#fixed(int)}; immutable, so any thread may read it. */
final class FixedLimit implements LimitAlgorithm {

    private final int limit;

    FixedLimit(int limit) {
        this.limit = limit;
    }

    @Override
    public int limit() {
        return limit;
    }

    @Override
    public void onSample(long runNanos, int inFlight, boolean dropped) {
        // fixed: samples change nothing
    }

    @Override
    public String toString() {
        return "FixedLimit{limit=" + limit + '}';
    }
}
