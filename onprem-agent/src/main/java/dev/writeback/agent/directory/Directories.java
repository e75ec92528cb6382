package dev.writeback.agent.directory;

import static java.util.Objects.requireNonNull;

import dev.writeback.protocol.Anchor;
import dev.writeback.protocol.Operation;
import dev.writeback.protocol.Outcome;
import dev.writeback.protocol.ResultCode;
import dev.writeback.protocol.Secret;
import dev.writeback.protocol.time.Scheduler;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * All directories configured in one agent; routes each operation to the directory that holds the anchor.
 *
 * <p>Event ids logged by this package and {@code dev.writeback.agent.embedded}:
 * <pre>
 * DIR-100 INFO  directory opened (one line per directory, no secrets)
 * DIR-101 WARN  server lists no policy-hints control (2239/2066): resets will not enforce password history
 * DIR-102 INFO  PDC emulator found and preferred
 * DIR-103 WARN  PDC emulator lookup failed; configured URL order is used
 * DIR-104 WARN  directory not reachable at startup (the agent keeps trying)
 * DIR-105 WARN  the service account's bind was refused (wrong bind password, locked/disabled account), naming bindDn
 * DIR-110 WARN  directory became unreachable (background health check)
 * DIR-111 INFO  directory reachable again
 * DIR-120 INFO  directories closed
 * DIR-200 INFO  reset applied
 * DIR-201 INFO  change applied
 * DIR-202 INFO  unlock applied
 * DIR-203 INFO  lookup answered (account state and counts of contact values, never the values)
 * DIR-210 INFO  operation refused (not found, multiple matches, protected, disabled, wrong password, policy)
 * DIR-220 WARN  operation failed (access denied, directory unavailable, outcome unknown, internal error)
 * DIR-230 WARN  anchor found in more than one directory
 * DIR-300 INFO  embedded directory started (ports, data dir, certificate fingerprint)
 * DIR-301 INFO  embedded directory stopped
 * DIR-302 INFO  embedded directory loaded its entries from disk
 * DIR-303 INFO  embedded directory seeded from LDIF (first start)
 * DIR-310 WARN  embedded directory could not save its entries
 * </pre>
 */
public final class Directories implements AutoCloseable {
    private static final Logger logger = LoggerFactory.getLogger(Directories.class);
    private static final Duration HEALTH_INTERVAL = Duration.ofSeconds(30);

    private final List<OpenDirectory> directories;
    private final ScheduledExecutorService ownExecutor;
    private final Scheduler.Cancellable healthChecks;
    private final Clock clock;
    private volatile List<DirectoryHealth> health;

