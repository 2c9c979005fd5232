package io.github.nettyjobs.http;

import io.github.nettyjobs.ExceptionContext;
import io.github.nettyjobs.ExceptionHandler;
import io.github.nettyjobs.Scheduler;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A scheduler exception handler that records what it is given. */
final class RecordingExceptionHandler implements ExceptionHandler {

    final List<ExceptionContext> contexts = new CopyOnWriteArrayList<>();

    @Override
    public void handle(Scheduler scheduler, ExceptionContext context) {
        contexts.add(context);
    }
}
