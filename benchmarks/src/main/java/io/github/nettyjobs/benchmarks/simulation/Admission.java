package io.github.nettyjobs.benchmarks.simulation;

/** One way of letting the simulated requests in: a scheduler with some configuration, or a limiter in front of one. */
interface Admission {

    /** A request arrived now: admit it as a job that calls the downstream, or refuse it. */
    void arrive();

    /** Returns the limit in force now, or 0 for none. */
    int limit();

    /**
     * What the setups share: the virtual time, the downstream and the recorder of one run.
     *
     * @param time       the virtual time and its loop
     * @param downstream the simulated downstream
     * @param recorder   where outcomes go
     */
    record Context(VirtualTime time, Downstream downstream, Recorder recorder) {
    }
}
