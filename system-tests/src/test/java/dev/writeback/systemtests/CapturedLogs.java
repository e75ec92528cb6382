package dev.writeback.systemtests;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

/** Everything the relay and the agent log in this JVM, as text, for "this was logged" and "no secret leaked" checks. */
public final class CapturedLogs implements AutoCloseable {
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Logger root;

    public CapturedLogs() {
        var context = (LoggerContext) LoggerFactory.getILoggerFactory();
        root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        appender.setContext(context);
        appender.start();
        root.addAppender(appender);
    }

    public String text() {
        var sb = new StringBuilder();
        synchronized (appender) {   // AppenderBase.doAppend holds this lock while it adds
            for (ILoggingEvent e : appender.list) {
                sb.append(e.getLevel()).append(' ').append(e.getLoggerName()).append(' ').append(e.getFormattedMessage())
                        .append(' ').append(e.getMDCPropertyMap());
                if (e.getThrowableProxy() != null) {
                    sb.append(' ').append(ThrowableProxyUtil.asString(e.getThrowableProxy()));
                }
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    public boolean contains(String s) {
        return text().contains(s);
    }

    @Override
    public void close() {
        root.detachAppender(appender);
        appender.stop();
    }
}
