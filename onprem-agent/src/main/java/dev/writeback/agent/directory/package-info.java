/** The agent's directory layer: finds the account an anchor names and resets, changes or unlocks its password in AD or LDAP. */
package dev.writeback.agent.directory;
