/**
 * Reliability suites of nettyjobs: a randomized model-based test of the scheduler, concurrency
 * storms, a small-heap soak and reachability checks; their sizes come from system properties
 * read by {@link io.github.nettyjobs.reliability.StressKnobs}.
 */
package io.github.nettyjobs.reliability;
