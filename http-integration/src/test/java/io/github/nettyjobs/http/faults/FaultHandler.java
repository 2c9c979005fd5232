package io.github.nettyjobs.http.faults;

import io.github.nettyjobs.http.AsyncHttpHandler;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The application of the fault suites, answering by path, and counting every call it gets and
 * every future it hands back that has completed (with a response, a failure or a cancellation):
 * <ul>
 *   <li>{@code /fast/<id>}: at once, body {@code fast <id>};</li>
 *   <li>{@code /slow/<id>/<ms>}: {@code ms} later, body {@code slow <id>};</li>
 *   <li>{@code /big/<id>/<kb>}: at once, {@code kb} KB of the letter {@code 'a' + id % 26};</li>
 *   <li>{@code /gate/<id>}: once {@link #openGate()} is called, body {@code gate <id>};</li>
 *   <li>{@code /fail/<id>}: throws (so {@code 500});</li>
 *   <li>{@code /echo/<id>}: at once, body {@code echo <id>: } and the request's content.</li>
 * </ul>
 * Responses are pooled buffers, so a response that is never released shows up as a leak.
 */
final class FaultHandler implements AsyncHttpHandler {

    final AtomicInteger started = new AtomicInteger();
    final AtomicInteger finished = new AtomicInteger();
    /** Calls whose future was cancelled: their jobs were cut short. */
    final AtomicInteger cancelled = new AtomicInteger();
    /** Paths of the calls, in the order they came. */
    final BlockingQueue<String> startedPaths = new LinkedBlockingQueue<>();
    private final AtomicBoolean gateOpen = new AtomicBoolean();
    private final Queue<Promise<FullHttpResponse>> gated = new ConcurrentLinkedQueue<>();
    private final Queue<ChannelHandlerContext> gatedContexts = new ConcurrentLinkedQueue<>();

    @Override
    public Future<FullHttpResponse> handle(ChannelHandlerContext ctx, FullHttpRequest request) {
        String path = request.uri();
        started.incrementAndGet();
        startedPaths.add(path);
        String[] parts = path.split("/");
        String kind = parts.length > 1 ? parts[1] : "";
        String id = parts.length > 2 ? parts[2] : "?";
        Promise<FullHttpResponse> promise = ctx.executor().newPromise();
        promise.addListener(f -> {
            if (f.isCancelled()) {
                cancelled.incrementAndGet();
            }
            finished.incrementAndGet();
        });
        switch (kind) {
            case "fast":
                promise.setSuccess(response(ctx, "fast " + id));
                break;
            case "slow":
                ctx.executor().schedule(() -> complete(promise, ctx, "slow " + id), Long.parseLong(parts[3]),
                        TimeUnit.MILLISECONDS);
                break;
            case "big": {
                byte[] bytes = new byte[Integer.parseInt(parts[3]) * 1024];
                Arrays.fill(bytes, (byte) ('a' + Integer.parseInt(id) % 26));
                // One write: under paranoid leak detection every buffer call is recorded.
                promise.setSuccess(response(ctx.alloc().buffer(bytes.length).writeBytes(bytes)));
                break;
            }
            case "gate":
                gated.add(promise);
                gatedContexts.add(ctx);
                if (gateOpen.get()) {
                    releaseGated();
                }
                break;
            case "fail":
                promise.setFailure(new IllegalStateException("fault handler fails " + path + " on purpose"));
                throw new IllegalStateException("fault handler throws for " + path + " on purpose");
            case "echo":
                promise.setSuccess(response(ctx, "echo " + id + ": "
                        + request.content().toString(StandardCharsets.UTF_8)));
                break;
            default:
                promise.setSuccess(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_FOUND,
                        ctx.alloc().buffer(0)));
                break;
        }
        return promise;
    }

    /** Lets every gated call, present and future, complete. */
    void openGate() {
        gateOpen.set(true);
        releaseGated();
    }

    private void releaseGated() {
        for (Promise<FullHttpResponse> promise; (promise = gated.poll()) != null; ) {
            ChannelHandlerContext ctx = gatedContexts.poll();
            Promise<FullHttpResponse> p = promise;
            ctx.executor().execute(() -> complete(p, ctx, "gate"));
        }
    }

    /** Completes with a fresh response; if the promise was cancelled meanwhile, the response is released. */
    private static void complete(Promise<FullHttpResponse> promise, ChannelHandlerContext ctx, String body) {
        FullHttpResponse response = response(ctx, body);
        if (!promise.trySuccess(response)) {
            response.release();
        }
    }

    private static FullHttpResponse response(ChannelHandlerContext ctx, String body) {
        ByteBuf content = ctx.alloc().buffer();
        content.writeCharSequence(body, StandardCharsets.UTF_8);
        return response(content);
    }

    private static FullHttpResponse response(ByteBuf content) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, content);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN);
        return response;
    }

    /** Waits until {@code n} calls have come in; returns their paths. */
    String[] awaitStarted(int n, long seconds) throws InterruptedException {
        String[] paths = new String[n];
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        for (int i = 0; i < n; i++) {
            paths[i] = startedPaths.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (paths[i] == null) {
                throw new AssertionError("only " + i + " of " + n + " calls came within " + seconds + " s");
            }
        }
        return paths;
    }
}
