package io.github.nettyjobs;

import io.github.nettyjobs.internal.LogText;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

/** The handler used when none is configured: logs each report at WARN through Netty's logging. */
final class DefaultExceptionHandler implements ExceptionHandler {

    static final DefaultExceptionHandler INSTANCE = new DefaultExceptionHandler();

    private static final InternalLogger logger = InternalLoggerFactory.getInstance(Scheduler.class);

    private DefaultExceptionHandler() {
    }

    @Override
    public void handle(Scheduler scheduler, ExceptionContext context) {
        if (!logger.isWarnEnabled()) {
            return;
        }
        Job<?> job = context.job();
        String jobName = job == null ? null : LogText.escape(job.name()); // user-supplied: no forged log lines
        String subject = job == null ? "" : " (job " + jobName + ")";
        if (context.exception() != null) {
            logger.warn(LogText.escape(context.message()) + subject, context.exception());
        } else {
            logger.warn(LogText.escape(context.message()) + subject);
        }
        if (context.spawnTrace() != null) {
            logger.warn((job == null ? "It" : jobName) + " was spawned at:", context.spawnTrace());
        }
    }
}
