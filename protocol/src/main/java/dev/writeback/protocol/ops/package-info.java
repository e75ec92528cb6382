/** Operations endpoints shared by relay and agent: the plain-HTTP metrics and readiness listener. */
package dev.writeback.protocol.ops;
