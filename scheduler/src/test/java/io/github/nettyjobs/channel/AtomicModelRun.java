package io.github.nettyjobs.channel;

import io.github.nettyjobs.Scheduler;
import io.github.nettyjobs.SchedulerGroup;
import io.github.nettyjobs.channel.AtomicModel.Kind;
import io.github.nettyjobs.channel.AtomicModel.Req;
import io.github.nettyjobs.testing.EmbeddedChannels;
import io.github.nettyjobs.testing.SeededRuns;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * One random sequence of {@link AtomicHandlerModelTest}: an {@link AtomicHandler} on an
 * {@link EmbeddedChannel} with frozen time, its scheduler on a second embedded loop (which, like
 * every embedded loop, counts as the caller's own, so everything runs as on one loop), driven by random
 * steps (pipelined requests of every {@link Kind}, answers, time moving on, a client that stops
 * reading, half-closes or vanishes), each step checked against {@link AtomicModel}.
 */
final class AtomicModelRun {

    /**
     * Direct unpooled buffers: tracked by the leak detector, and never recycled, so that a
     * released one keeps reporting a reference count of 0.
     */
    private static final ByteBufAllocator UNPOOLED = UnpooledByteBufAllocator.DEFAULT;

    private final long seed;
    private final SplittableRandom random;
    private final int steps;
    private final Map<String, Integer> coverage;
    private final AtomicModel model;
    private final EmbeddedChannel channel;
    private final EmbeddedChannel schedulerLoop;
    private final SchedulerGroup group;
    private final Map<Integer, Req> requests = new HashMap<>();
    private final Map<Integer, ByteBuf> frames = new HashMap<>();
    private final Map<Integer, Promise<ByteBuf>> promises = new HashMap<>();
    private final List<ByteBuf> responses = new ArrayList<>();
    private final List<Integer> calls = new ArrayList<>();
    private final List<String> written = new ArrayList<>();
    private final List<String> history = new ArrayList<>();
    private int nextId;
    private boolean halfClosed;
    private int step;

    AtomicModelRun(long seed, int steps, Map<String, Integer> coverage) {
        this.seed = seed;
        this.random = new SplittableRandom(seed);
        this.steps = steps;
        this.coverage = coverage;
        long jobTimeout = random.nextInt(3) == 0 ? 10_000 : 0;
        long pendingTimeout = random.nextInt(3) == 0 ? 25_000 : 0;
        model = new AtomicModel(random.nextBoolean(), pick(1, 2, 3, 5, 16), pick(1, 2, 3), pick(1, 2, 4),
                random.nextBoolean(), jobTimeout, pendingTimeout, random.nextInt(4) == 0);
        channel = new EmbeddedChannel();
        channel.freezeTime();
        // The scheduler's loop: closing an embedded channel cancels the timers of its loop, and the
        // jobs' timers must outlive the connection. Embedded loops are all "in the event loop", so
        // the exchanges still run as on one loop.
        schedulerLoop = new EmbeddedChannel();
        schedulerLoop.freezeTime();
        Scheduler.Builder config = Scheduler.builder().limit(model.limit).pendingLimit(model.pendingLimit)
                .rejectWhenFull(model.rejectWhenFull)
                .exceptionHandler((scheduler, context) -> { });
        if (jobTimeout > 0) {
            config.jobTimeout(Duration.ofMillis(jobTimeout));
        }
        if (pendingTimeout > 0) {
            config.pendingTimeout(Duration.ofMillis(pendingTimeout));
        }
        group = SchedulerGroup.create(schedulerLoop.eventLoop(), config);
        channel.pipeline().addLast(new LineBasedFrameDecoder(256), new JobsHandler(group), new FrameRecorder(),
                AtomicHandler.builder(ByteBuf.class, this::handle).protocol(new ModelProtocol(model.nullFailure))
                        .maxInFlight(model.maxInFlight).ordered(model.ordered).build());
        history.add("config: " + (model.ordered ? "ordered" : "unordered") + ", maxInFlight " + model.maxInFlight
                + ", limit " + model.limit + ", pendingLimit " + model.pendingLimit
                + (model.rejectWhenFull ? ", rejectWhenFull" : "") + ", jobTimeout " + jobTimeout
                + ", pendingTimeout " + pendingTimeout + (model.nullFailure ? ", failures close" : ""));
    }

    private int pick(int... values) {
        return values[random.nextInt(values.length)];
    }

    void run() {
        for (step = 1; step <= steps && !isOver(); step++) {
            randomStep();
            check();
        }
        step = 0;
        finish();
    }

    /** The connection is gone and nothing is left that a step could move on. */
    private boolean isOver() {
        return model.destroyed && model.active.isEmpty() && model.pending.isEmpty() && model.waiting.isEmpty();
    }

    // ---- the real side ----

    private Future<ByteBuf> handle(ChannelHandlerContext ctx, ByteBuf request) {
        int id = ModelProtocol.id(request);
        calls.add(id);
        Kind kind = requests.get(id).kind;
        switch (kind) {
            case SYNC_OK:
                return ctx.executor().newSucceededFuture(response("ok " + id));
            case SYNC_BYE:
                return ctx.executor().newSucceededFuture(response("BYE " + id));
            case THROW:
                throw new IllegalStateException("thrown on purpose by " + id);
            default:
                Promise<ByteBuf> promise = ctx.executor().newPromise();
                promises.put(id, promise);
                return promise;
        }
    }

    private ByteBuf response(String text) {
        ByteBuf response = UNPOOLED.directBuffer();
        ByteBufUtil.writeUtf8(response, text);
        responses.add(response);
        return response;
    }

    /**
     * Passes each decoded request on as a buffer of its own (a decoder's slices share their
     * reference count), remembered to check when it is released.
     */
    private final class FrameRecorder extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf slice = (ByteBuf) msg;
            ByteBuf own = UNPOOLED.directBuffer(slice.readableBytes()).writeBytes(slice);
            slice.release();
            frames.put(ModelProtocol.id(own), own);
            ctx.fireChannelRead(own);
        }
    }

    // ---- steps ----

    private void randomStep() {
        int dice = random.nextInt(200);
        boolean open = !model.destroyed;
        if (dice < 80 && open && !halfClosed) {
            send();
        } else if (dice < 160) {
            complete();
        } else if (dice < 180) {
            advance();
        } else if (dice < 194 && open) {
            toggleWritability();
        } else if (dice < 197 && open && !halfClosed) {
            halfClose();
        } else if (dice < 199 && open) {
            vanish();
        } else {
            complete();
        }
    }

    private void send() {
        int count = 1 + random.nextInt(4);
        StringBuilder lines = new StringBuilder();
        List<Req> sent = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Req r = new Req(nextId++, randomKind());
            requests.put(r.id, r);
            sent.add(r);
            lines.append(r.id).append(' ').append(r.kind).append(r.kind == Kind.BAD ? "\u0001" : "").append('\n');
            count("kind " + r.kind);
        }
        history.add(step + ": send " + sent);
        channel.writeInbound(Lines.buffer(lines.toString()));
        for (Req r : sent) {
            model.read(r);
        }
        quiet();
    }

    private Kind randomKind() {
        int dice = random.nextInt(200);
        if (dice < 110) {
            return Kind.ASYNC;
        } else if (dice < 145) {
            return Kind.SYNC_OK;
        } else if (dice < 149) {
            return Kind.SYNC_BYE;
        } else if (dice < 163) {
            return Kind.THROW;
        } else if (dice < 190) {
            return Kind.NEVER;
        } else if (dice < 195) {
            return Kind.LAST;
        }
        return Kind.BAD;
    }

    private void complete() {
        List<Req> completable = new ArrayList<>();
        for (Req r : model.active) {
            if (r.completable && r.kind != Kind.NEVER) {
                completable.add(r);
            }
        }
        if (completable.isEmpty()) {
            history.add(step + ": nothing to complete");
            return;
        }
        Req r = completable.get(random.nextInt(completable.size()));
        Promise<ByteBuf> promise = promises.get(r.id);
        int dice = random.nextInt(20);
        if (dice < 15) {
            history.add(step + ": " + r.id + " answers ok");
            count("complete ok");
            promise.setSuccess(response("ok " + r.id));
            model.jobEnded(r, "ok " + r.id);
        } else if (dice < 16) {
            history.add(step + ": " + r.id + " answers BYE");
            count("complete BYE");
            promise.setSuccess(response("BYE " + r.id));
            model.jobEnded(r, "BYE " + r.id);
        } else {
            history.add(step + ": " + r.id + " fails");
            count("complete failure");
            promise.setFailure(new IllegalStateException("failed on purpose by " + r.id));
            model.jobEnded(r, model.failure(r));
        }
        quiet();
    }

    private void advance() {
        long ms = pick(1_000, 10_000, 30_000);
        history.add(step + ": time moves on " + ms + " ms");
        count("advance");
        schedulerLoop.advanceTimeBy(ms, TimeUnit.MILLISECONDS);
        channel.advanceTimeBy(ms, TimeUnit.MILLISECONDS);
        quiet();
        model.advance(ms);
    }

    private void toggleWritability() {
        boolean writable = model.unwritable;
        history.add(step + ": the client " + (writable ? "reads again" : "stops reading"));
        count(writable ? "writable" : "unwritable");
        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, writable);
        quiet();
        model.writable(writable);
    }

    private void halfClose() {
        history.add(step + ": the client half-closes");
        count("half-close");
        halfClosed = true;
        channel.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        quiet();
    }

    private void vanish() {
        history.add(step + ": the client vanishes");
        count("vanish");
        channel.close();
        quiet();
        model.destroy();
    }

    /** Runs both loops until neither has anything left to run. */
    private void quiet() {
        do {
            EmbeddedChannels.runUntilQuiet(schedulerLoop);
            EmbeddedChannels.runUntilQuiet(channel);
        } while (schedulerLoop.hasPendingTasks());
    }

    private void count(String what) {
        coverage.merge(what, 1, Integer::sum);
    }

    // ---- checks ----

    private void check() {
        for (Object message; (message = channel.readOutbound()) != null; ) {
            try {
                String text = Lines.text((ByteBuf) message);
                written.add(text.endsWith("\n") ? text.substring(0, text.length() - 1) : text);
            } finally {
                ReferenceCountUtil.release(message);
            }
        }
        expect(model.written, written, "the answers written, in order");
        expect(model.started, calls, "the requests whose handler was called, in order");
        expect(!model.destroyed, channel.isOpen(), "whether the connection is open");
        if (!model.destroyed && !model.inputShutdown) {
            expect(model.autoRead(), channel.config().isAutoRead(), "whether the channel reads");
        }
        for (Req r : requests.values()) {
            ByteBuf frame = frames.get(r.id);
            if (frame != null) {
                expect(r.released ? 0 : 1, frame.refCnt(), "the reference count of request " + r.id + " (" + r.kind
                        + (r.started ? ", started" : "") + (r.jobEnded ? ", job ended" : "")
                        + (r.abandoned ? ", abandoned" : "") + (r.answered ? ", answered" : "") + ")");
            }
        }
        for (Req r : model.queue) {
            if (r.answered) {
                count("held answer");
            }
        }
        if (!model.deferred.isEmpty()) {
            count("waiting beyond maxInFlight");
        }
        if (!model.waiting.isEmpty()) {
            count("waiting for room");
        }
    }

    /** The end: the client goes, the jobs end, the scheduler closes, and every buffer is released. */
    private void finish() {
        if (!model.destroyed) {
            vanish();
        }
        for (Req r : new ArrayList<>(model.active)) {
            if (r.completable && r.kind != Kind.NEVER) {
                promises.get(r.id).setSuccess(response("ok " + r.id));
                model.jobEnded(r, "ok " + r.id);
            }
        }
        quiet();
        check();
        group.close();
        quiet();
        for (Map.Entry<Integer, ByteBuf> frame : frames.entrySet()) {
            expect(0, frame.getValue().refCnt(), "the reference count of request " + frame.getKey() + " at the end");
        }
        for (int i = 0; i < responses.size(); i++) {
            expect(0, responses.get(i).refCnt(), "the reference count of response number " + (i + 1) + " at the end");
        }
        expect(true, group.isClosed(), "the scheduler closed");
        expect(false, channel.finishAndReleaseAll(), "anything left in the channel");
        expect(false, schedulerLoop.finishAndReleaseAll(), "anything left on the scheduler's loop");
    }

    private void expect(Object expected, Object actual, String what) {
        if (!expected.equals(actual)) {
            int from = Math.max(1, history.size() - 40);
            throw new AssertionError("seed " + seed + ", step " + (step == 0 ? "end" : step) + ": " + what
                    + ": expected " + expected + " but was " + actual
                    + "\nreplay: "
                    + SeededRuns.replay(AtomicHandlerModelTest.SEED, seed, AtomicHandlerModelTest.SEQUENCES)
                    + "\n  " + history.get(0)
                    + "\nlast steps:\n  "
                    + String.join("\n  ", history.subList(from, history.size())));
        }
    }
}
