package io.github.nettyjobs.example;

import io.github.nettyjobs.internal.LogText;
import io.netty.util.concurrent.Future;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeoutException;

/**
 * What the example's jobs did, printed as it happens and summed up at shutdown. Thread-safe: the
 * outcomes arrive on the event loops, the summary is read by the thread that stops the server.
 */
final class Activity {

    static final String PREFIX = "nettyjobs-example: ";

    private final PrintStream out;
    private volatile boolean stopping;
    private final Queue<String> finishedWhileStopping = new ConcurrentLinkedQueue<>();
    private final Queue<String> cancelledWhileStopping = new ConcurrentLinkedQueue<>();

    Activity(PrintStream out) {
        this.out = out;
    }

    void print(String line) {
        out.println(PREFIX + line);
    }

    void printRaw(String line) {
        out.println(line);
    }

    /**
     * Reports the end of the work named {@code name} once {@code outcome} is done: finished,
     * cancelled, cut short (a job that timed out, or was dropped from its queue) or failed. The
     * name may come from a client ({@code POST /jobs?name=...}): its control characters are escaped.
     */
    void track(String unsafeName, Future<?> outcome) {
        String name = LogText.escape(unsafeName);
        outcome.addListener(done -> {
            if (done.isCancelled()) {
                print(name + " cancelled");
                if (stopping) {
                    cancelledWhileStopping.add(name);
                }
            } else if (done.isSuccess()) {
                print(name + " finished");
                if (stopping) {
                    finishedWhileStopping.add(name);
                }
            } else if (done.cause() instanceof TimeoutException) {
                print(name + " cut short: " + LogText.escape(String.valueOf(done.cause().getMessage())));
            } else {
                print(name + " failed: " + done.cause());
            }
        });
    }

    /** From now on, what ends counts for the shutdown report. */
    void stopping() {
        stopping = true;
    }

    /** The shutdown report: a line for what finished during the grace period, one for what was cancelled. */
    List<String> report() {
        List<String> lines = new ArrayList<>();
        lines.add(PREFIX + "finished during shutdown: " + names(finishedWhileStopping));
        lines.add(PREFIX + "cancelled at shutdown: " + names(cancelledWhileStopping));
        return lines;
    }

    private static String names(Queue<String> names) {
        return names.isEmpty() ? "(none)" : String.join(", ", names);
    }
}
