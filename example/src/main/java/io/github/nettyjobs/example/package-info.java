/**
 * An HTTP server that shows nettyjobs to a newcomer: background jobs spawned from requests, atomic
 * requests that outlive their client, job listings, and a graceful shutdown that reports its work.
 */
package io.github.nettyjobs.example;
