package dev.writeback.agent.hashsync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.writeback.protocol.hashsync.HashSyncEntry;
import dev.writeback.protocol.hashsync.Pph1;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The syncer's handling of writeback's own changes, with a sink that records what it is given and a hand-run executor. */
class HashSyncerTest {
    private final Clock clock = Clock.fixed(Instant.parse("2026-12-03T10:00:00Z"), ZoneOffset.UTC);
    private final List<List<Entry>> batches = new ArrayList<>();
    private final HashSyncSink sink = (cursor, full, entries) -> {
        batches.add(entries.stream().map(e -> new Entry(e.anchor(), e.salt() == null ? null : e.salt().clone(),
                e.hash() == null ? null : e.hash().clone())).toList());
        return new HashSyncSink.Reply(false);
    };
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    private final Executor executor = tasks::add;

    @Test
    void pushesWhileTheSyncerIsBusy_areCoalesced_oneEntryPerUser_theLatestPasswordWins() {
        var syncer = new HashSyncer(null, sink, clock, new SecureRandom());

        syncer.pushPassword("guid:a", "a@corp.example", "First-Pass-1".toCharArray(), false, 1, executor);
        syncer.pushPassword("guid:b", "b@corp.example", "Other-Pass-1".toCharArray(), false, 2, executor);
        syncer.pushPassword("guid:a", "a@corp.example", "Second-Pass-2".toCharArray(), false, 3, executor);
        assertThat(syncer.pendingPushes()).isEqualTo(2);
        assertThat(tasks).hasSize(1);   // one drain for all of them

        tasks.poll().run();

        assertThat(batches).hasSize(1);
        Map<String, Entry> sent = batches.get(0).stream().collect(Collectors.toMap(Entry::anchor, e -> e));
        assertThat(sent).containsOnlyKeys("guid:a", "guid:b");
        Entry a = sent.get("guid:a");
        assertThat(a.hash()).isEqualTo(Pph1.derive(Pph1.ntHash("Second-Pass-2".toCharArray()), a.salt()));
        assertThat(syncer.pendingPushes()).isZero();
    }

    @Test
    void aPushAfterTheDrain_schedulesAnotherOne() {
        var syncer = new HashSyncer(null, sink, clock, new SecureRandom());
        syncer.pushPassword("guid:a", "a@corp.example", "First-Pass-1".toCharArray(), false, 1, executor);
        tasks.poll().run();

        syncer.pushPassword("guid:a", "a@corp.example", "Second-Pass-2".toCharArray(), false, 2, executor);

        assertThat(tasks).hasSize(1);
        tasks.poll().run();
        assertThat(batches).hasSize(2);
    }

    @Test
    void aPushRefusedByAStoppedExecutor_isDropped_andTheNextOneIsScheduled() {
        var syncer = new HashSyncer(null, sink, clock, new SecureRandom());
        syncer.pushPassword("guid:a", "a@corp.example", "First-Pass-1".toCharArray(), false, 1, r -> {
            throw new java.util.concurrent.RejectedExecutionException("stopped");
        });
        assertThat(syncer.pendingPushes()).isZero();

        syncer.pushPassword("guid:a", "a@corp.example", "Second-Pass-2".toCharArray(), false, 2, executor);
        assertThat(tasks).hasSize(1);
    }

    private record Entry(String anchor, byte[] salt, byte[] hash) {}
}
