/**
 * JMH benchmarks that compare nettyjobs with the raw Netty event loop and with a hand-written
 * lock-based tracker, and an HTTP load harness that compares the atomic route with a plain handler.
 */
package io.github.nettyjobs.benchmarks;
