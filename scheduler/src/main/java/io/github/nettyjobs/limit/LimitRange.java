package io.github.nettyjobs.limit;

import static io.github.nettyjobs.limit.LimitChecks.checkOrder;
import static io.github.nettyjobs.limit.LimitChecks.checkPositive;

/** The initial, lowest and highest limit of a builder of {@link Limits}; checked as set and as a whole at build. */
final class LimitRange {

    int initial = 20;
    int min = 1;
    int max = 1000;

    void initial(int initial) {
        this.initial = checkPositive(initial, "initialLimit");
    }

    void min(int min) {
        this.min = checkPositive(min, "minLimit");
    }

    void max(int max) {
        this.max = checkPositive(max, "maxLimit");
    }

    /** Checks {@code min <= initial <= max} when an algorithm is built, since the setters come in any order. */
    LimitRange check() {
        checkOrder(min, "minLimit", initial, "initialLimit");
        checkOrder(initial, "initialLimit", max, "maxLimit");
        return this;
    }

    @Override
    public String toString() {
        return "initialLimit=" + initial + ", minLimit=" + min + ", maxLimit=" + max;
    }
}
