package io.github.nettyjobs.http;

import io.github.nettyjobs.Scheduler;
import io.github.nettyjobs.SchedulerGroup;
import io.github.nettyjobs.channel.JobsHandler;
import io.github.nettyjobs.testing.EmbeddedChannels;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * One random pipeline of {@link HttpPairingPropertyTest}: a client that pipelines its requests as a
 * real one does (it waits for {@code 100 Continue} before a body it was asked to hold back, unless it
 * is eager), a server on an embedded channel, and after every step the checks of the property. The
 * client's model of what each request must get is all that is compared: status, body (the request's
 * id and the length of the body the handler saw), and whether the answer closes the connection.
 */
final class PairingRun {

    static final int MAX_CONTENT_LENGTH = 64;

    /** What the client sends. */
    enum Kind {
        GET, POST, EXPECT_CONTINUE, EXPECT_CONTINUE_EAGER, EXPECT_TOO_LARGE, OVERSIZED, EXPECT_UNSUPPORTED,
        CLOSE, HTTP10, HTTP10_KEEP_ALIVE;

        boolean expectsContinue() {
            return this == EXPECT_CONTINUE || this == EXPECT_CONTINUE_EAGER;
        }
    }

    /**
     * What the handler does with a request: answers at once or later, fails, or answers with
     * {@code Connection: close} at once or later (the server's own choice to end the connection).
     */
    enum Behaviour {
        FAST, SLOW, FAIL, CLOSE_NOW, CLOSE_LATER;

        boolean closes() {
            return this == CLOSE_NOW || this == CLOSE_LATER;
        }
    }

    /** One request of the pipeline, and what the client must get for it. */
    record Request(int id, Kind kind, Behaviour behaviour, int bodyLength) {

        int status() {
            switch (kind) {
                case EXPECT_TOO_LARGE:
                case OVERSIZED:
                    return 413;
                case EXPECT_UNSUPPORTED:
                    return 417;
                default:
                    return behaviour == Behaviour.FAIL ? 500 : 200;
            }
        }

        /** Whether its answer closes the connection. */
        boolean closes() {
            return kind == Kind.CLOSE || kind == Kind.HTTP10 || !processed() || behaviour.closes();
        }

        /** Whether the connection's end is known as the request arrives, before any handler runs. */
        boolean closesOnArrival() {
            return closes() && !(processed() && behaviour.closes() && kind != Kind.CLOSE && kind != Kind.HTTP10);
        }

        /** Whether the handler must see it (if nothing ahead of it closed the connection). */
        boolean processed() {
            return status() != 413 && status() != 417;
        }

        String head() {
            StringBuilder head = new StringBuilder();
            boolean get = kind == Kind.GET || kind == Kind.CLOSE || kind == Kind.HTTP10
                    || kind == Kind.HTTP10_KEEP_ALIVE;
            String method = get ? "GET" : "POST";
            String version = kind == Kind.HTTP10 || kind == Kind.HTTP10_KEEP_ALIVE ? "HTTP/1.0" : "HTTP/1.1";
            head.append(method).append(" /r/").append(id).append(' ').append(version).append("\r\nHost: x\r\n");
            if (method.equals("POST")) {
                head.append("Content-Length: ").append(bodyLength).append("\r\n");
            }
            switch (kind) {
                case EXPECT_CONTINUE:
                case EXPECT_CONTINUE_EAGER:
                case EXPECT_TOO_LARGE:
                    head.append("Expect: 100-continue\r\n");
                    break;
                case EXPECT_UNSUPPORTED:
                    head.append("Expect: a-miracle\r\n");
                    break;
                case CLOSE:
                    head.append("Connection: close\r\n");
                    break;
                case HTTP10_KEEP_ALIVE:
                    head.append("Connection: keep-alive\r\n");
                    break;
                default:
                    break;
            }
            return head.append("\r\n").toString();
        }

        String body() {
            return "b".repeat(bodyLength);
        }

        /** What the handler answers: the id, and the length of the body it received. */
        String answer() {
            int received = kind == Kind.POST || kind.expectsContinue() ? bodyLength : 0;
            return "id " + id + " body " + received;
        }

        @Override
        public String toString() {
            return "#" + id + " " + kind + " " + behaviour + (bodyLength > 0 ? " body " + bodyLength : "");
        }
    }

    private final long seed;
    private final SplittableRandom random;
    private final Map<String, Integer> coverage;
    private final List<Request> requests = new ArrayList<>();
    private final List<String> trace = new ArrayList<>();

    // The server.
    private EmbeddedChannel channel;
    private SchedulerGroup group;
    /** An answer the handler gives later. */
    private record Later(int id, Promise<FullHttpResponse> promise, String answer, boolean closes) {
    }

    private final List<Later> slow = new ArrayList<>();
    private final Set<Integer> called = new HashSet<>();
    /**
     * The requests whose handler had been called when the handler's answer that closes the connection
     * was made: they may run although they are behind it (they were already processing); no other.
     */
    private Set<Integer> calledBeforeTheClose;

