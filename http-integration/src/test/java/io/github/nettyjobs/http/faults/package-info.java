/**
 * HTTP fault suites of nettyjobs on a real socket: vanishing and slow clients, pipelined bursts,
 * malformed and oversized requests, and shutdown under load, all under paranoid leak detection.
 */
package io.github.nettyjobs.http.faults;
