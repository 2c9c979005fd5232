package io.github.nettyjobs.benchmarks.load;

import io.netty.channel.ChannelPipeline;

import java.net.InetSocketAddress;

/**
 * What the load harness needs of a protocol: the server pipeline of each route, and the client side
 * of a closed-loop connection. The harness binds both routes, adds the {@code JobsHandler} in front
 * of the atomic route and the exception handler at the end, and drives the load; a protocol only
 * frames its messages and answers. {@link LoadHarness#protocol(String)} names the protocols.
 */
interface LoadProtocol {

    /** The two routes the harness compares. */
    enum Route {
        /** A plain Netty handler that answers at once: the baseline. */
        PLAIN,
        /** The same answer from nettyjobs' atomic handler, each request a job. */
        ATOMIC;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The name of {@code --protocol}. */
    String name();

    /**
     * Adds the server's codec and the route's handler to a new connection's pipeline.
     *
     * @param pipeline the pipeline of an accepted connection
     * @param route    which route the server serves
     */
    void initServer(ChannelPipeline pipeline, Route route);

    /**
     * Adds the client's codec: each message that reaches the end of the pipeline is one complete
     * response.
     *
     * @param pipeline the pipeline of a client connection
     */
    void initClient(ChannelPipeline pipeline);

    /**
     * A new request.
     *
     * @param server the address the client is connected to
     * @return the message to write
     */
    Object newRequest(InetSocketAddress server);

    /**
     * Whether a response, as {@link #initClient} delivers it, is a success. The caller releases it.
     *
     * @param response one complete response
     * @return {@code false} to count it as an error
     */
    boolean isSuccess(Object response);

    /**
     * The URL {@code wrk} loads, or {@code null} if {@code wrk} cannot speak this protocol.
     *
     * @param server the route's address
     * @return the URL, or {@code null}
     */
    default String wrkUrl(InetSocketAddress server) {
        return null;
    }
}
