/**
 * JMH benchmarks that compare nettyjobs with the raw Netty event loop and with a hand-written
 * lock-based tracker, a load harness that compares the atomic handler with a plain handler, and the
 * report tool that runs them and writes their tables and charts.
 */
package io.github.nettyjobs.benchmarks;
