package io.github.nettyjobs;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.stream.Collectors;

/**
 * Captures what nettyjobs logs, through the JDK logging that Netty's {@code InternalLoggerFactory}
 * picks when no other logging framework is on the class path (as in this module's tests).
 *
 * <p>The handler sits on the {@code io.github.nettyjobs} logger, the parent of every class logger
 * of the library; {@link #close()} restores the logger as it was.
 */
final class LogCapture implements AutoCloseable {

    private static final SimpleFormatter FORMATTER = new SimpleFormatter();

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
        logger.setLevel(Level.ALL);
        // Keeps expected warnings out of the build output.
        logger.setUseParentHandlers(false);
    }

    static LogCapture start() {
        return new LogCapture();
    }

    /** Records at {@code minimum} or above. */
    List<LogRecord> records(Level minimum) {
        return records.stream()
                .filter(r -> r.getLevel().intValue() >= minimum.intValue())
                .collect(Collectors.toList());
    }

    /** Message and stack traces of every record at {@code minimum} or above, one string. */
    String text(Level minimum) {
        return records(minimum).stream().map(LogCapture::text).collect(Collectors.joining("\n"));
    }

    static String text(LogRecord record) {
        StringBuilder text = new StringBuilder(String.valueOf(FORMATTER.formatMessage(record)));
        if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(trace));
            text.append('\n').append(trace);
        }
        return text.toString();
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
        logger.setLevel(oldLevel);
        logger.setUseParentHandlers(oldUseParentHandlers);
    }
}
