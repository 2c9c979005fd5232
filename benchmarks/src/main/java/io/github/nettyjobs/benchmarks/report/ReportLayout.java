package io.github.nettyjobs.benchmarks.report;

import java.util.List;

/**
 * What the report shows, row by row. A benchmark added to a class reaches the report through one
 * line here: a variant of {@code spawnPromise} (a scheduler option, a listener, a decorator) is one
 * {@link #SPAWN_VARIANTS} row, shown as its ratio to {@code spawnPromise} of the same run.
 *
 * <p>Benchmarks are named by {@link ScoredBenchmark#key()}: {@code Class.method}, with
 * {@code [param=value]} for parameterised ones.
 */
final class ReportLayout {

    /**
     * A benchmark and the baseline its ratio is taken to.
     *
     * @param benchmark the benchmark's key
     * @param baseline  the baseline's key; {@code null} for a baseline itself
     * @param note      what one operation is, for the reader
     */
    record Row(String benchmark, String baseline, String note) {
    }

    /**
     * A ratio with a goal.
     *
     * @param label     what the ratio is
     * @param benchmark the numerator's key
     * @param baseline  the denominator's key
     * @param atLeast   {@code true}: the ratio must be at least {@code goal}; {@code false}: at most
     * @param goal      the goal
     */
    record Target(String label, String benchmark, String baseline, boolean atLeast, double goal) {

        boolean isMet(double ratio) {
            return atLeast ? ratio >= goal : ratio <= goal;
        }

        String describeGoal() {
            return (atLeast ? "≥ " : "≤ ") + goal;
        }
    }

    /** Throughput against the raw event loop of the same run (operations per µs, higher is better). */
    static final List<Row> THROUGHPUT = List.of(
            new Row("SpawnBenchmark.floorTask[loop=nio]", null,
                    "call a task returning a completed future, listen to it"),
            new Row("SpawnBenchmark.floorPromise[loop=nio]", null, "newPromise, listen, setSuccess"),
            new Row("SpawnBenchmark.floorPromiseTimer[loop=nio]", "SpawnBenchmark.floorPromise[loop=nio]",
                    "`floorPromise` with a timer scheduled and cancelled: the floor of a deadline per job"),
            new Row("SpawnBenchmark.lockBasedTask[loop=nio]", "SpawnBenchmark.floorTask[loop=nio]",
                    "completed task, tracked by hand"),
            new Row("SpawnBenchmark.lockBasedPromise[loop=nio]", "SpawnBenchmark.floorPromise[loop=nio]",
                    "promise task, tracked by hand"),
            new Row("SpawnBenchmark.lockBasedPending[loop=nio]", "SpawnBenchmark.floorPromise[loop=nio]",
                    "per job, 99 % of them queued first"),
            new Row("SpawnBenchmark.spawnTask[loop=nio]", "SpawnBenchmark.floorTask[loop=nio]",
                    "spawn a completed task"),
            new Row("SpawnBenchmark.spawnPromise[loop=nio]", "SpawnBenchmark.floorPromise[loop=nio]",
                    "spawn a promise task, complete it"),
            new Row("SpawnBenchmark.spawnRefused[loop=nio]", "SpawnBenchmark.spawnTask[loop=nio]",
                    "spawn refused at once: `rejectWhenFull`, slots and pending queue full"),
            new Row("SpawnBenchmark.spawnPending[loop=nio]", "SpawnBenchmark.floorPromise[loop=nio]",
                    "per job, 99 % of them pending first"),
            new Row("SpawnBenchmark.shield[loop=nio]", "SpawnBenchmark.floorPromise[loop=nio]",
                    "shield a promise, listen, complete it"),
            new Row("HopBenchmark.floorHop[loop=default]", null, "loop.execute from another thread"),
            new Row("HopBenchmark.lockBasedHop[loop=default]", "HopBenchmark.floorHop[loop=default]",
                    "loop.submit, tracked by hand"),
            new Row("HopBenchmark.spawnHop[loop=default]", "HopBenchmark.floorHop[loop=default]",
                    "spawn from another thread"),
            new Row("HopBenchmark.floorHop[loop=nio]", null, "loop.execute from another thread"),
            new Row("HopBenchmark.lockBasedHop[loop=nio]", "HopBenchmark.floorHop[loop=nio]",
                    "loop.submit, tracked by hand"),
            new Row("HopBenchmark.spawnHop[loop=nio]", "HopBenchmark.floorHop[loop=nio]", "spawn from another thread"));

