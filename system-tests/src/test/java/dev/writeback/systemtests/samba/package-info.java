/** Tests of the agent's directory layer against a real Samba AD domain controller on loopback. */
package dev.writeback.systemtests.samba;
