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

    /**
     * The heartbeat lines' {@code directories=} text, the same on both sides:
     * {@code corp:UP(dc1.corp.example:636 3ms),lab:DOWN(connection refused)}, or {@code -} for none. Every text
     * the agent sent is made log-safe (the relay logs what an agent reports).
     */
    public static String summary(java.util.List<DirectoryStatus> directories) {
        var text = new StringBuilder();
        for (var d : directories) {
            text.append(text.length() == 0 ? "" : ",").append(LogSafe.of(d.name(), 64)).append(':')
                    .append(d.reachable() ? "UP(" + LogSafe.of(d.server(), 255) + " " + d.latencyMillis() + "ms)"
                            : "DOWN(" + LogSafe.of(d.problem(), 255) + ")");
        }
        return text.length() == 0 ? "-" : text.toString();
    }
}
