/**
 * nettyjobs for Netty pipelines of any protocol, the counterpart of {@code aiojobs.aiohttp}: a
 * {@link io.github.nettyjobs.channel.JobsHandler} binds channels to schedulers,
 * {@link io.github.nettyjobs.channel.ChannelJobs} spawns and shields from handlers, and an
 * {@link io.github.nettyjobs.channel.AtomicHandler} runs each request as a job that outlives its client.
 */
package io.github.nettyjobs.channel;
