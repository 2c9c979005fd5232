package io.github.nettyjobs.benchmarks.report;

import io.github.nettyjobs.Job;
import io.github.nettyjobs.Scheduler;
import io.netty.channel.DefaultEventLoop;
import io.netty.util.concurrent.Future;
import org.openjdk.jol.info.ClassLayout;
import org.openjdk.jol.vm.VM;

import java.io.PrintStream;
import java.util.concurrent.TimeUnit;

/** What one spawn allocates, laid out by JOL on this JVM. */
final class ObjectSizes {

    /**
     * The objects of one spawn on the scheduler's loop.
     *
     * @param jobClass    the job's class
     * @param job         the job's instance size in bytes
     * @param spawnFuture the instance size of the future {@code spawn} returns, {@code 0} when it is the job itself
     * @param layout      JOL's field-by-field layout of the job
     */
    record SpawnSizes(String jobClass, long job, long spawnFuture, String layout) {
    }

    private ObjectSizes() {
    }

    /** Spawns one job on a loop of its own and measures what it is made of. */
    static SpawnSizes ofSpawn() {
        // Class layouts need no agent: spare the attempt to attach one. JOL still notes on standard
        // output that it has none; keep that note out of the report, which may go there.
        if (System.getProperty("jol.skipDynamicAttach") == null) {
            System.setProperty("jol.skipDynamicAttach", "true");
        }
        PrintStream out = System.out;
        System.setOut(System.err);
        try {
            VM.current();
        } finally {
            System.setOut(out);
        }
        DefaultEventLoop loop = new DefaultEventLoop();
        try {
            Scheduler scheduler = Scheduler.create(loop);
            Future<Job<Integer>> spawned = loop.submit(() -> scheduler.spawn(() -> loop.newSucceededFuture(1)))
                    .syncUninterruptibly().getNow();
            Job<Integer> job = spawned.syncUninterruptibly().getNow();
            // From the class: no instance inspection, so JOL needs no agent attached to this JVM.
            ClassLayout layout = ClassLayout.parseClass(job.getClass());
            long futureSize = (Object) spawned == job ? 0 : ClassLayout.parseClass(spawned.getClass()).instanceSize();
            scheduler.close().syncUninterruptibly();
            return new SpawnSizes(job.getClass().getSimpleName(), layout.instanceSize(), futureSize,
                    layout.toPrintable());
        } finally {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
