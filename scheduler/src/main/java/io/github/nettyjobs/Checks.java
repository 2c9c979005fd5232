package io.github.nettyjobs;

import java.time.Duration;

/** Argument checks whose messages name the parameter, in the style of Netty's {@code ObjectUtil}. */
final class Checks {

    /** Nanoseconds standing for "no time limit". */
    static final long NO_LIMIT = -1;

    private Checks() {
    }

    static <T> T checkNotNull(T value, String name) {
        if (value == null) {
            throw new NullPointerException(name);
        }
        return value;
    }

    static int checkPositiveOrZero(int value, String name) {
        if (value < 0) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: >= 0)");
        }
        return value;
    }

    /** Checks a duration that must be above zero. */
    static Duration checkPositive(Duration value, String name) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
        }
        return value;
    }

    /** Checks a timeout where {@code null} means no limit; negative durations are refused. */
    static Duration checkTimeout(Duration timeout, String name) {
        if (timeout != null && timeout.isNegative()) {
            throw new IllegalArgumentException(name + ": " + timeout + " (expected: >= 0 or null for no limit)");
        }
        return timeout;
    }

    /** The timeout in nanoseconds, saturated, or {@link #NO_LIMIT} for {@code null}. */
    static long toNanos(Duration timeout) {
        if (timeout == null) {
            return NO_LIMIT;
        }
        try {
            return timeout.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }
}
