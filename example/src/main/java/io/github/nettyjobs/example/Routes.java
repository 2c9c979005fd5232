package io.github.nettyjobs.example;

import io.github.nettyjobs.Job;
import io.github.nettyjobs.Scheduler;
import io.github.nettyjobs.SchedulerGroup;
import io.github.nettyjobs.http.AsyncHttpHandler;
import io.github.nettyjobs.channel.ChannelJobs;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.PromiseCombiner;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The example's routes. Each request runs as an atomic job of the connection's scheduler (from
 * the {@code requests} group), on that scheduler's loop; background jobs go to the
 * {@code background} group, whose limits the command line sets. Stateless apart from counters, so
 * one instance serves every connection.
 */
final class Routes implements AsyncHttpHandler {

    static final int MAX_SECONDS = 24 * 60 * 60;

    private final SchedulerGroup requests;
    private final SchedulerGroup background;
    private final Activity activity;
    private final String help;
    private final AtomicInteger backgroundNames = new AtomicInteger();
    private final AtomicInteger atomicNames = new AtomicInteger();

    Routes(SchedulerGroup requests, SchedulerGroup background, Activity activity, String help) {
        this.requests = requests;
        this.background = background;
        this.activity = activity;
        this.help = help;
    }

    /** A request the client got wrong: answered {@code 400} with the message. */
    private static final class BadRequest extends RuntimeException {
        BadRequest(String message) {
            super(message, null, false, false);
        }
    }

    @Override
    public Future<FullHttpResponse> handle(ChannelHandlerContext ctx, FullHttpRequest request) {
        try {
            return route(ctx, request);
        } catch (BadRequest e) {
            return text(ctx, HttpResponseStatus.BAD_REQUEST, e.getMessage() + "\n");
        }
    }

    private Future<FullHttpResponse> route(ChannelHandlerContext ctx, FullHttpRequest request) {
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        String path;
        try {
            path = uri.path();
            uri.parameters(); // decoded now, so that a bad escape is the client's 400, not a route's 500
        } catch (IllegalArgumentException malformed) {
            throw new BadRequest("malformed URI: " + malformed.getMessage());
        }
        HttpMethod method = request.method();
        switch (path) {
            case "/":
                return isGet(method) ? text(ctx, HttpResponseStatus.OK, help) : notAllowed(ctx);
            case "/jobs":
                if (method.equals(HttpMethod.POST)) {
                    return spawnBackgroundJob(ctx, uri);
                }
                return isGet(method) ? listJobs(ctx) : notAllowed(ctx);
            case "/atomic":
                return isGet(method) || method.equals(HttpMethod.POST) ? atomic(ctx, uri) : notAllowed(ctx);
            case "/fail":
                throw new IllegalStateException("/fail fails on purpose");
            default:
                return text(ctx, HttpResponseStatus.NOT_FOUND, "no such route: " + path + " (see GET /)\n");
        }
    }

