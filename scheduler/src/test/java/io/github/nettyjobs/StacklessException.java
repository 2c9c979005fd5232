package io.github.nettyjobs;

/** A job failure without a stack trace, so logged text shows only what nettyjobs adds to it. */
final class StacklessException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    StacklessException(String message) {
        super(message, null, false, false);
    }
}