    // The client.
    private int next;
    /** Sent and not answered yet, in order. */
    private final ArrayDeque<Request> outstanding = new ArrayDeque<>();
    /** A request whose body waits for its 100 Continue (or whose final answer the client waits for). */
    private Request holding;
    private boolean continued;
    /** The held request had earlier ones unanswered when it was sent: its 100 Continue must wait. */
    private boolean holdingBehindOthers;
    private final Set<Integer> continuedIds = new HashSet<>();
    /** The first request sent whose answer closes the connection. */
    private Request closing;
    private final WireResponses wire = new WireResponses();
    private int step;

    PairingRun(long seed, Map<String, Integer> coverage) {
        this.seed = seed;
        this.random = new SplittableRandom(seed);
        this.coverage = coverage;
        int count = 1 + random.nextInt(12);
        Kind[] kinds = Kind.values();
        Behaviour[] behaviours = Behaviour.values();
        for (int id = 0; id < count; id++) {
            // Closing kinds are rarer, so that most pipelines run on for a while.
            Kind kind = random.nextInt(3) == 0 ? kinds[random.nextInt(kinds.length)] : kinds[random.nextInt(3)];
            int bodyLength;
            switch (kind) {
                case POST:
                case EXPECT_CONTINUE:
                case EXPECT_CONTINUE_EAGER:
                case EXPECT_UNSUPPORTED:
                    bodyLength = random.nextInt(MAX_CONTENT_LENGTH + 1);
                    break;
                case EXPECT_TOO_LARGE:
                case OVERSIZED:
                    bodyLength = MAX_CONTENT_LENGTH + 1 + random.nextInt(100);
                    break;
                default:
                    bodyLength = 0;
            }
            // Handlers that end the connection are rarer too.
            Behaviour behaviour = random.nextInt(6) == 0 ? behaviours[3 + random.nextInt(2)]
                    : behaviours[random.nextInt(3)];
            requests.add(new Request(id, kind, behaviour, bodyLength));
        }
    }

    void run() {
        int maxInFlight = new int[] {1, 2, 4, 16}[random.nextInt(4)];
        channel = new EmbeddedChannel();
        group = SchedulerGroup.create(channel.eventLoop(), Scheduler.builder());
        channel.pipeline().addLast(new HttpServerCodec(), HttpJobs.aggregator(MAX_CONTENT_LENGTH),
                new JobsHandler(group), HttpJobs.atomic(this::handle, maxInFlight));
        trace.add("pipeline " + requests + ", maxInFlight " + maxInFlight);
        try {
            while (act()) {
                step++;
                EmbeddedChannels.runUntilQuiet(channel);
                channel.checkException();
                check();
            }
            finalChecks();
        } finally {
            teardown();
        }
    }

    // ---- the server's handler ----

    private Future<FullHttpResponse> handle(ChannelHandlerContext ctx, FullHttpRequest request) {
        int id = Integer.parseInt(request.uri().substring("/r/".length()));
        Request r = requests.get(id);
        if (!called.add(id)) {
            fail("the handler was called twice for " + r);
        }
        String answer = "id " + id + " body " + request.content().readableBytes();
        switch (r.behaviour()) {
            case FAIL:
                return ctx.executor().newFailedFuture(new IllegalStateException("fails on purpose"));
            case SLOW:
            case CLOSE_LATER: {
                Promise<FullHttpResponse> later = ctx.executor().newPromise();
                slow.add(new Later(id, later, answer, r.behaviour().closes()));
                return later;
            }
            default:
                return ctx.executor().newSucceededFuture(answer(id, answer, r.behaviour().closes()));
        }
    }

    /** The handler's response; one that closes the connection marks which requests ran before it was made. */
    private FullHttpResponse answer(int id, String text, boolean closes) {
        FullHttpResponse response = Messages.ok(text);
        if (closes) {
            HttpUtil.setKeepAlive(response, false);
            if (closing != null && closing.id() == id && calledBeforeTheClose == null) {
                calledBeforeTheClose = new HashSet<>(called);
            }
        }
        return response;
    }

    // ---- the client's moves ----

    /** Takes one enabled move, chosen at random; {@code false} when none is left. */
    private boolean act() {
        List<Runnable> moves = new ArrayList<>(3);
        boolean open = channel.isOpen();
        if (open && holding == null && next < requests.size()) {
            moves.add(this::send);
        }
        if (open && holding != null && continued) {
            moves.add(this::sendHeldBody);
        }
        if (!slow.isEmpty()) {
            moves.add(this::completeSlow);
        }
        if (moves.isEmpty()) {
            return false;
        }
        moves.get(random.nextInt(moves.size())).run();
        return true;
    }

