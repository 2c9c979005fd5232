package io.github.nettyjobs.testing;

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
 * picks when no other logging framework is on the class path (as in the library modules' tests).
 *
 * <p>The handler sits on the {@code io.github.nettyjobs} logger, the parent of every class logger
 * of the library, and keeps expected warnings out of the build output; {@link #close()} restores
 * the logger as it was. Use it in try-with-resources.
 */
public final class LogCapture implements AutoCloseable {

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
        logger.setUseParentHandlers(false);
    }

    /** Starts capturing every level. */
    public static LogCapture start() {
        return new LogCapture();
    }

    /** Records at {@code minimum} or above, in the order they were logged. */
    public List<LogRecord> records(Level minimum) {
        return records.stream()
                .filter(r -> r.getLevel().intValue() >= minimum.intValue())
                .collect(Collectors.toList());
    }

    /** Records at {@link Level#WARNING} or above. */
    public List<LogRecord> warnings() {
        return records(Level.WARNING);
    }

    /** The formatted message and stack trace of every record at {@code minimum} or above, one string. */
    public String text(Level minimum) {
        return records(minimum).stream().map(LogCapture::text).collect(Collectors.joining("\n"));
    }

    /** The formatted message of {@code record}, followed by its stack trace if it has one. */
    public static String text(LogRecord record) {
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
