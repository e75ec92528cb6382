package dev.writeback.protocol.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class FakeClockTest {
    @Test
    void clock_standsStillUntilAdvanced() {
        var clock = new FakeClock();
        assertThat(clock.instant()).isEqualTo(FakeClock.DEFAULT_START).isEqualTo(clock.instant());
        assertThat(clock.advance(Duration.ofSeconds(30))).isEqualTo(FakeClock.DEFAULT_START.plusSeconds(30));
        assertThat(clock.millis()).isEqualTo(FakeClock.DEFAULT_START.plusSeconds(30).toEpochMilli());
        assertThat(clock.advanceMillis(-500)).isEqualTo(FakeClock.DEFAULT_START.plusMillis(29_500));
        clock.set(Instant.EPOCH);
        assertThat(clock.instant()).isEqualTo(Instant.EPOCH);
        assertThat(clock.getZone()).isEqualTo(ZoneOffset.UTC);
    }

    @Test
    void withZone_sharesTheTime() {
        var clock = new FakeClock(Instant.EPOCH);
        var paris = clock.withZone(ZoneId.of("Europe/Paris"));
        clock.advance(Duration.ofHours(1));
        assertThat(paris.instant()).isEqualTo(Instant.EPOCH.plusSeconds(3600));
        assertThat(paris.getZone()).isEqualTo(ZoneId.of("Europe/Paris"));
        assertThat(clock.withZone(ZoneOffset.UTC)).isSameAs(clock);
    }

    @Test
    void advance_fromManyThreads_losesNoUpdate() {
        var clock = new FakeClock(Instant.EPOCH);
        var tasks = new ArrayList<CompletableFuture<Void>>();
        for (int t = 0; t < 4; t++) {
            tasks.add(CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 10_000; i++) {
                    clock.advanceMillis(1);
                }
            }));
        }
        tasks.forEach(CompletableFuture::join);
        assertThat(clock.millis()).isEqualTo(40_000);
    }
}
