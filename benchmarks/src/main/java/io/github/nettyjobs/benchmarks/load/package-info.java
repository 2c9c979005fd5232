/**
 * The load harness: the atomic handler against a plain Netty handler over real sockets, with the
 * protocols it speaks and the load generators that drive it.
 */
package io.github.nettyjobs.benchmarks.load;
