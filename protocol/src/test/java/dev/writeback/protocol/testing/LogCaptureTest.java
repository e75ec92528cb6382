package dev.writeback.protocol.testing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

class LogCaptureTest {
    private static final Logger logger = LoggerFactory.getLogger(LogCaptureTest.class);

    @Test
    void text_holdsMessagesArgumentsMdcAndThrowables() {
        try (var logs = new LogCapture().start()) {
            MDC.put("requestId", "3b241101-e2bb-4255-8caf-4136c566a962");
            try {
                logger.debug("Password set for {}", "upn:ada@corp.example");
                logger.info("no placeholder", "extra-argument");
                logger.warn("Bind failed", new IllegalStateException("outer", new RuntimeException("inner-cause")));
            } finally {
                MDC.remove("requestId");
            }
            String text = logs.text();
            assertThat(text).contains("DEBUG", "Password set for upn:ada@corp.example", "extra-argument",
                    "requestId=3b241101-e2bb-4255-8caf-4136c566a962", "IllegalStateException: outer", "inner-cause");
            assertThat(logs.events()).filteredOn(e -> e.getLoggerName().equals(LogCaptureTest.class.getName())).hasSize(3);
        }
    }

    @Test
    void stop_detachesTheAppender_andClearForgets() {
        var logs = new LogCapture().start();
        logger.info("before stop");
        logs.stop();
        logger.info("after stop");
        assertThat(logs.text()).contains("before stop").doesNotContain("after stop");
        logs.clear();
        assertThat(logs.text()).isEmpty();
    }
}