    /** Variants of {@code spawnPromise}: the cost of an option, as a ratio to plain {@code spawnPromise}. */
    static final List<Row> SPAWN_VARIANTS = List.of(
            new Row("SpawnBenchmark.spawnPromiseDebug[loop=nio]", "SpawnBenchmark.spawnPromise[loop=nio]",
                    "`debug(true)`: the stack at every spawn"),
            new Row("SpawnBenchmark.spawnPromiseListener[loop=nio]", "SpawnBenchmark.spawnPromise[loop=nio]",
                    "a listener that does nothing: clock reads and calls"),
            new Row("SpawnBenchmark.spawnPromiseJobTimeout[loop=nio]", "SpawnBenchmark.spawnPromise[loop=nio]",
                    "`jobTimeout(1 h)`: a timer scheduled and cancelled per job"),
            new Row("SpawnBenchmark.spawnPromiseDecorator[loop=nio]", "SpawnBenchmark.spawnPromise[loop=nio]",
                    "a task decorator that wraps nothing"));

    /** The goals of the same run's ratios. */
    static final List<Target> TARGETS = List.of(
            new Target("`spawnPromise` / `floorPromise`", "SpawnBenchmark.spawnPromise[loop=nio]",
                    "SpawnBenchmark.floorPromise[loop=nio]", true, 0.65),
            new Target("`spawnTask` / `floorTask`", "SpawnBenchmark.spawnTask[loop=nio]",
                    "SpawnBenchmark.floorTask[loop=nio]", true, 0.35),
            new Target("`spawnRefused` / `spawnTask` (at most 1.5x the cost)", "SpawnBenchmark.spawnRefused[loop=nio]",
                    "SpawnBenchmark.spawnTask[loop=nio]", true, 0.67),
            new Target("`spawnPending` / `floorPromise`", "SpawnBenchmark.spawnPending[loop=nio]",
                    "SpawnBenchmark.floorPromise[loop=nio]", true, 0.45),
            new Target("`spawnTask` / `lockBasedTask`", "SpawnBenchmark.spawnTask[loop=nio]",
                    "SpawnBenchmark.lockBasedTask[loop=nio]", true, 1.5),
            new Target("`spawnPromise` / `lockBasedPromise`", "SpawnBenchmark.spawnPromise[loop=nio]",
                    "SpawnBenchmark.lockBasedPromise[loop=nio]", true, 1.5),
            new Target("`spawnPending` / `lockBasedPending`", "SpawnBenchmark.spawnPending[loop=nio]",
                    "SpawnBenchmark.lockBasedPending[loop=nio]", true, 1.5),
            new Target("`spawnHop` / `lockBasedHop`, NIO loop", "HopBenchmark.spawnHop[loop=nio]",
                    "HopBenchmark.lockBasedHop[loop=nio]", true, 1.5),
            new Target("`spawnHop` / `lockBasedHop`, `DefaultEventLoop`", "HopBenchmark.spawnHop[loop=default]",
                    "HopBenchmark.lockBasedHop[loop=default]", true, 1.5),
            new Target("`close` / `cancelPromises`, 100 000 jobs (time)", "CloseBenchmark.close[jobs=100000]",
                    "CloseBenchmark.cancelPromises[jobs=100000]", false, 1.5));

    /** Spawn paths whose allocation must stay within the floor's plus what a spawn must create. */
    static final List<Row> ALLOCATION_BUDGET = List.of(
            new Row("SpawnBenchmark.spawnTask[loop=nio]", "SpawnBenchmark.floorTask[loop=nio]", null),
            new Row("SpawnBenchmark.spawnPromise[loop=nio]", "SpawnBenchmark.floorPromise[loop=nio]", null),
            new Row("SpawnBenchmark.spawnPending[loop=nio]", "SpawnBenchmark.floorPromise[loop=nio]", null));

    /** The {@code jobs} values of the scaling benchmarks. */
    static final List<Integer> JOBS = List.of(1_000, 10_000, 100_000, 1_000_000);

    /**
     * A method of a scaling benchmark (parameter {@code jobs}) and the method of its baseline on bare
     * promises, in the same class.
     *
     * @param method   the nettyjobs method
     * @param baseline the baseline method
     */
    record Scaling(String method, String baseline) {
    }

    /** Ending many jobs (time per invocation), in {@code CloseBenchmark}. */
    static final List<Scaling> CLOSE_SCALING = List.of(
            new Scaling("close", "cancelPromises"),
            new Scaling("waitAndClose", "completePromises"));

    /** Spawning many jobs (time per invocation), in {@code SpawnScalingBenchmark}. */
    static final List<Scaling> SPAWN_SCALING = List.of(
            new Scaling("spawnActive", "floorPromises"));

    private ReportLayout() {
    }
}
