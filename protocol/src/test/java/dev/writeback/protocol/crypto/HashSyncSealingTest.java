package dev.writeback.protocol.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.writeback.protocol.ErrorCode;
import dev.writeback.protocol.FrameType;
import dev.writeback.protocol.ProtocolException;
import dev.writeback.protocol.RequestId;
import dev.writeback.protocol.hashsync.HashSyncBatch;
import dev.writeback.protocol.hashsync.HashSyncEntry;
import dev.writeback.protocol.hashsync.HashSyncStatus;
import dev.writeback.protocol.hashsync.Pph1;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class HashSyncSealingTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final EnvelopeContext CONTEXT = new EnvelopeContext(FrameType.HASH_SYNC, RequestId.ZERO, "tenant-1", "agent-1");
    private final PackageKey key = PackageKey.generate(2, RANDOM);

    private static HashSyncEntry synced(String anchor, String password) {
        byte[] salt = Pph1.newSalt(RANDOM);
        byte[] hash = Pph1.derive(Pph1.ntHash(password.toCharArray()), salt);
        return new HashSyncEntry(anchor, anchor.substring(5) + "@corp.example", HashSyncStatus.SUCCESS, 133L, salt, hash);
    }

    @Test
    void roundTrip_keepsEveryFieldOfEveryEntry() {
        var ada = synced("guid:ada", "Correct-Horse-1");
        var bob = HashSyncEntry.of("guid:bob", "bob@corp.example", HashSyncStatus.FILTERED_BY_TARGET, 0);
        var gone = HashSyncEntry.of("guid:eve", "", HashSyncStatus.SOURCE_NOT_PRESENT, 0);

        byte[] sealed = Sealing.sealHashSync(new HashSyncBatch(9, true, List.of(ada, bob, gone)), key, CONTEXT, RANDOM);
        HashSyncBatch opened = Sealing.openHashSync(sealed, 9, CONTEXT, key);

        assertThat(opened.cursor()).isEqualTo(9);
        assertThat(opened.fullSync()).isTrue();
        assertThat(opened.entries()).hasSize(3);
        assertThat(opened.entries().get(0).salt()).isEqualTo(ada.salt());
        assertThat(opened.entries().get(0).hash()).isEqualTo(ada.hash());
        assertThat(opened.entries().get(0).stamp()).isEqualTo(133L);
        assertThat(opened.entries().get(1).status()).isEqualTo(HashSyncStatus.FILTERED_BY_TARGET);
        assertThat(opened.entries().get(1).hash()).isNull();
        assertThat(opened.entries().get(2).upn()).isEmpty();
        assertThat(opened.toString()).doesNotContain(HexFormat.of().formatHex(ada.hash()));
    }

    @Test
    void theSealedBytes_holdNeitherTheHashNorTheAnchorInTheClear() {
        var ada = synced("guid:ada", "Correct-Horse-1");
        byte[] sealed = Sealing.sealHashSync(new HashSyncBatch(1, false, List.of(ada)), key, CONTEXT, RANDOM);

        String hex = HexFormat.of().formatHex(sealed);
        assertThat(hex).doesNotContain(HexFormat.of().formatHex(ada.hash()));
        assertThat(hex).doesNotContain(HexFormat.of().formatHex("guid:ada".getBytes()));
    }

    @Test
    void aBodyUnderAnotherCursor_isRefused() {
        byte[] sealed = Sealing.sealHashSync(new HashSyncBatch(4, false, List.of()), key, CONTEXT, RANDOM);

        assertThatThrownBy(() -> Sealing.openHashSync(sealed, 5, CONTEXT, key))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("cursor 4 (expected: the frame's 5)");
    }

    @Test
    void aBodyMovedToAnotherAgentOrFrameType_failsItsTag() {
        byte[] sealed = Sealing.sealHashSync(new HashSyncBatch(4, false, List.of(synced("guid:ada", "x"))), key, CONTEXT, RANDOM);

        for (var other : List.of(new EnvelopeContext(FrameType.HASH_SYNC, RequestId.ZERO, "tenant-1", "agent-2"),
                new EnvelopeContext(FrameType.HASH_SYNC, RequestId.ZERO, "tenant-2", "agent-1"),
                new EnvelopeContext(FrameType.RESULT, RequestId.ZERO, "tenant-1", "agent-1"))) {
            assertThatThrownBy(() -> Sealing.openHashSync(sealed, 4, other, key))
                    .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_TAG));
        }
    }

    @Test
    void aBatchOverTheEntryLimit_cannotBeBuilt() {
        var many = new ArrayList<HashSyncEntry>();
        for (int i = 0; i < 501; i++) {
            many.add(HashSyncEntry.of("guid:u" + i, "", HashSyncStatus.MISSING_ATTRIBUTE, 0));
        }
        assertThatThrownBy(() -> new HashSyncBatch(1, false, many)).hasMessageContaining("501 entries (expected: at most 500)");
    }

    @Test
    void aFullBatchOfLongNames_fitsOneFrame() {
        var many = new ArrayList<HashSyncEntry>();
        int bytes = 0;
        while (true) {
            var e = synced("guid:" + "a".repeat(40) + many.size(), "pw");
            if (many.size() == 500 || bytes + e.wireBytes() > HashSyncBatch.MAX_ENTRY_BYTES) {
                break;
            }
            bytes += e.wireBytes();
            many.add(e);
        }
        byte[] sealed = Sealing.sealHashSync(new HashSyncBatch(1, true, many), key, CONTEXT, RANDOM);

        assertThat(sealed.length).isLessThanOrEqualTo(dev.writeback.protocol.ProtocolVersion.MAX_FRAME_BYTES
                - dev.writeback.protocol.ProtocolVersion.HEADER_BYTES - 10);
        new dev.writeback.protocol.Message.HashSync(1, sealed);   // within the frame's bound
    }
}
