/**
 * nettyjobs for Netty HTTP servers, an adapter over {@link io.github.nettyjobs.channel}:
 * {@link io.github.nettyjobs.http.HttpJobs} runs whole HTTP/1.1 requests (and HTTP/2 streams
 * converted to HTTP/1.1 objects) as jobs that outlive their client, with HTTP's answers to what goes
 * wrong.
 */
package io.github.nettyjobs.http;
