package dev.writeback.agent.directory;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import dev.writeback.protocol.AccountProfile;
import dev.writeback.protocol.Operation;
import dev.writeback.protocol.Outcome;
import dev.writeback.protocol.PolicyReason;
import dev.writeback.protocol.ResultCode;
import dev.writeback.protocol.UserMessages;
import java.time.Clock;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one operation on a pooled connection and turns whatever happens into an {@link Outcome} plus one log
 * line. A connection that turns out dead before anything was written is replaced and the operation tried once
 * more; once the write was sent, a lost connection is reported as OUTCOME_UNKNOWN, never retried.
 */
final class Operations {
    private static final Logger logger = LoggerFactory.getLogger(Operations.class);
    /** How a health problem caused by the service account's own bind starts (DIR-105, not "unreachable"). */
    static final String BIND_REFUSED = "service account bind refused";
    private static final java.util.regex.Pattern AD_DATA = java.util.regex.Pattern.compile("data ([0-9a-fA-F]{3,4})");

    /** Marks the moment the write leaves the agent. */
    interface Sent {
        void mark();
    }

    /** Lookup plus write on one connection. */
    interface Step {
        Applied apply(LDAPConnection connection, Sent sent) throws LDAPException, DirectoryException;
    }

    /** A read-only step. */
    interface Query<T> {
        T apply(LDAPConnection connection) throws LDAPException, DirectoryException;
    }

    private final String directory;
    private final DirectoryPool pool;
    private final Clock clock;

    Operations(String directory, DirectoryPool pool, Clock clock) {
        this.directory = directory;
        this.pool = pool;
        this.clock = clock;
    }

    Outcome run(Operation operation, Step step) {
        long start = clock.millis();
        String server = "";
        DirectoryException failure = null;
        for (int attempt = 0; attempt < 2 && failure == null; attempt++) {
            LDAPConnection connection;
            try {
                connection = pool.checkout();
            } catch (LDAPException e) {
                failure = new DirectoryException(ResultCode.DIRECTORY_UNAVAILABLE, PolicyReason.NONE, unavailable(e), e);
                break;
            }
            server = DirectoryPool.serverOf(connection);
            boolean[] sent = {false};
            try {
                Applied applied = step.apply(connection, () -> sent[0] = true);
                pool.release(connection);
                return succeeded(operation, applied, server, start);
            } catch (DirectoryException e) {
                releaseAfter(connection, e.code() != ResultCode.OUTCOME_UNKNOWN);
                failure = e;
            } catch (LDAPException e) {
                boolean usable = e.getResultCode().isConnectionUsable();
                releaseAfter(connection, usable);
                if (!usable && !sent[0] && attempt == 0) {
                    continue;   // a stale pooled connection: nothing was written, try a fresh one
                }
                AdErrors.Classified c = AdErrors.classify(e);
                failure = !usable && sent[0] ? unknown(e)
                        : new DirectoryException(c.code(), c.reason(), diagnostic(e), e);
            } catch (RuntimeException e) {
                releaseAfter(connection, false);
                failure = new DirectoryException(ResultCode.INTERNAL_ERROR, PolicyReason.NONE,
                        e.getClass().getSimpleName() + ": " + e.getMessage(), e);
            }
        }
        return failed(operation, failure, server, start);
    }

    /**
     * A read-only operation (LOOKUP): one try on a pooled connection, nothing written, so a stale connection is
     * simply reported as DIRECTORY_UNAVAILABLE. The log line names no contact data.
     */
    Outcome read(Operation operation, Query<AccountProfile> query) {
        long start = clock.millis();
        LDAPConnection connection;
        try {
            connection = pool.checkout();
        } catch (LDAPException e) {
            return failed(operation, new DirectoryException(ResultCode.DIRECTORY_UNAVAILABLE, PolicyReason.NONE,
                    diagnostic(e), e), "", start);
        }
        String server = DirectoryPool.serverOf(connection);
        try {
            AccountProfile profile = query.apply(connection);
            pool.release(connection);
            long millis = Math.max(0, clock.millis() - start);
            logger.info("DIR-203 {} answered directory={} server={} {} millis={}", logName(operation), directory, server,
                    profile, millis);
            return new Outcome(ResultCode.SUCCESS, PolicyReason.NONE, "", "", directory, server, millis,
                    Optional.of(profile));
        } catch (DirectoryException e) {
            pool.release(connection);
            return failed(operation, e, server, start);
        } catch (LDAPException e) {
            releaseAfter(connection, e.getResultCode().isConnectionUsable());
            AdErrors.Classified c = AdErrors.classify(e);
            return failed(operation, new DirectoryException(c.code(), PolicyReason.NONE, diagnostic(e), e), server, start);
        } catch (RuntimeException e) {
            releaseAfter(connection, false);
            return failed(operation, new DirectoryException(ResultCode.INTERNAL_ERROR, PolicyReason.NONE,
                    e.getClass().getSimpleName() + ": " + e.getMessage(), e), server, start);
        }
    }

