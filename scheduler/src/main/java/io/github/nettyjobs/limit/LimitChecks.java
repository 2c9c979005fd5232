package io.github.nettyjobs.limit;

import java.time.Duration;

/** Argument checks whose messages name the parameter, as the rest of nettyjobs writes them. */
final class LimitChecks {

    private LimitChecks() {
    }

    static int checkPositive(int value, String name) {
        if (value < 1) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: >= 1)");
        }
        return value;
    }

    /** Checks {@code min <= value <= max}, naming the bounds' roles in the message. */
    static void checkOrder(int min, String minName, int max, String maxName) {
        if (min > max) {
            throw new IllegalArgumentException(minName + ": " + min + " (expected: <= " + maxName + ' ' + max + ')');
        }
    }

    /** Checks {@code lower <= value <= upper} for a ratio. */
    static double checkRange(double value, double lower, double upper, String name) {
        if (!(value >= lower && value <= upper)) {
            throw new IllegalArgumentException(
                    name + ": " + value + " (expected: >= " + lower + " and <= " + upper + ')');
        }
        return value;
    }

    /** Checks a strictly positive duration, or {@code null} where that means none. */
    static Duration checkPositiveOrNull(Duration value, String name) {
        if (value != null && (value.isNegative() || value.isZero())) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: > 0 or null for none)");
        }
        return value;
    }

    static Duration checkPositive(Duration value, String name) {
        if (value == null) {
            throw new NullPointerException(name);
        }
        return checkPositiveOrNull(value, name);
    }
}
