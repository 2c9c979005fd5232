package io.github.nettyjobs.example;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * What the example server prints, for a test that waits for a line to appear (an event the server
 * prints) instead of for turns of its loops. Written by the server's threads, read by the test's.
 */
final class PrintedText extends ByteArrayOutputStream {

    /**
     * Waits until a printed line contains {@code text}; returns everything printed so far.
     *
     * @throws AssertionError if no such line is printed within {@code seconds}
     */
    synchronized String awaitLineContaining(String text, long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        for (;;) {
            String printed = toString(StandardCharsets.UTF_8);
            if (printed.lines().anyMatch(line -> line.contains(text))) {
                return printed;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no line contains \"" + text + "\" after " + seconds + " s: " + printed);
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    @Override
    public synchronized void write(int b) {
        super.write(b);
        notifyAll();
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        super.write(b, off, len);
        notifyAll();
    }
}
