/** Tests of the agent's {@code type: ldap} writer against a real OpenLDAP slapd with the ppolicy overlay on loopback. */
package dev.writeback.systemtests.openldap;
