package dev.writeback.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.writeback.relay.RelayServer;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tenant's own portal hostname on a real relay over real TLS: set through the admin REST API, the root of that
 * name (asked for by SNI and Host, as a browser does) leads to the tenant's portal, another tenant's portal is not
 * served there (nor the root of the relay's own name), and a Host header that differs from the TLS server name is refused.
 */
class PortalHostnameIT {
    private static final String HOST = "password.corp.example";

    @TempDir
    static Path dir;

    static RelayServer relay;

    @BeforeAll
    static void start() throws Exception {
        relay = Loopback.relay(dir);
        String[] corp = Loopback.tenant(relay, "corp");
        String[] other = Loopback.tenant(relay, "other");
        var api = new RelayClient(relay.port(), relay.fingerprint(), corp[1]);
        var answer = api.put("/api/v1/portal/settings", "{\"enabled\":true,\"hostname\":\"" + HOST + "\"}");
        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
        var theirs = new RelayClient(relay.port(), relay.fingerprint(), other[1]);
        assertThat(theirs.put("/api/v1/portal/settings", "{\"enabled\":true}").status()).isEqualTo(200);
        var taken = theirs.put("/api/v1/portal/settings", "{\"hostname\":\"" + HOST + "\"}");
        assertThat(taken.status()).as(taken.text()).isEqualTo(400);
        assertThat(taken.text()).contains("no other tenant").doesNotContain(corp[0]);
    }

    @AfterAll
    static void stop() {
        if (relay != null) {
            relay.stop();
        }
    }

    private static RawHttps.Response get(String serverName, String host, String path) throws Exception {
        try (var https = new RawHttps(relay.port(), relay.fingerprint(), "127.0.0.1", serverName)) {
            return https.send("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n", new byte[0]);
        }
    }

    @Test
    void theRootOfTheTenantsHostname_leadsToItsPortal() throws Exception {
        var root = get(HOST, HOST, "/");
        var portal = get(HOST, HOST, root.headers().get("location"));

        assertThat(root.status()).isEqualTo(303);
        assertThat(root.headers()).containsEntry("location", "/sspr/corp/");
        // no agent in this test: the tenant's portal answers, and says writeback is down
        assertThat(portal.body()).contains("data-page=\"unavailable\"").doesNotContain("This page is not available");
    }

    @Test
    void anotherTenantsPortal_isNotServedOnThatHostname_butIsOnTheRelaysOwnName() throws Exception {
        assertThat(get(HOST, HOST, "/sspr/other/").body()).doesNotContain("data-page=\"unavailable\"")
                .contains("This page is not available");
        assertThat(get("localhost", "localhost", "/sspr/other/").body()).contains("data-page=\"unavailable\"");
        assertThat(get("localhost", "localhost", "/").status()).isEqualTo(404);
    }

    @Test
    void aHostHeaderThatDiffersFromTheTlsServerName_isMisdirected() throws Exception {
        assertThat(get("localhost", HOST, "/sspr/corp/").status()).isEqualTo(421);
        assertThat(get(HOST, "localhost", "/").status()).isEqualTo(421);
    }
}
