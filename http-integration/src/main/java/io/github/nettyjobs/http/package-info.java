/**
 * nettyjobs for Netty HTTP servers: a {@link io.github.nettyjobs.http.JobsHandler} binds each channel
 * to a scheduler, {@link io.github.nettyjobs.http.HttpJobs} spawns jobs from handlers and runs whole
 * requests as jobs that outlive their client.
 */
package io.github.nettyjobs.http;
