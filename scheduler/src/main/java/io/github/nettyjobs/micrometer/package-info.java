/**
 * Micrometer metrics for nettyjobs schedulers: {@link io.github.nettyjobs.micrometer.SchedulerMetrics}.
 * Needs {@code io.micrometer:micrometer-core} on the class path, an optional dependency of the
 * scheduler jar; nothing else in the jar touches it.
 */
package io.github.nettyjobs.micrometer;
