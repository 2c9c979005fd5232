/**
 * Concurrency limits that set themselves from the run times of a scheduler's jobs:
 * {@link io.github.nettyjobs.limit.LimitAlgorithm} and the built-in algorithms of
 * {@link io.github.nettyjobs.limit.Limits}.
 */
package io.github.nettyjobs.limit;
