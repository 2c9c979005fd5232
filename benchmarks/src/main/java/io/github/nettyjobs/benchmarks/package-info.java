/**
 * What the benchmarks' packages share: {@link io.github.nettyjobs.benchmarks.SchedulerClocks}, the
 * clock a measured scheduler reads.
 */
package io.github.nettyjobs.benchmarks;
