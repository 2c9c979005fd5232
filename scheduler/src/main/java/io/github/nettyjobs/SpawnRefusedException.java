package io.github.nettyjobs;

import java.util.concurrent.RejectedExecutionException;

/**
 * The {@link RejectedExecutionException} of a spawn the scheduler refuses (closed, full, timed out
 * waiting, loop shut down). It fills in no stack trace: under a flood, saying no must cost less
 * than saying yes, and the message says all there is to say (the stack would only show the
 * scheduler's own admission path). Immutable, so any thread may read it.
 */
final class SpawnRefusedException extends RejectedExecutionException {

    private static final long serialVersionUID = 1L;

    SpawnRefusedException(String message) {
        super(message);
    }

    /** Keeps the stack trace empty. */
    @Override
    public Throwable fillInStackTrace() {
        return this;
    }
}