    private Directories(List<OpenDirectory> directories, Clock clock, Scheduler scheduler, Duration healthInterval) {
        this.directories = List.copyOf(directories);
        this.clock = clock;
        this.health = List.of();
        refreshHealth();
        if (scheduler == null) {
            this.ownExecutor = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "directory-health");
                t.setDaemon(true);
                return t;
            });
            scheduler = Scheduler.of(ownExecutor);
        } else {
            this.ownExecutor = null;
        }
        this.healthChecks = scheduler.repeat(this::refreshHealthQuietly, healthInterval, healthInterval);
    }

    /** Starts embedded servers and builds pools; a DC that is down is reported in {@link #health()}, not thrown. */
    public static Directories open(List<DirectoryConfig> configs, Path stateDir) throws DirectoryConfigException {
        return open(configs, stateDir, Clock.systemUTC(), null, HEALTH_INTERVAL, System::getenv);
    }

    /** As {@link #open(List, Path)} with the agent's clock and environment (bind passwords from variables). */
    public static Directories open(List<DirectoryConfig> configs, Path stateDir, Clock clock,
                                   Function<String, String> environment) throws DirectoryConfigException {
        return open(configs, stateDir, clock, null, HEALTH_INTERVAL, environment);
    }

    /**
     * As {@link #open(List, Path)} with the clock, the scheduler of the health checks (null for a thread of their
     * own), their interval and the environment lookup injected.
     */
    static Directories open(List<DirectoryConfig> configs, Path stateDir, Clock clock, Scheduler scheduler,
                            Duration healthInterval, Function<String, String> environment) throws DirectoryConfigException {
        requireNonNull(configs, "configs");
        requireNonNull(stateDir, "stateDir");
        var names = new HashSet<String>();
        for (int i = 0; i < configs.size(); i++) {
            configs.get(i).validate(i);
            if (!names.add(configs.get(i).name())) {
                throw new DirectoryConfigException("directories[" + i + "].name: " + configs.get(i).name()
                        + " (expected: unique; already used)");
            }
        }
        var opened = new ArrayList<OpenDirectory>();
        try {
            for (int i = 0; i < configs.size(); i++) {
                opened.add(OpenDirectory.open(configs.get(i), i, stateDir, clock, healthInterval, environment));
            }
        } catch (DirectoryConfigException | RuntimeException e) {
            opened.forEach(OpenDirectory::close);
            throw e;
        }
        return new Directories(opened, clock, scheduler, healthInterval);
    }

    /** Sets a new password without the old one; optionally unlocks and requires a change at next logon. */
    public Outcome reset(Anchor anchor, Secret newPassword, boolean unlock, boolean forceChangeAtNextLogon) {
        requireNonNull(anchor, "anchor");
        requireNonNull(newPassword, "newPassword");
        return route(Operation.RESET, anchor, w -> w.reset(anchor, newPassword, unlock, forceChangeAtNextLogon));
    }

    /** Changes the password when the user knows the current one (works for expired and must-change users). */
    public Outcome change(Anchor anchor, Secret currentPassword, Secret newPassword) {
        requireNonNull(anchor, "anchor");
        requireNonNull(currentPassword, "currentPassword");
        requireNonNull(newPassword, "newPassword");
        return route(Operation.CHANGE, anchor, w -> w.change(anchor, currentPassword, newPassword));
    }

    /** Unlocks the account without touching its password. */
    public Outcome unlock(Anchor anchor) {
        requireNonNull(anchor, "anchor");
        return route(Operation.UNLOCK, anchor, w -> w.unlock(anchor));
    }

    /**
     * LOOKUP: the account a typed id names. With several directories each one is asked; exactly one SUCCESS
     * answers, two are MULTIPLE_MATCHES, none is USER_NOT_FOUND unless a directory failed (then its failure, as the
     * account may be in the one that could not answer).
     */
    public Outcome lookup(String userId) {
        requireNonNull(userId, "userId");
        if (directories.size() == 1) {
            return directories.get(0).writer().lookup(userId);
        }
        long start = clock.millis();
        Outcome found = null;
        Outcome failure = null;
        for (OpenDirectory directory : directories) {
            Outcome o = directory.writer().lookup(userId);
            if (o.succeeded()) {
                if (found != null) {
                    logger.warn("DIR-230 anchor found in more than one directory operation=lookup directories={}",
                            List.of(found.directory(), o.directory()));
                    return refused(Operation.LOOKUP, new DirectoryException(ResultCode.MULTIPLE_MATCHES,
                            "typed id found in directories " + found.directory() + " and " + o.directory()), "", start);
                }
                found = o;
            } else if (o.code() != ResultCode.USER_NOT_FOUND && o.code() != ResultCode.NOT_SUPPORTED && failure == null) {
                failure = o;
            }
        }
        if (found != null) {
            return found;
        }
        return failure != null ? failure : refused(Operation.LOOKUP, new DirectoryException(ResultCode.USER_NOT_FOUND,
                "typed id: not found in any directory"), "", start);
    }

    /** The state of each directory as of the last background check; cheap. */
    public List<DirectoryHealth> health() {
        return health;
    }

    /** One line per directory for the startup log; no secrets. */
    public List<String> describe() {
        return directories.stream().map(OpenDirectory::describe).toList();
    }

    /** Stops health checks, closes pools and stops embedded directories. */
    @Override
    public void close() {
        healthChecks.cancel();
        if (ownExecutor != null) {
            ownExecutor.shutdownNow();
        }
        directories.forEach(OpenDirectory::close);
        logger.info("DIR-120 directories closed count={}", directories.size());
    }

    /**
     * Tells {@code listener} of every password this agent sets or changes in the directory {@code name} (hash sync's
     * "writeback itself" source). False when that directory is not an Active Directory or embedded one.
     */
    public boolean onPasswordSet(String name, PasswordSetListener listener) {
        for (OpenDirectory d : directories) {
            if (d.name().equals(name) && d.writer() instanceof ActiveDirectoryWriter ad) {
                ad.onPasswordSet(listener);
                return true;
            }
        }
        return false;
    }

    /** The embedded directory behind {@code name}, for tests, the demo and the benchmark; null when it is not embedded. */
    public dev.writeback.agent.embedded.EmbeddedDirectory embedded(String name) {
        return directories.stream().filter(d -> d.name().equals(name)).findFirst()
                .map(OpenDirectory::embedded).orElse(null);
    }

    /** Runs the health check now (the background task calls this every interval). */
    /** A scheduled check: one that throws is logged, and the next runs as planned. */
    private void refreshHealthQuietly() {
        try {
            refreshHealth();
        } catch (RuntimeException e) {
            logger.warn("DIR-112 directory health check failed: {}", e.toString());
        }
    }

    void refreshHealth() {
        Map<String, DirectoryHealth> previous = health.stream()
                .collect(Collectors.toMap(DirectoryHealth::name, h -> h));
        var next = new ArrayList<DirectoryHealth>();
        for (OpenDirectory directory : directories) {
            DirectoryHealth now = directory.writer().checkHealth();
            DirectoryHealth before = previous.get(now.name());
            if (!now.reachable() && now.problem().startsWith(Operations.BIND_REFUSED)
                    && (before == null || !before.problem().equals(now.problem()))) {
                logger.warn("DIR-105 directory {} directory={} problem={}", Operations.BIND_REFUSED, now.name(), now.problem());
            } else if (before == null && !now.reachable()) {
                logger.warn("DIR-104 directory not reachable at startup directory={} problem={}", now.name(), now.problem());
            } else if (before != null && before.reachable() && !now.reachable()) {
                logger.warn("DIR-110 directory unreachable directory={} problem={}", now.name(), now.problem());
            } else if (before != null && !before.reachable() && now.reachable()) {
                logger.info("DIR-111 directory reachable again directory={} server={}", now.name(), now.server());
            }
            next.add(now);
        }
        health = List.copyOf(next);
    }

    private Outcome route(Operation operation, Anchor anchor, Function<PasswordWriter, Outcome> action) {
        if (directories.size() == 1) {
            return action.apply(directories.get(0).writer());
        }
        long start = clock.millis();
        var holders = new ArrayList<OpenDirectory>();
        DirectoryException unavailable = null;
        for (OpenDirectory directory : directories) {
            try {
                if (directory.writer().locate(anchor).isPresent()) {
                    holders.add(directory);
                }
            } catch (DirectoryException e) {
                if (e.code() == ResultCode.MULTIPLE_MATCHES) {
                    return refused(operation, e, directory.name(), start);
                }
                unavailable = e;
            }
        }
        if (holders.size() == 1) {
            return action.apply(holders.get(0).writer());
        }
        if (holders.size() > 1) {
            List<String> names = holders.stream().map(OpenDirectory::name).toList();
            logger.warn("DIR-230 anchor found in more than one directory operation={} directories={}", operation, names);
            return refused(operation, new DirectoryException(ResultCode.MULTIPLE_MATCHES,
                    "anchor found in directories " + names), "", start);
        }
        if (unavailable != null) {
            return refused(operation, unavailable, "", start);   // the account may be in the one we cannot reach
        }
        return refused(operation, new DirectoryException(ResultCode.USER_NOT_FOUND,
                "anchor " + anchor.type() + ": not found in any directory"), "", start);
    }

    private Outcome refused(Operation operation, DirectoryException e, String directory, long start) {
        long millis = Math.max(0, clock.millis() - start);
        logger.info("DIR-210 {} refused directory={} code={} millis={} diagnostic={}", Operations.logName(operation),
                directory.isEmpty() ? "*" : directory, e.code(), millis, e.adminDiagnostic());
        return new Outcome(e.code(), e.reason(), e.userMessage(), e.adminDiagnostic(), directory, "", millis);
    }
}
