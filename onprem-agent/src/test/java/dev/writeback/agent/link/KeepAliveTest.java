package dev.writeback.agent.link;

import static org.assertj.core.api.Assertions.assertThat;

import dev.writeback.protocol.testing.FakeClock;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class KeepAliveTest {
    private final FakeClock clock = new FakeClock();
    private final KeepAlive keepAlive = new KeepAlive(clock, new SplittableRandom(1), LinkTimings.defaults());

    @Test
    void interval_startsAt30s_withTwentyPercentJitter() {
        assertThat(keepAlive.interval()).isEqualTo(Duration.ofSeconds(30));
        for (int i = 0; i < 1000; i++) {
            assertThat(keepAlive.nextDelay()).isBetween(Duration.ofSeconds(24), Duration.ofSeconds(36));
        }
    }

    @Test
    void dropAfterIdleGap_halvesTheInterval_downToTheFloor() {
        keepAlive.onUnexpectedClose(Duration.ofSeconds(31));
        assertThat(keepAlive.interval()).isEqualTo(Duration.ofSeconds(15));

        keepAlive.onUnexpectedClose(Duration.ofSeconds(16));
        assertThat(keepAlive.interval()).isEqualTo(Duration.ofSeconds(10));

        keepAlive.onUnexpectedClose(Duration.ofSeconds(11));
        assertThat(keepAlive.interval()).as("floor").isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void dropWhileTrafficFlowed_leavesTheIntervalAlone() {
        keepAlive.onUnexpectedClose(Duration.ofSeconds(3));

        assertThat(keepAlive.interval()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void anHourWithoutIdleDrops_doublesTheIntervalBack_upToTheCeiling() {
        keepAlive.onUnexpectedClose(Duration.ofSeconds(40));
        keepAlive.onUnexpectedClose(Duration.ofSeconds(40));
        assertThat(keepAlive.interval()).isEqualTo(Duration.ofSeconds(10));

        clock.advance(Duration.ofMinutes(59));
        keepAlive.nextDelay();
        assertThat(keepAlive.interval()).as("not yet an hour").isEqualTo(Duration.ofSeconds(10));

        clock.advance(Duration.ofMinutes(1));
        keepAlive.nextDelay();
        assertThat(keepAlive.interval()).isEqualTo(Duration.ofSeconds(20));

        for (int hour = 0; hour < 5; hour++) {
            clock.advance(Duration.ofHours(1));
            keepAlive.nextDelay();
        }
        assertThat(keepAlive.interval()).as("ceiling").isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void idleDrop_restartsTheCleanHour() {
        keepAlive.onUnexpectedClose(Duration.ofSeconds(40));
        clock.advance(Duration.ofMinutes(50));
        keepAlive.onUnexpectedClose(Duration.ofSeconds(20));
        assertThat(keepAlive.interval()).isEqualTo(Duration.ofSeconds(10));

        clock.advance(Duration.ofMinutes(50));
        keepAlive.nextDelay();

        assertThat(keepAlive.interval()).as("only 50 min since the last drop").isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void injectedTimings_areUsed() {
        var fast = new KeepAlive(clock, new SplittableRandom(2), LinkTimings.defaults()
                .withKeepAlive(Duration.ofSeconds(6), Duration.ofSeconds(2), Duration.ofSeconds(2)).withDeadPeer(Duration.ofSeconds(20)));

        fast.onUnexpectedClose(Duration.ofMillis(1900));
        assertThat(fast.interval()).as("below the idle gap").isEqualTo(Duration.ofSeconds(6));
        fast.onUnexpectedClose(Duration.ofSeconds(4));
        assertThat(fast.interval()).isEqualTo(Duration.ofSeconds(3));
        fast.onUnexpectedClose(Duration.ofSeconds(4));
        assertThat(fast.interval()).isEqualTo(Duration.ofSeconds(2));
    }
}
