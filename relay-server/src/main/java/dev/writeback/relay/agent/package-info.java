/** Agent connections on the relay: authentication, live sessions, requests in flight and key rollover. */
package dev.writeback.relay.agent;
