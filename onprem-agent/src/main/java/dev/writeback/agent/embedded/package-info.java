/** An embedded, loopback-only directory that behaves like Active Directory for passwords, for the demo and tests. */
package dev.writeback.agent.embedded;
