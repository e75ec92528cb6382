package dev.writeback.protocol;

/**
 * The health of one directory as an agent reports it in a heartbeat.
 *
 * @param name configured directory name
 * @param type {@code active-directory}, {@code ldap} or {@code embedded}
 * @param reachable whether the agent reached a server at the last check
 * @param server the server in use (host:port), empty when none
 * @param latencyMillis round trip of the last check, -1 when unreachable
 * @param historyEnforcedOnReset whether resets carry the policy-hints control
 * @param problem what is wrong, empty when healthy
 * @param passwordPolicy the directory's password policy in one line (e.g. {@code minLength=8 history=5 ...}),
 *                       empty when the agent reads none
 */
public record DirectoryStatus(String name, String type, boolean reachable, String server, long latencyMillis,
                              boolean historyEnforcedOnReset, String problem, String passwordPolicy) {
    public DirectoryStatus {
        Bytes.checkString(name, "name");
        Bytes.checkString(type, "type");
        Bytes.checkString(server, "server");
        Bytes.checkString(problem, "problem");
        Bytes.checkString(passwordPolicy, "passwordPolicy");
    }

    /** A status without a password policy. */
    public DirectoryStatus(String name, String type, boolean reachable, String server, long latencyMillis,
                           boolean historyEnforcedOnReset, String problem) {
        this(name, type, reachable, server, latencyMillis, historyEnforcedOnReset, problem, "");
    }
}
