/**
 * An HTTP server that shows nettyjobs to a newcomer: background jobs spawned from requests, atomic
 * requests that outlive their client, job listings, a graceful shutdown that reports its work, and
 * a server that stays responsive under load (separate schedulers for cheap and long work, deadlines,
 * refusals with {@code 503}, and its meters at {@code GET /metrics}).
 */
package io.github.nettyjobs.example;
