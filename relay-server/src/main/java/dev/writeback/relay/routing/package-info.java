/**
 * Requests in flight: choosing an agent, sealed bytes only, and {@link dev.writeback.relay.routing.InFlight},
 * the one place that decides whether a request can have been applied. No plaintext request enters this package.
 */
package dev.writeback.relay.routing;
