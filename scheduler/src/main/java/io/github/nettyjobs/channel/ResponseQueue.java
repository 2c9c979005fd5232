package io.github.nettyjobs.channel;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;

import java.util.ArrayDeque;
import java.util.function.BooleanSupplier;

/**
 * Ordering and writing of one {@link AtomicHandler}'s responses, confined to the channel's event
 * loop. Every request not answered yet waits here in arrival order. Ordered, the head's response is
 * the next to go out, however the jobs finish; unordered, each response goes out as soon as it is
 * ready. Nothing is written while the channel is not writable, and nothing after an answer that
 * closes the connection: later responses are released instead. While its connection drains, the
 * answer that leaves the queue empty is the connection's last.
 *
 * <p>States: the output moves forward from {@code OUT_OPEN} (through
 * {@code OUT_CLOSE_WITHOUT_ANSWER} or straight) to {@code OUT_SHUT}, and to {@code OUT_DESTROYED}
 * from any of them; {@link #flush()}'s passes are {@code FLUSH_IDLE}, {@code FLUSH_RUNNING} and
 * {@code FLUSH_AGAIN}.
 *
 * @param <I> the type of the requests
 * @param <O> the type of the responses
 */
final class ResponseQueue<I, O> {

    // The output's states, in the only order it moves through them (any may jump to OUT_DESTROYED).
    /** Answers are written as their turn comes. */
    private static final int OUT_OPEN = 0;
    /** A "close without answering" was met: the connection closes once the writes before it are done. */
    private static final int OUT_CLOSE_WITHOUT_ANSWER = 1;
    /** The last answer went out, or the close was asked for: nothing more is written. */
    private static final int OUT_SHUT = 2;
    /** The channel is gone or the handler removed. */
    private static final int OUT_DESTROYED = 3;

    // The passes of flush(), which a write or a flush can re-enter.
    private static final int FLUSH_IDLE = 0;
    private static final int FLUSH_RUNNING = 1;
    /** A nested call asked the running flush for one more pass. */
    private static final int FLUSH_AGAIN = 2;

    private final boolean ordered;
    private final ProtocolAnswers<I, O> answers;
    /** Whether requests wait in the handler beyond maxInFlight: they are in flight too. */
    private final BooleanSupplier requestsWaiting;
    /** Whether a drain has started, read when an answer goes out: its event may still be on its way. */
    private final BooleanSupplier drainStarted;
    private final ArrayDeque<Exchange<I, O>> exchanges = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    /** The output's state ({@code OUT_*}), forward only. */
    private int output = OUT_OPEN;
    /** The pass of {@link #flush()} ({@code FLUSH_*}): idle, running, or asked for another pass. */
    private int flushPass = FLUSH_IDLE;
    /** The latest write, which a close without answering waits for. */
    private ChannelFuture lastWrite;
    /** A drain started: the answer that leaves the queue empty closes the connection. */
    private boolean draining;

    ResponseQueue(boolean ordered, ProtocolAnswers<I, O> answers, BooleanSupplier requestsWaiting,
                  BooleanSupplier drainStarted) {
        this.ordered = ordered;
        this.answers = answers;
        this.requestsWaiting = requestsWaiting;
        this.drainStarted = drainStarted;
    }

