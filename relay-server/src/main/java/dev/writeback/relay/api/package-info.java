/** The relay's HTTP surface: the tenant REST API, agent registration, health, readiness and metrics. */
package dev.writeback.relay.api;
