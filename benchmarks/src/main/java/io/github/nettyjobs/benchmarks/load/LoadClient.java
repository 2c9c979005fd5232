package io.github.nettyjobs.benchmarks.load;

import java.net.InetSocketAddress;

/** A bounded, closed-loop load generator aimed at one loopback address. */
interface LoadClient {

    /** The name printed with results. */
    String name();

    /**
     * Warms the route up, then measures it.
     *
     * @param protocol the protocol the route speaks
     * @param route    the route's name, for the result
     * @param address  a loopback address
     * @param options  connections, durations, request bound
     * @param cpu      told when the measured phase starts and ends
     * @return the measured phase's figures
     * @throws Exception if the load cannot be run at all
     */
    LoadResult run(LoadProtocol protocol, String route, InetSocketAddress address, LoadOptions options,
                   ServerCpuMeter cpu) throws Exception;
}
