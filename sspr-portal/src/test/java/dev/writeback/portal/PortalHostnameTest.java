package dev.writeback.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.writeback.protocol.testing.FakeClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A tenant's own portal hostname: the root leads to its portal, that host serves no other tenant, SNI must match. */
class PortalHostnameTest {
    private static final String HOST = "password.corp.example";

    private final MemoryPortalStore store = new MemoryPortalStore();
    private Portal portal;

    @BeforeEach
    void start() {
        store.put(PortalSettings.defaults("t-1", "corp", false).withEnabled(true).withHostname(HOST));
        store.put(PortalSettings.defaults("t-2", "other", false).withEnabled(true));
        store.put(PortalSettings.defaults("t-3", "dark", false).withHostname("password.dark.example"));
        portal = Portal.of(new PortalConfig(new FakeClock(), null, Duration.ofSeconds(5)), store, new FakeWriteback(),
                Runnable::run);
    }

    private PortalResponse get(String path, String host, String serverName) {
        return portal.handle(new PortalRequest("GET", path, Map.of(), "en", null, null, new byte[0], "192.0.2.1",
                host, serverName));
    }

    private static String text(PortalResponse r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    @Test
    void theRootOfTheTenantsHostname_leadsToItsPortal_inAnyCaseAndWithAPort() {
        for (String host : new String[] {HOST, "Password.Corp.Example", HOST + ":443", HOST + "."}) {
            PortalResponse r = get("/", host, HOST);
            assertThat(r.status()).as(host).isEqualTo(303);
            assertThat(r.headers()).as(host).containsEntry("Location", "/sspr/corp/");
        }
    }

    @Test
    void theRootElsewhere_orOfATenantWithThePortalOff_isNotFound() {
        assertThat(get("/", "relay.example", null).status()).isEqualTo(404);
        assertThat(get("/", null, null).status()).isEqualTo(404);
        assertThat(get("/", "password.dark.example", null).status()).isEqualTo(404);
    }

    @Test
    void theTenantsHostname_servesNoOtherTenantsPortal_butTheSharedHostServesBoth() {
        PortalResponse own = get("/sspr/corp/", HOST, HOST);
        PortalResponse foreign = get("/sspr/other/", HOST, HOST);
        PortalResponse unknown = get("/sspr/nobody-here/", HOST, HOST);

        assertThat(own.status()).isEqualTo(200);
        assertThat(text(own)).contains("data-page=\"start\"");
        assertThat(foreign.status()).isEqualTo(unknown.status());
        assertThat(text(foreign)).doesNotContain("data-page=\"start\"").contains("This page is not available");
        assertThat(text(unknown)).contains("This page is not available");
        assertThat(text(get("/sspr/other/", "relay.example", null))).contains("data-page=\"start\"");
        assertThat(text(get("/sspr/corp/", "relay.example", null))).contains("data-page=\"start\"");
    }

    @Test
    void aHostHeaderThatDiffersFromTheTlsServerName_isMisdirected() {
        PortalResponse r = get("/sspr/corp/", HOST, "relay.example");

        assertThat(r.status()).isEqualTo(421);
        assertThat(get("/", HOST, "relay.example").status()).isEqualTo(421);
        assertThat(get("/sspr/corp/", HOST, null).status()).as("no SNI (an IP address was dialled)").isEqualTo(200);
    }

    @Test
    void hostnames_areCheckedAndNormalized() {
        var base = PortalSettings.defaults("t-9", "x", false);

        assertThat(base.withHostname("SSPR.Corp.Example.").hostname()).isEqualTo("sspr.corp.example");
        assertThat(base.withHostname(" ").hostname()).isNull();
        for (String bad : new String[] {"localhost", "under_score.example", "-lead.example", "a..b", "x.example/path",
            "https://x.example", "x".repeat(64) + ".example"}) {
            assertThatThrownBy(() -> base.withHostname(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("hostname");
        }
    }
}
