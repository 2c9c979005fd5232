package io.github.nettyjobs.http;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * Captures what nettyjobs logs through the JDK logging that Netty's {@code InternalLoggerFactory}
 * falls back to when no other logging framework is on the class path (as in these tests). Sits on
 * the {@code io.github.nettyjobs} logger, parent of every class logger of the library, and keeps
 * expected warnings out of the build output until {@link #close()}.
 */
final class LogCapture implements AutoCloseable {

    /** Held strongly: JDK logging keeps loggers only weakly and would drop the handler. */
    private final Logger logger = Logger.getLogger("io.github.nettyjobs");
    private final Level oldLevel = logger.getLevel();
    private final boolean oldUseParentHandlers = logger.getUseParentHandlers();
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private LogCapture() {
        handler.setLevel(Level.ALL);
        logger.addHandler(handler);
        logger.setLevel(Level.INFO);
        logger.setUseParentHandlers(false);
    }

    static LogCapture start() {
        return new LogCapture();
    }

    /** Records at WARNING or above. */
    List<LogRecord> warnings() {
        return records.stream()
                .filter(r -> r.getLevel().intValue() >= Level.WARNING.intValue())
                .collect(Collectors.toList());
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
        logger.setLevel(oldLevel);
        logger.setUseParentHandlers(oldUseParentHandlers);
    }
}
