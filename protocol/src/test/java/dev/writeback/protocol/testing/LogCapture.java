package dev.writeback.protocol.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Records every log event of the JVM while started, so a test can assert that no password reached the logs.
 * Attaches a Logback {@link ListAppender} to the root logger and lowers the root level to DEBUG until
 * {@link #stop()}. Use it in try-with-resources or from {@code @BeforeEach}/{@code @AfterEach}.
 */
public final class LogCapture implements AutoCloseable {
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private Level previousLevel;

    /** Starts recording and returns this capture. */
    public synchronized LogCapture start() {
        if (appender.isStarted()) {
            return this;
        }
        Logger root = root();
        previousLevel = root.getLevel();
        root.setLevel(Level.DEBUG);
        appender.setContext(root.getLoggerContext());
        appender.setName("log-capture-" + System.identityHashCode(this));
        appender.start();
        root.addAppender(appender);
        return this;
    }

    /** Stops recording and restores the root level; what was recorded stays readable. */
    public synchronized void stop() {
        if (!appender.isStarted()) {
            return;
        }
        Logger root = root();
        root.detachAppender(appender);
        root.setLevel(previousLevel);
        appender.stop();
    }

    /** Same as {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }

    /** A snapshot of the recorded events. */
    public List<ILoggingEvent> events() {
        synchronized (appender) {   // AppenderBase.doAppend holds this lock while it adds
            return new ArrayList<>(appender.list);
        }
    }

    /**
     * Everything recorded, one event per line: level, logger, formatted message, arguments, key-value pairs,
     * MDC, and the full stack trace text of any throwable (messages of causes included).
     */
    public String text() {
        var out = new StringBuilder();
        for (ILoggingEvent e : events()) {
            out.append(e.getLevel()).append(' ').append(e.getLoggerName()).append(" - ").append(e.getFormattedMessage());
            if (e.getArgumentArray() != null) {
                out.append(" args=").append(Arrays.deepToString(e.getArgumentArray()));
            }
            if (e.getKeyValuePairs() != null && !e.getKeyValuePairs().isEmpty()) {
                out.append(" kv=").append(e.getKeyValuePairs());
            }
            if (!e.getMDCPropertyMap().isEmpty()) {
                out.append(" mdc=").append(e.getMDCPropertyMap());
            }
            out.append('\n');
            if (e.getThrowableProxy() != null) {
                out.append(ThrowableProxyUtil.asString(e.getThrowableProxy())).append('\n');
            }
        }
        return out.toString();
    }

    /** Forgets what was recorded so far. */
    public void clear() {
        synchronized (appender) {
            appender.list.clear();
        }
    }

    private static Logger root() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }
}