    /** Sends the next one to three requests in one read, up to one whose body must wait. */
    private void send() {
        StringBuilder bytes = new StringBuilder();
        List<Request> sent = new ArrayList<>();
        for (int n = 1 + random.nextInt(3); n > 0 && next < requests.size() && holding == null; n--) {
            Request r = requests.get(next++);
            sent.add(r);
            count("kind " + r.kind());
            count("behaviour " + r.behaviour());
            bytes.append(r.head());
            if (r.kind() == Kind.EXPECT_CONTINUE || r.kind() == Kind.EXPECT_TOO_LARGE) {
                holding = r; // the body waits for 100 Continue; over the limit, it never goes
                continued = false;
                holdingBehindOthers = closing == null && !outstanding.isEmpty();
            } else {
                bytes.append(r.body());
            }
            if (closing != null) {
                count("sent behind a close");
            } else {
                outstanding.addLast(r);
                if (r.closes()) {
                    closing = r;
                }
            }
        }
        trace.add("step " + step + ": send " + sent);
        channel.writeInbound(ascii(bytes));
    }

    private void sendHeldBody() {
        Request r = holding;
        holding = null;
        trace.add("step " + step + ": send the body of " + r);
        channel.writeInbound(ascii(r.body()));
    }

    private void completeSlow() {
        Later later = slow.remove(random.nextInt(slow.size()));
        trace.add("step " + step + ": the handler answers " + later.answer() + (later.closes() ? ", closing" : ""));
        later.promise().setSuccess(answer(later.id(), later.answer(), later.closes()));
    }

    private static ByteBuf ascii(CharSequence text) {
        return ByteBufUtil.writeAscii(Messages.UNPOOLED, text);
    }

    // ---- the checks ----

    private void check() {
        for (Object out; (out = channel.readOutbound()) != null; ) {
            try {
                wire.add(((ByteBuf) out).toString(StandardCharsets.US_ASCII));
            } finally {
                ReferenceCountUtil.release(out);
            }
        }
        for (WireResponses.Response response; (response = wire.next()) != null; ) {
            pair(response);
        }
        for (int id : called) {
            Request r = requests.get(id);
            if (!r.processed() || closing != null && id > closing.id() && !mayRunBehindTheClose(id)) {
                fail("the handler ran for " + r + (closing != null ? ", behind " + closing + " that closes" : ""));
            }
        }
    }

    private void pair(WireResponses.Response response) {
        Request head = outstanding.peekFirst();
        trace.add("step " + step + ": got " + response.status() + " " + response.body().strip());
        if (head == null) {
            fail("an answer nobody asked for: " + response);
        }
        if (response.status() == 100) {
            if (!head.kind().expectsContinue() || !continuedIds.add(head.id())) {
                fail("100 Continue went out in the place of " + head);
            }
            if (holding == head) {
                continued = true;
                if (holdingBehindOthers) {
                    count("100 Continue after an earlier answer");
                }
            }
            return;
        }
        outstanding.pollFirst();
        if (response.status() != head.status()) {
            fail("status " + response.status() + " in the place of " + head + ", which gets " + head.status());
        }
        if (head.status() == 200 && !response.body().equals(head.answer())) {
            fail("body \"" + response.body() + "\" in the place of " + head + ", which gets \"" + head.answer() + "\"");
        }
        if (head.closes() != response.closes()) {
            fail("an answer that " + (response.closes() ? "closes" : "keeps") + " the connection for " + head);
        }
        if (head == holding) {
            holding = null; // answered without its body: over the limit
        }
        if (head.closes()) {
            count("closed by " + (head.closesOnArrival() ? head.kind() : "the handler"));
        }
    }

    /**
     * Whether a request behind the one whose answer closes may still have run: only if that answer
     * comes from its handler, and the request was already running when it was made.
     */
    private boolean mayRunBehindTheClose(int id) {
        if (closing.closesOnArrival()) {
            return false;
        }
        return calledBeforeTheClose == null || calledBeforeTheClose.contains(id);
    }

    private void finalChecks() {
        if (!outstanding.isEmpty()) {
            fail("never answered: " + outstanding);
        }
        if (closing != null && channel.isOpen()) {
            fail("still open after the answer to " + closing);
        }
        if (closing == null && !channel.isOpen()) {
            fail("closed though no answer closes it");
        }
        for (Request r : requests) {
            boolean mustRun = r.id() < next && r.processed() && (closing == null || r.id() <= closing.id());
            if (mustRun && !called.contains(r.id())) {
                fail("never processed: " + r);
            }
            if (closing != null && r.id() > closing.id() && called.contains(r.id())) {
                count("ran behind the handler's close");
            }
        }
    }

    private void teardown() {
        for (Later later : slow) {
            later.promise().cancel(false);
        }
        group.close();
        EmbeddedChannels.runUntilQuiet(channel);
        channel.finishAndReleaseAll();
    }

    private void count(String key) {
        coverage.merge(key, 1, Integer::sum);
    }

    private void fail(String violation) {
        throw new AssertionError("seed " + seed + ", step " + step + ": " + violation + "\n  "
                + String.join("\n  ", trace));
    }
}