    <T> Optional<T> locate(Query<Optional<T>> query) throws DirectoryException {
        LDAPConnection connection;
        try {
            connection = pool.checkout();
        } catch (LDAPException e) {
            throw new DirectoryException(ResultCode.DIRECTORY_UNAVAILABLE, PolicyReason.NONE, unavailable(e), e);
        }
        try {
            Optional<T> result = query.apply(connection);
            pool.release(connection);
            return result;
        } catch (LDAPException e) {
            releaseAfter(connection, e.getResultCode().isConnectionUsable());
            AdErrors.Classified c = AdErrors.classify(e);
            throw new DirectoryException(c.code(), c.reason(), diagnostic(e), e);
        } catch (DirectoryException e) {
            pool.release(connection);
            throw e;
        }
    }

    DirectoryHealth checkHealth(String type) {
        long start = clock.millis();
        LDAPConnection connection = null;
        try {
            connection = pool.checkout();
            connection.getRootDSE();
            long latency = clock.millis() - start;
            String server = DirectoryPool.serverOf(connection);
            pool.policyHints(connection);
            pool.release(connection);
            return new DirectoryHealth(directory, type, true, server, latency, pool.historyEnforcedOnReset(server), "");
        } catch (LDAPException e) {
            if (connection != null) {
                releaseAfter(connection, e.getResultCode().isConnectionUsable());
            }
            return new DirectoryHealth(directory, type, false, "", -1, false, unavailable(e));
        }
    }

    /**
     * Why no pooled connection could be had: the service account's bind was refused (wrong bind password, or an AD
     * account that is locked, disabled or expired; names the bind DN), or no server answered.
     */
    String unavailable(LDAPException e) {
        if (e.getResultCode() != com.unboundid.ldap.sdk.ResultCode.INVALID_CREDENTIALS) {
            return "no server reachable: " + diagnostic(e);
        }
        var data = AD_DATA.matcher(String.valueOf(e.getDiagnosticMessage()));
        String why = !data.find() ? "wrong bind password (or the account cannot bind)" : switch (data.group(1).toLowerCase(java.util.Locale.ROOT)) {
            case "52e" -> "wrong bind password";
            case "525" -> "no such account";
            case "530", "531" -> "not allowed to log on now or from here";
            case "532" -> "password expired";
            case "533" -> "account disabled";
            case "701" -> "account expired";
            case "773" -> "password must be changed";
            case "775" -> "account locked out";
            default -> "credentials refused (AD data " + data.group(1) + ")";
        };
        return BIND_REFUSED + " for bindDn " + pool.bindDn() + ": " + why + "; fix the directory's bindDn /"
                + " bindPassword (file or env) in agent.yaml, then restart: " + diagnostic(e);
    }

    private void releaseAfter(LDAPConnection connection, boolean usable) {
        if (usable) {
            pool.release(connection);
        } else {
            pool.releaseDefunct(connection);
        }
    }

    private Outcome succeeded(Operation operation, Applied applied, String server, long start) {
        long millis = Math.max(0, clock.millis() - start);
        logger.info("DIR-2{} {} applied directory={} server={} dn={} millis={}{}", eventSuffix(operation), logName(operation),
                directory, server, applied.dn(), millis, applied.detail().isEmpty() ? "" : " " + applied.detail());
        return new Outcome(ResultCode.SUCCESS, PolicyReason.NONE, UserMessages.success(operation), "dn=" + applied.dn(),
                directory, server, millis);
    }

    private Outcome failed(Operation operation, DirectoryException e, String server, long start) {
        long millis = Math.max(0, clock.millis() - start);
        if (e.code().httpStatus() == 422 && e.code() != ResultCode.ACCESS_DENIED) {
            logger.info("DIR-210 {} refused directory={} server={} code={} reason={} millis={} diagnostic={}",
                    logName(operation), directory, server, e.code(), e.reason(), millis, e.adminDiagnostic());
        } else {
            logger.warn("DIR-220 {} failed directory={} server={} code={} millis={} diagnostic={}",
                    logName(operation), directory, server, e.code(), millis, e.adminDiagnostic());
        }
        return new Outcome(e.code(), e.reason(), e.userMessage(), e.adminDiagnostic(), directory, server, millis);
    }

    private static String eventSuffix(Operation operation) {
        return switch (operation) {
            case RESET -> "00";
            case CHANGE -> "01";
            case UNLOCK -> "02";
            case LOOKUP -> "03";
        };
    }

    /** The operation as log lines name it: {@code reset}, {@code change}, {@code unlock}, {@code lookup}. */
    static String logName(Operation operation) {
        return operation.name().toLowerCase(java.util.Locale.ROOT);
    }

    static DirectoryException unknown(LDAPException e) {
        return new DirectoryException(ResultCode.OUTCOME_UNKNOWN, PolicyReason.NONE,
                "connection lost after the write was sent: " + diagnostic(e), e);
    }

    /** The LDAP result code and the server's diagnostic; LDAP diagnostics never carry the password. */
    static String diagnostic(LDAPException e) {
        String text = e.getDiagnosticMessage() != null ? e.getDiagnosticMessage() : e.getExceptionMessage();
        return "rc=" + e.getResultCode().intValue() + " (" + e.getResultCode().getName() + ") " + (text == null ? "" : text.strip());
    }
}
