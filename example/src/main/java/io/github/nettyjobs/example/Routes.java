package io.github.nettyjobs.example;

import io.github.nettyjobs.Job;
import io.github.nettyjobs.Scheduler;
import io.github.nettyjobs.SchedulerGroup;
import io.github.nettyjobs.channel.ChannelJobs;
import io.github.nettyjobs.http.AsyncHttpHandler;
import io.github.nettyjobs.internal.LogText;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
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
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.PromiseCombiner;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * The example's routes. Each request runs as an atomic job of the connection's scheduler (from
 * the {@code requests} group), on that scheduler's loop; the work of {@code /atomic} runs in the
 * {@code long} group, the blocking calls of {@code /blocking} in the {@code blocking} group (off the
 * loop) and background jobs in the {@code background} group, whose limits the
 * command line sets, so that cheap routes such as {@code GET /} never wait behind any of them.
 * Stateless apart from counters, so one instance serves every connection.
 */
final class Routes implements AsyncHttpHandler {

    static final int MAX_SECONDS = 24 * 60 * 60;
    static final long MAX_MILLIS = MAX_SECONDS * 1000L;
    /** The {@code Retry-After} of a {@code 503} of a busy server, in seconds. */
    static final int RETRY_AFTER_SECONDS = 1;
    /** The media type of Prometheus' text format. */
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    /** The {@code Allow} of a route that only reads. */
    private static final String GET_HEAD = "GET, HEAD";
    /** The {@code Allow} of a route that also takes {@code POST}. */
    private static final String GET_HEAD_POST = "GET, HEAD, POST";

    /**
     * The example's four kinds of scheduler, one of each per worker loop: every request while it
     * is answered, long work ({@code /atomic}, {@code SLEEP}), background jobs, blocking calls
     * ({@code /blocking}, {@code BLOCK}).
     */
    record Groups(SchedulerGroup requests, SchedulerGroup longWork, SchedulerGroup background,
                  SchedulerGroup blocking) {
    }

    private final Groups groups;
    private final PrometheusMeterRegistry registry;
    private final Activity activity;
    private final String help;
    /** Whether the server takes new work: {@code false} from the first moment of its drain. */
    private final BooleanSupplier ready;
    private final AtomicInteger backgroundNames = new AtomicInteger();
    private final AtomicInteger atomicNames = new AtomicInteger();
    private final AtomicInteger blockingNames = new AtomicInteger();

