/** The on-premises agent: lifecycle, configuration, registration, state and command line. */
package dev.writeback.agent;
