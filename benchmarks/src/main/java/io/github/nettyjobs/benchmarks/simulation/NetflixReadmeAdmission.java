package io.github.nettyjobs.benchmarks.simulation;

import com.netflix.concurrency.limits.Limit;
import com.netflix.concurrency.limits.Limiter;
import com.netflix.concurrency.limits.limiter.SimpleLimiter;
import io.github.nettyjobs.Scheduler;
import io.github.nettyjobs.benchmarks.SchedulerClocks;
import io.netty.util.concurrent.Future;

import java.util.Optional;

/**
 * Requests admitted the way Netflix concurrency-limits' README does it: a {@link SimpleLimiter}
 * in front, {@code acquire} before each request (no token: refused), {@code onSuccess} or
 * {@code onIgnore} when it ends; behind it a scheduler without a limit of its own. The limiter
 * reads the virtual clock. Confined to the loop.
 */
final class NetflixReadmeAdmission implements Admission {

    private final Context context;
    private final SimpleLimiter<Void> limiter;
    private final Scheduler scheduler;

    NetflixReadmeAdmission(Context context, Limit limit) {
        this.context = context;
        this.limiter = SimpleLimiter.newBuilder().limit(limit).nanoClock(context.time()::now).build();
        Scheduler.Builder builder = Scheduler.builder().limit(0).pendingLimit(0);
        SchedulerClocks.useClock(builder, context.time()::now);
        this.scheduler = builder.build(context.time().loop());
    }

    @Override
    public void arrive() {
        context.recorder().arrived();
        Optional<Limiter.Listener> token = limiter.acquire(null);
        if (token.isEmpty()) {
            context.recorder().refused();
            return;
        }
        long arrival = context.time().now();
        scheduler.spawn(() -> {
            Future<Void> call = SchedulerAdmission.call(context, arrival);
            call.addListener(done -> {
                if (done.isSuccess()) {
                    token.get().onSuccess();
                } else {
                    token.get().onIgnore();
                }
            });
            return call;
        });
    }

    @Override
    public int limit() {
        return limiter.getLimit();
    }
}
