/** Requests in flight: choosing an agent, retrying what no agent accepted, deadlines and OUTCOME_UNKNOWN. */
package dev.writeback.relay.routing;
