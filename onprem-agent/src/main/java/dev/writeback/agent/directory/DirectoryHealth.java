package dev.writeback.agent.directory;

import static java.util.Objects.requireNonNull;

/**
 * The state of one configured directory, as reported in heartbeats and by {@code agent doctor}.
 *
 * @param name the directory's configured name
 * @param type {@code active-directory}, {@code ldap} or {@code embedded}
 * @param reachable whether the last health check reached a server
 * @param server the server (host:port) in use, empty when none is reachable
 * @param latencyMillis round trip of the last health check, -1 when unreachable
 * @param historyEnforcedOnReset whether resets carry the policy-hints control so password history applies
 * @param problem a short operator-facing description of what is wrong, empty when healthy
 * @param passwordPolicy the directory's password policy in one line ({@code minLength=8 history=5 ...}), empty
 *                       when the agent does not read one
 */
public record DirectoryHealth(String name, String type, boolean reachable, String server, long latencyMillis,
                              boolean historyEnforcedOnReset, String problem, String passwordPolicy) {
    public DirectoryHealth {
        requireNonNull(name, "name");
        requireNonNull(type, "type");
        requireNonNull(server, "server");
        requireNonNull(problem, "problem");
        requireNonNull(passwordPolicy, "passwordPolicy");
    }

    /** A health without a password policy. */
    public DirectoryHealth(String name, String type, boolean reachable, String server, long latencyMillis,
                           boolean historyEnforcedOnReset, String problem) {
        this(name, type, reachable, server, latencyMillis, historyEnforcedOnReset, problem, "");
    }
}
