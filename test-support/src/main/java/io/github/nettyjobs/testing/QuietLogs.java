package io.github.nettyjobs.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps nettyjobs' warnings out of the output of a test class that makes it warn on purpose, many
 * times (randomized sequences whose handlers fail): from before its first test to after its last,
 * only {@link Level#SEVERE} records pass the {@code io.github.nettyjobs} logger, whose level is then
 * restored. Use it with {@code @ExtendWith}.
 */
public final class QuietLogs implements BeforeAllCallback, AfterAllCallback {

    /** Held strongly so that the level set here sticks; java.util.logging keeps loggers weakly. */
    private static final Logger NETTYJOBS_LOGGER = Logger.getLogger("io.github.nettyjobs");
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(QuietLogs.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getStore(NAMESPACE).put(Level.class, new AtomicReference<>(NETTYJOBS_LOGGER.getLevel()));
        NETTYJOBS_LOGGER.setLevel(Level.SEVERE);
    }

    @Override
    @SuppressWarnings("unchecked")
    public void afterAll(ExtensionContext context) {
        AtomicReference<Level> saved = context.getStore(NAMESPACE).remove(Level.class, AtomicReference.class);
        NETTYJOBS_LOGGER.setLevel(saved.get());
    }
}
