/**
 * The overload simulation: schedulers with fixed and adaptive limits, and Netflix's
 * concurrency-limits, in front of a simulated downstream whose capacity changes, on the same
 * arrivals, in virtual time.
 */
package io.github.nettyjobs.benchmarks.simulation;
