/**
 * JMH benchmarks that compare nettyjobs with the raw Netty event loop and with a hand-written
 * lock-based tracker, and the base class that fixes their settings.
 */
package io.github.nettyjobs.benchmarks.jmh;