    Routes(Groups groups, PrometheusMeterRegistry registry, Activity activity, String help, BooleanSupplier ready) {
        this.groups = groups;
        this.registry = registry;
        this.activity = activity;
        this.help = help;
        this.ready = ready;
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
            throw new BadRequest("malformed URI: " + LogText.escape(malformed.getMessage()));
        }
        HttpMethod method = request.method();
        switch (path) {
            case "/":
                return isGet(method) ? text(ctx, HttpResponseStatus.OK, help)
                        : notAllowed(ctx, GET_HEAD);
            case "/jobs":
                if (method.equals(HttpMethod.POST)) {
                    return spawnBackgroundJob(ctx, uri);
                }
                return isGet(method) ? listJobs(ctx) : notAllowed(ctx, GET_HEAD_POST);
            case "/atomic":
                return isGet(method) || method.equals(HttpMethod.POST) ? atomic(ctx, uri)
                        : notAllowed(ctx, GET_HEAD_POST);
            case "/blocking":
                return isGet(method) ? blocking(ctx, uri) : notAllowed(ctx, GET_HEAD);
            case "/metrics":
                return isGet(method) ? metrics(ctx) : notAllowed(ctx, GET_HEAD);
            case "/ready":
                return isGet(method) ? readiness(ctx) : notAllowed(ctx, GET_HEAD);
            case "/fail":
                throw new IllegalStateException("/fail fails on purpose");
            default:
                return text(ctx, HttpResponseStatus.NOT_FOUND,
                        "no such route: " + LogText.escape(path) + " (see GET /)\n");
        }
    }

    /** {@code GET /metrics}: every meter in Prometheus' text format (version 0.0.4), for a scraper. */
    private Future<FullHttpResponse> metrics(ChannelHandlerContext ctx) {
        FullHttpResponse response = response(ctx, HttpResponseStatus.OK, registry.scrape());
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, PROMETHEUS_TEXT);
        return ctx.executor().newSucceededFuture(response);
    }

    /**
     * {@code GET /ready}, the readiness check of a load balancer: {@code 200} while the server takes
     * new work, {@code 503} from the first moment of its drain, so that the balancer sends nothing
     * new before the quiet period ends and the server stops accepting.
     */
    private Future<FullHttpResponse> readiness(ChannelHandlerContext ctx) {
        return ready.getAsBoolean() ? text(ctx, HttpResponseStatus.OK, "ready\n")
                : text(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, "draining\n");
    }

    private static boolean isGet(HttpMethod method) {
        return method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD);
    }

    /**
     * {@code POST /jobs?seconds=S&name=N}: a background job on the scheduler of this connection's
     * loop. With {@code --reject-when-full} (the default) a full pending queue is a {@code 503} at
     * once; without it the answer waits while the queue is full (nettyjobs' backpressure, as
     * aiojobs), holding a request slot meanwhile.
     */
    private Future<FullHttpResponse> spawnBackgroundJob(ChannelHandlerContext ctx, QueryStringDecoder uri) {
        int seconds = seconds(uri, 10);
        String name = parameter(uri, "name", "sleep-" + backgroundNames.incrementAndGet());
        EventLoop loop = ctx.channel().eventLoop();
        Scheduler scheduler = groups.background().schedulerFor(loop);
        Promise<FullHttpResponse> answer = ctx.executor().newPromise();
        scheduler.<Void>spawn(name, () -> sleep(loop, seconds, null)).addListener(spawned -> {
            if (!spawned.isSuccess()) {
                String why = whyCutShort(scheduler, spawned.cause());
                answer.setSuccess(unavailable(ctx, scheduler, "not spawned: " + why + "\n"));
                return;
            }
            @SuppressWarnings("unchecked")
            Job<Void> job = (Job<Void>) spawned.getNow();
            activity.track("background job " + name, job.join());
            String state = job.isActive() ? "active" : job.isPending() ? "pending" : "closed";
            answer.setSuccess(response(ctx, HttpResponseStatus.ACCEPTED,
                    "spawned " + LogText.escape(name) + " (" + state + "), it runs " + seconds + " s\n"));
        });
        return answer;
    }

    /**
     * A future that succeeds {@code seconds} later on {@code loop}, after running {@code atEnd} (if
     * not {@code null}); cancelling it (its job closed or timed out) stops the timer.
     */
    static Future<Void> sleep(EventExecutor loop, int seconds, Runnable atEnd) {
        Promise<Void> done = loop.newPromise();
        ScheduledFuture<?> timer = loop.schedule(() -> {
            if (atEnd != null) {
                atEnd.run();
            }
            done.trySuccess(null);
        }, seconds, TimeUnit.SECONDS);
        done.addListener(f -> timer.cancel(false));
        return done;
    }

    /**
     * {@code GET /atomic?seconds=S}: answers after {@code S} seconds. The work is a job of the long
     * scheduler, which the request waits for, so it runs to its end even when the client leaves,
     * and shutdown waits for it. Refused (the long scheduler is full), dropped from its queue or
     * cut short by {@code --job-timeout}: {@code 503} with {@code Retry-After}.
     */
    private Future<FullHttpResponse> atomic(ChannelHandlerContext ctx, QueryStringDecoder uri) {
        int seconds = seconds(uri, 5);
        String name = "atomic request " + atomicNames.incrementAndGet();
        EventLoop loop = ctx.channel().eventLoop();
        Scheduler longWork = groups.longWork().schedulerFor(loop);
        Runnable atEnd = () -> {
            if (!ctx.channel().isActive()) {
                activity.print(name + ": its client has gone; the job ran to its end all the same");
            }
        };
        return LongWork.run(ctx.executor(), longWork, name, () -> sleep(loop, seconds, atEnd), activity,
                () -> response(ctx, HttpResponseStatus.OK, name + " done after " + seconds + " s\n"),
                cause -> unavailable(ctx, longWork, name + " not done: " + whyCutShort(longWork, cause) + "\n"));
    }

    /**
     * {@code GET /blocking?ms=N}: a blocking call ({@code Thread.sleep} standing in for JDBC or a
     * file) that {@code spawnBlocking} runs in the blocking scheduler, on a virtual thread (or a
     * pooled one on Java 17), never on the loop; the request waits for it, and the loop serves
     * everything else meanwhile. Refused (the blocking scheduler is full), dropped from its queue
     * or cut short by {@code --blocking-timeout} (its thread interrupted): {@code 503} with
     * {@code Retry-After}.
     */
    private Future<FullHttpResponse> blocking(ChannelHandlerContext ctx, QueryStringDecoder uri) {
        long millis = millis(uri, 100);
        String name = "blocking call " + blockingNames.incrementAndGet();
        Scheduler blocking = groups.blocking().schedulerFor(ctx.channel().eventLoop());
        return LongWork.runBlocking(ctx.executor(), blocking, name, () -> blockFor(millis), activity,
                () -> response(ctx, HttpResponseStatus.OK, name + " done after " + millis + " ms off the loop\n"),
                cause -> unavailable(ctx, blocking, name + " not done: " + whyCutShort(blocking, cause) + "\n"));
    }

    /** The example's blocking call, on a blocking thread: it sleeps, as a slow query would wait. */
    static Void blockFor(long millis) throws InterruptedException {
        Thread.sleep(millis);
        return null;
    }

    /**
     * {@code 503}: with {@code Retry-After} while {@code scheduler} is open (the server is only
     * busy), closing the connection once it is closed (the server is going away).
     */
    private static FullHttpResponse unavailable(ChannelHandlerContext ctx, Scheduler scheduler, String body) {
        FullHttpResponse response = response(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, body);
        if (scheduler.isClosed()) {
            HttpUtil.setKeepAlive(response, false);
        } else {
            response.headers().setInt(HttpHeaderNames.RETRY_AFTER, RETRY_AFTER_SECONDS);
        }
        return response;
    }

    /**
     * Why work was refused or cut short, for the body of a {@code 503}: the server going away when
     * {@code scheduler} is closed, otherwise what the scheduler said (full, timed out), escaped.
     */
    static String whyCutShort(Scheduler scheduler, Throwable cause) {
        if (scheduler.isClosed() || scheduler.executor().isShuttingDown()) {
            return "the server is shutting down";
        }
        if (cause instanceof CancellationException) {
            return "cancelled";
        }
        String message = cause.getMessage();
        return message == null ? cause.getClass().getSimpleName() : LogText.escape(message);
    }

    /** {@code GET /jobs}: each scheduler's counts and jobs, read on the scheduler's own loop. */
    private Future<FullHttpResponse> listJobs(ChannelHandlerContext ctx) {
        SchedulerGroup background = groups.background();
        SchedulerGroup longWork = groups.longWork();
        SchedulerGroup requests = groups.requests();
        SchedulerGroup blocking = groups.blocking();
        List<Future<String>> parts = new ArrayList<>();
        for (Scheduler scheduler : background) {
            parts.add(scheduler.executor().submit(() -> describe("background", scheduler)));
        }
        for (Scheduler scheduler : longWork) {
            parts.add(scheduler.executor().submit(() -> describe("long", scheduler)));
        }
        for (Scheduler scheduler : blocking) {
            parts.add(scheduler.executor().submit(() -> describe("blocking", scheduler)));
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
            text.append("long:       ").append(longWork.activeCount()).append(" active, ")
                    .append(longWork.pendingCount()).append(" pending\n");
            text.append("blocking:   ").append(blocking.activeCount()).append(" active, ")
                    .append(blocking.pendingCount()).append(" pending\n");
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
            text.append("  ").append(LogText.escape(job.name())).append(job.isActive() ? "  active\n" : "  pending\n");
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
            throw new BadRequest("seconds: " + LogText.escape(value) + " (expected: a whole number from 0 to "
                    + MAX_SECONDS + ")");
        }
        return seconds;
    }

    private static long millis(QueryStringDecoder uri, long defaultMillis) {
        String value = parameter(uri, "ms", null);
        if (value == null) {
            return defaultMillis;
        }
        long millis;
        try {
            millis = Long.parseLong(value);
        } catch (NumberFormatException e) {
            millis = -1;
        }
        if (millis < 0 || millis > MAX_MILLIS) {
            throw new BadRequest("ms: " + LogText.escape(value) + " (expected: a whole number from 0 to "
                    + MAX_MILLIS + ")");
        }
        return millis;
    }

    private static String parameter(QueryStringDecoder uri, String name, String defaultValue) {
        List<String> values = uri.parameters().get(name);
        return values == null || values.isEmpty() || values.get(0).isEmpty() ? defaultValue : values.get(0);
    }

    /** {@code 405}, with the {@code Allow} header that HTTP requires of it (RFC 9110, 15.5.6). */
    private static Future<FullHttpResponse> notAllowed(ChannelHandlerContext ctx, String allow) {
        FullHttpResponse response = response(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED,
                "method not allowed here; allowed: " + allow + " (see GET /)\n");
        response.headers().set(HttpHeaderNames.ALLOW, allow);
        return ctx.executor().newSucceededFuture(response);
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