    private static boolean isGet(HttpMethod method) {
        return method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD);
    }

    /**
     * {@code POST /jobs?seconds=S&name=N}: a background job on the scheduler of this connection's
     * loop. The answer waits while the pending queue is full: that is nettyjobs' backpressure.
     */
    private Future<FullHttpResponse> spawnBackgroundJob(ChannelHandlerContext ctx, QueryStringDecoder uri) {
        int seconds = seconds(uri, 10);
        String name = parameter(uri, "name", "sleep-" + backgroundNames.incrementAndGet());
        EventLoop loop = ctx.channel().eventLoop();
        Scheduler scheduler = background.schedulerFor(loop);
        Promise<FullHttpResponse> answer = ctx.executor().newPromise();
        scheduler.<Void>spawn(name, () -> sleep(loop, seconds)).addListener(spawned -> {
            if (!spawned.isSuccess()) {
                answer.setSuccess(response(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE,
                        "not spawned: " + spawned.cause().getMessage() + "\n"));
                return;
            }
            @SuppressWarnings("unchecked")
            Job<Void> job = (Job<Void>) spawned.getNow();
            activity.track("background job " + name, job.join());
            String state = job.isActive() ? "active" : job.isPending() ? "pending" : "closed";
            answer.setSuccess(response(ctx, HttpResponseStatus.ACCEPTED,
                    "spawned " + name + " (" + state + "), it runs " + seconds + " s\n"));
        });
        return answer;
    }

    /** A future that succeeds {@code seconds} later on {@code loop}; cancelling it stops the timer. */
    private static Future<Void> sleep(EventExecutor loop, int seconds) {
        Promise<Void> done = loop.newPromise();
        ScheduledFuture<?> timer = loop.schedule(() -> done.trySuccess(null), seconds, TimeUnit.SECONDS);
        done.addListener(f -> timer.cancel(false));
        return done;
    }

    /**
     * {@code GET /atomic?seconds=S}: answers after {@code S} seconds. The request is a job, so it
     * runs to its end even when the client leaves, and shutdown waits for it.
     */
    private Future<FullHttpResponse> atomic(ChannelHandlerContext ctx, QueryStringDecoder uri) {
        int seconds = seconds(uri, 5);
        String name = "atomic request " + atomicNames.incrementAndGet();
        Promise<FullHttpResponse> answer = ctx.executor().newPromise();
        ScheduledFuture<?> timer = ctx.executor().schedule(() -> {
            if (!ctx.channel().isActive()) {
                activity.print(name + ": its client has gone; the job ran to its end all the same");
            }
            answer.trySuccess(response(ctx, HttpResponseStatus.OK, name + " done after " + seconds + " s\n"));
        }, seconds, TimeUnit.SECONDS);
        answer.addListener(f -> timer.cancel(false)); // cancelled when the scheduler closes
        activity.track(name, answer);
        return answer;
    }

    /** {@code GET /jobs}: each scheduler's counts and jobs, read on the scheduler's own loop. */
    private Future<FullHttpResponse> listJobs(ChannelHandlerContext ctx) {
        List<Future<String>> parts = new ArrayList<>();
        for (Scheduler scheduler : background) {
            parts.add(scheduler.executor().submit(() -> describe("background", scheduler)));
        }
        Scheduler mine = ChannelJobs.scheduler(ctx); // the scheduler of this connection, running this request
        for (Scheduler scheduler : requests) {
            String kind = scheduler == mine ? "requests (this connection's)" : "requests";
            parts.add(scheduler.executor().submit(() -> describe(kind, scheduler)));
        }
        Promise<Void> all = ctx.executor().newPromise();
        PromiseCombiner combiner = new PromiseCombiner(ctx.executor());
        parts.forEach(combiner::add);
        combiner.finish(all);
        Promise<FullHttpResponse> answer = ctx.executor().newPromise();
        all.addListener(done -> {
            StringBuilder text = new StringBuilder();
            text.append("background: ").append(background.activeCount()).append(" active, ")
                    .append(background.pendingCount()).append(" pending\n");
            text.append("requests:   ").append(requests.activeCount()).append(" active, ")
                    .append(requests.pendingCount()).append(" pending (this listing is one of them)\n\n");
            for (Future<String> part : parts) {
                text.append(part.isSuccess() ? part.getNow() : "  (unavailable: " + part.cause() + ")\n");
            }
            answer.setSuccess(response(ctx, HttpResponseStatus.OK, text.toString()));
        });
        return answer;
    }

    /** On {@code scheduler}'s loop, where {@link Scheduler#jobs()} may be called. */
    private static String describe(String kind, Scheduler scheduler) {
        StringBuilder text = new StringBuilder();
        text.append(kind).append(" scheduler on ").append(Thread.currentThread().getName())
                .append(": ").append(scheduler.activeCount()).append(" active, ")
                .append(scheduler.pendingCount()).append(" pending (limit ").append(scheduler.limit())
                .append(", pending limit ").append(scheduler.pendingLimit())
                .append(scheduler.isClosed() ? ", closed)\n" : ")\n");
        for (Job<?> job : scheduler.jobs()) {
            text.append("  ").append(job.name()).append(job.isActive() ? "  active\n" : "  pending\n");
        }
        return text.toString();
    }

    private static int seconds(QueryStringDecoder uri, int defaultSeconds) {
        String value = parameter(uri, "seconds", null);
        if (value == null) {
            return defaultSeconds;
        }
        int seconds;
        try {
            seconds = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            seconds = -1;
        }
        if (seconds < 0 || seconds > MAX_SECONDS) {
            throw new BadRequest("seconds: " + value + " (expected: a whole number from 0 to " + MAX_SECONDS + ")");
        }
        return seconds;
    }

    private static String parameter(QueryStringDecoder uri, String name, String defaultValue) {
        List<String> values = uri.parameters().get(name);
        return values == null || values.isEmpty() || values.get(0).isEmpty() ? defaultValue : values.get(0);
    }

    private static Future<FullHttpResponse> notAllowed(ChannelHandlerContext ctx) {
        return text(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed here (see GET /)\n");
    }

    private static Future<FullHttpResponse> text(ChannelHandlerContext ctx, HttpResponseStatus status, String body) {
        return ctx.executor().newSucceededFuture(response(ctx, status, body));
    }

    /** A plain-text response; nettyjobs' atomic handler sets Content-Length and Connection. */
    private static FullHttpResponse response(ChannelHandlerContext ctx, HttpResponseStatus status, String body) {
        ByteBuf content = ByteBufUtil.writeUtf8(ctx.alloc(), body);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        return response;
    }
}
