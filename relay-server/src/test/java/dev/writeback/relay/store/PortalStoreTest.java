package dev.writeback.relay.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.writeback.portal.PortalAudit;
import dev.writeback.portal.PortalSettings;
import dev.writeback.portal.mail.MailSettings;
import dev.writeback.protocol.Secret;
import dev.writeback.protocol.testing.FakeClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PortalStoreTest {
    @TempDir
    Path dataDir;

    private final FakeClock clock = new FakeClock(StoreFixture.START);
    private final MasterKey key = StoreFixture.masterKey();

    @Test
    void settings_defaultOff_thenRoundTrip_withSmtpPasswordSealed() {
        try (Store store = StoreFixture.open(dataDir, key, clock)) {
            Tenant t = store.createTenant("corp");
            PortalSettings s = store.portal().settings("corp").orElseThrow();
            assertThat(s.enabled()).isFalse();
            store.savePortalSettings(s.withEnabled(true).withMail(MailSettings.smtp("smtp.corp.example", 587,
                    MailSettings.Security.STARTTLS, "sspr", Secret.of("Smtp-Secret-77"), "sspr@corp.example")));
            PortalSettings back = store.portal().settings("corp").orElseThrow();
            assertThat(back.enabled()).isTrue();
            assertThat(back.tenantId()).isEqualTo(t.id());
            assertThat(new String(back.mail().password().reveal())).isEqualTo("Smtp-Secret-77");
            assertThat(back.mail().toString()).doesNotContain("Smtp-Secret-77");
        }
        assertThat(StoreFixture.contains(StoreFixture.databaseBytes(dataDir),
                "Smtp-Secret-77".getBytes(StandardCharsets.UTF_8))).isFalse();
        assertThat(StoreFixture.open(dataDir, key, clock).portal().settings("nope")).isEmpty();
    }

    @Test
    void limitsLockoutsAndCodeKey_surviveARestart() {
        byte[] codeKey;
        String tenantId;
        Instant now = clock.instant();
        try (Store store = StoreFixture.open(dataDir, key, clock)) {
            tenantId = store.createTenant("corp").id();
            var portal = store.portal();
            codeKey = portal.codeKey();
            portal.addEvent(tenantId, "verify-failed", "k1", now);
            portal.addEvent(tenantId, "verify-failed", "k1", now.plusSeconds(10));
            portal.lock(tenantId, "k1", now.plus(Duration.ofHours(24)));
            portal.saveSession("s1", tenantId, now.plusSeconds(900), new byte[] {1, 2});
            portal.audit(new PortalAudit(now, tenantId, "support-1", PortalAudit.Step.PORTAL_VERIFY, "sam:ada", "WRONG_CODE", "email", ""));
        }
        try (Store store = StoreFixture.open(dataDir, key, clock)) {
            var portal = store.portal();
            assertThat(portal.codeKey()).isEqualTo(codeKey);
            assertThat(portal.countEvents(tenantId, "verify-failed", "k1", now)).isEqualTo(2);
            assertThat(portal.countEvents(tenantId, "verify-failed", "k1", now.plusSeconds(5))).isEqualTo(1);
            assertThat(portal.lockedUntil(tenantId, "k1", now)).isPresent();
            assertThat(portal.lockedUntil(tenantId, "k1", now.plus(Duration.ofHours(25)))).isEmpty();
            assertThat(portal.session("s1", now)).hasValueSatisfying(b -> assertThat(b).containsExactly(1, 2));
            assertThat(portal.session("s1", now.plusSeconds(900))).isEmpty();
            portal.clearEvents(tenantId, "verify-failed", "k1");
            portal.unlock(tenantId, "k1");
            assertThat(portal.countEvents(tenantId, "verify-failed", "k1", now)).isZero();
            assertThat(portal.lockedUntil(tenantId, "k1", now)).isEmpty();
            assertThat(store.audit(tenantId, now.minusSeconds(1), 10)).singleElement()
                    .satisfies(r -> assertThat(r.actor()).isEqualTo("portal"))
                    .satisfies(r -> assertThat(r.requestId()).isEqualTo("support-1"))
                    .satisfies(r -> assertThat(r.detail()).contains("method=email"));
        }
    }
}
