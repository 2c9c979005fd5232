package io.github.nettyjobs;

/** The stack at {@code spawn}, kept in debug mode so failure reports can say where a job came from. */
final class SpawnTrace extends Throwable {

    private static final long serialVersionUID = 1L;

    SpawnTrace() {
        super("Job spawned here", null, false, true);
    }
}
