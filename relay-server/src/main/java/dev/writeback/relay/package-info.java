/** The relay: server lifecycle, configuration and command line. */
package dev.writeback.relay;