    void attach(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    boolean isOrdered() {
        return ordered;
    }

    /** A request arrived; it counts as unanswered until its response is written or dropped. */
    void add(Exchange<I, O> exchange) {
        exchanges.addLast(exchange);
    }

    /** Requests received and not answered yet, held responses included. */
    int size() {
        return exchanges.size();
    }

    boolean isOutputShutdown() {
        return output != OUT_OPEN;
    }

    private void setOutput(int newOutput) {
        assert newOutput > output : output + " -> " + newOutput;
        output = newOutput;
    }

    /**
     * Writes the responses that may go out now and flushes them; returns whether any request left
     * the queue, so that reading may resume. Reentrancy: a write or a flush can fire
     * {@code channelWritabilityChanged}, or close the channel and so tear the handler down,
     * synchronously; a nested call only asks the running one for another pass, and each pass
     * takes exchanges off the queue one at a time, so a teardown in between leaves nothing to walk.
     */
    boolean flush() {
        if (flushPass != FLUSH_IDLE) {
            flushPass = FLUSH_AGAIN;
            return false;
        }
        boolean progressed = false;
        try {
            do {
                flushPass = FLUSH_RUNNING;
                progressed |= writePass();
            } while (flushPass == FLUSH_AGAIN && output != OUT_DESTROYED);
        } finally {
            flushPass = FLUSH_IDLE;
        }
        return progressed;
    }

    /** One pass of {@link #flush()}; returns whether a request left the queue. */
    private boolean writePass() {
        int written = ordered ? writeInOrder() : writeAsReady();
        if (written > 0) {
            ctx.flush();
        }
        boolean progressed = written > 0;
        if (output == OUT_CLOSE_WITHOUT_ANSWER || output == OUT_SHUT) {
            progressed |= dropAnswered();
            if (output == OUT_CLOSE_WITHOUT_ANSWER) {
                setOutput(OUT_SHUT);
                closeAfterWrites();
            }
        }
        return progressed;
    }

    private boolean canWrite() {
        return output == OUT_OPEN && ctx.channel().isWritable();
    }

    private int writeInOrder() {
        int written = 0;
        Exchange<I, O> head;
        while (canWrite() && (head = exchanges.peekFirst()) != null && head.isAnswered()) {
            exchanges.pollFirst();
            write(head);
            written++;
        }
        return written;
    }

    /**
     * One whole rotation through the queue: each answered exchange is written while the channel is
     * writable, every other one goes back to the tail, so the queue ends in arrival order again. An
     * answer that closes the connection waits until every request before it is answered.
     */
    private int writeAsReady() {
        int written = 0;
        boolean earlierUnwritten = false;
        for (int n = exchanges.size(); n > 0; n--) {
            Exchange<I, O> exchange = exchanges.pollFirst();
            if (exchange == null) {
                break; // torn down by a nested close
            }
            if (exchange.isAnswered() && canWrite() && !(earlierUnwritten && exchange.closesAfter())) {
                write(exchange);
                written++;
            } else {
                earlierUnwritten = true;
                exchanges.addLast(exchange);
            }
        }
        return written;
    }

    private void write(Exchange<I, O> exchange) {
        O response = exchange.takeResponse();
        boolean closes = exchange.closesAfter();
        if (response != null && !closes && isIdle() && isDraining()) {
            response = answers.lastResponse(ctx, response); // nothing else in flight: the last answer
            closes = true;
        }
        if (response == null) {
            setOutput(OUT_CLOSE_WITHOUT_ANSWER); // the protocol chose to close without answering
            return;
        }
        ChannelFuture written = ctx.write(response);
        lastWrite = written;
        if (closes) {
            setOutput(OUT_SHUT);
            written.addListener(ChannelFutureListener.CLOSE);
        } else {
            written.addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        }
    }

    /** Nothing in flight: no request unanswered, none waiting to be taken in. */
    private boolean isIdle() {
        return exchanges.isEmpty() && !requestsWaiting.getAsBoolean();
    }

    private boolean isDraining() {
        if (!draining && drainStarted.getAsBoolean()) {
            draining = true;
        }
        return draining;
    }

    /** The connection drains: from now on the answer that leaves the queue empty is its last. */
    void startDraining() {
        draining = true;
    }

    /**
     * Closes the connection if nothing is in flight, after the protocol's goodbye if it has one;
     * returns whether it did. Nothing is written after that.
     */
    boolean closeIfIdle() {
        if (!isIdle() || output != OUT_OPEN) {
            return false;
        }
        setOutput(OUT_SHUT);
        O goodbye = answers.goodbye(ctx);
        if (goodbye != null) {
            lastWrite = ctx.writeAndFlush(goodbye);
        }
        closeAfterWrites();
        return true;
    }

    /** Closes once the writes already made are done, so that none of them is cut short. */
    private void closeAfterWrites() {
        ChannelFuture last = lastWrite;
        if (last == null || last.isDone()) {
            ctx.close();
        } else {
            last.addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** After the output shut down: answered exchanges leave the queue, their responses released. */
    private boolean dropAnswered() {
        boolean dropped = false;
        for (int n = exchanges.size(); n > 0; n--) {
            Exchange<I, O> exchange = exchanges.pollFirst();
            if (exchange == null) {
                break;
            }
            if (exchange.isAnswered()) {
                exchange.releaseResponse();
                dropped = true;
            } else {
                exchanges.addLast(exchange);
            }
        }
        return dropped;
    }

    /**
     * {@code closer}'s answer closes the connection: the requests that arrived after it leave the
     * queue unanswered, each {@linkplain Exchange#abandon() abandoned}. Returns how many of them
     * were still waiting for admission.
     */
    int abandonBehind(Exchange<I, O> closer) {
        if (!exchanges.contains(closer)) {
            return 0;
        }
        int unadmitted = 0;
        for (Exchange<I, O> last; (last = exchanges.peekLast()) != null && last != closer; ) {
            exchanges.pollLast();
            if (last.abandon()) {
                unadmitted++;
            }
        }
        return unadmitted;
    }

    /** The channel is gone or the handler removed: every exchange is abandoned (see {@link Exchange#abandon()}). */
    void destroy() {
        if (output != OUT_DESTROYED) {
            setOutput(OUT_DESTROYED);
        }
        for (Exchange<I, O> exchange; (exchange = exchanges.pollFirst()) != null; ) {
            exchange.abandon();
        }
        lastWrite = null;
    }

    @Override
    public String toString() {
        return "ResponseQueue{" + (ordered ? "ordered" : "unordered") + ", unanswered=" + exchanges.size()
                + (draining ? ", draining" : "") + (output != OUT_OPEN ? ", outputShutdown}" : "}");
    }
}
