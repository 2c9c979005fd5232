/**
 * nettyjobs' core: a {@link io.github.nettyjobs.Scheduler} that keeps all of its state on one
 * Netty event loop and runs tasks returning Netty futures as managed {@link io.github.nettyjobs.Job jobs}.
 */
package io.github.nettyjobs;
