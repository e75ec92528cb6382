package dev.writeback.relay.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.writeback.portal.PortalSettings;
import dev.writeback.portal.mail.MailSettings;
import dev.writeback.relay.store.ApiScope;
import dev.writeback.relay.store.AuditRecord;
import io.netty.handler.codec.http.HttpMethod;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PortalAdminTest {
    private static final String SETTINGS = "/api/v1/portal/settings";
    private static final String SMTP_PASSWORD = "Smtp-Secret-7319";

    @TempDir
    Path dataDir;

    private ApiFixture api;

    @BeforeEach
    void start() {
        api = new ApiFixture(dataDir);
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private ApiFixture.Answer put(String json) {
        return api.send(HttpMethod.PUT, SETTINGS, json, api.token);
    }

    private PortalSettings stored() {
        return api.store.portal().settings(api.tenant.name()).orElseThrow();
    }

    @Test
    void get_beforeAnyChange_showsThePortalOffWithDefaults() {
        var answer = api.get(SETTINGS);

        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
        assertThat(answer.json().get("enabled").asBoolean()).isFalse();
        assertThat(answer.json().get("path").asText()).isEqualTo("/sspr/acme/");
        assertThat(answer.json().get("codeDigits").asInt()).isEqualTo(PortalSettings.DEFAULT_CODE_DIGITS);
        assertThat(answer.json().get("mail").get("transport").asText()).isEqualTo("global");
    }

    @Test
    void put_changesOnlyTheFieldsGiven_andIsAudited() {
        assertThat(put("{\"enabled\":true,\"contact\":\"IT help desk, ext. 1234\"}").status()).isEqualTo(200);
        var answer = put("{\"codeDigits\":6,\"baseUrl\":\"https://sspr.acme.example/sspr/acme/\"}");

        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
        PortalSettings s = stored();
        assertThat(s.enabled()).isTrue();
        assertThat(s.contact()).isEqualTo("IT help desk, ext. 1234");
        assertThat(s.codeDigits()).isEqualTo(6);
        assertThat(s.baseUrl()).hasToString("https://sspr.acme.example/sspr/acme/");
        assertThat(answer.json().get("contact").asText()).isEqualTo("IT help desk, ext. 1234");
        assertThat(api.audit()).filteredOn(r -> r.operation().equals("PORTAL_SETTINGS")).extracting(AuditRecord::detail)
                .containsExactly("changed=enabled,contact enabled=true mail=global",
                        "changed=codeDigits,baseUrl enabled=true mail=global");

        assertThat(put("{\"baseUrl\":null}").status()).isEqualTo(200);
        assertThat(stored().baseUrl()).isNull();
    }

    @Test
    void smtpPassword_isWriteOnly_andStoredSealed() {
        var answer = put("{\"mailTransport\":\"smtp\",\"mailFrom\":\"sspr@acme.example\",\"smtpHost\":\"smtp.acme.example\","
                + "\"smtpSecurity\":\"tls\",\"smtpUser\":\"sspr\",\"smtpPassword\":\"" + SMTP_PASSWORD + "\"}");

        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
        var mail = answer.json().get("mail");
        assertThat(mail.get("transport").asText()).isEqualTo("smtp");
        assertThat(mail.get("port").asInt()).as("TLS default port").isEqualTo(465);
        assertThat(mail.get("passwordSet").asBoolean()).isTrue();
        assertThat(api.get(SETTINGS).text()).doesNotContain(SMTP_PASSWORD);
        assertThat(stored().mail().password().toUtf8()).asString().isEqualTo(SMTP_PASSWORD);

        // Another field keeps the password; a new user name without a password does not inherit it.
        assertThat(put("{\"smtpPort\":2465}").status()).isEqualTo(200);
        assertThat(stored().mail().password()).isNotNull();
        var newUser = put("{\"smtpUser\":\"someone-else\"}");
        assertThat(newUser.status()).isEqualTo(400);
        assertThat(newUser.text()).contains("password");

        assertThat(ApiFixture.contains(api.databaseBytes(), SMTP_PASSWORD)).isFalse();
        assertThat(api.logText()).doesNotContain(SMTP_PASSWORD);
        assertThat(api.audit()).allSatisfy(r -> assertThat(r.toString()).doesNotContain(SMTP_PASSWORD));
    }

    @Test
    void badValues_areRefusedByName_andChangeNothing() {
        assertThat(put("{\"enabled\":true}").status()).isEqualTo(200);

        var cases = new String[][] {
            {"{\"codeDigits\":9}", "codeDigits"},
            {"{\"captchaBits\":25}", "captchaBits"},
            {"{\"baseUrl\":\"http://plain.example/\"}", "https://"},
            {"{\"mailTransport\":\"outbox\"}", "relay portal set --mail outbox"},
            {"{\"mailTransport\":\"carrier-pigeon\"}", "mailTransport"},
            {"{\"mailTransport\":\"smtp\",\"mailFrom\":\"sspr@acme.example\"}", "host"},
            {"{\"smtpSecurity\":\"ssl3\",\"smtpHost\":\"h\",\"mailFrom\":\"a@b\"}", "smtpSecurity"},
            {"{\"shoeSize\":44}", "unknown field"},
            {"{}", "no field"},
            {"{\"enabled\":false,\"codeDigits\":5}", "codeDigits"},
        };
        for (String[] c : cases) {
            var answer = put(c[0]);
            assertThat(answer.status()).as("%s -> %s", c[0], answer.text()).isEqualTo(400);
            assertThat(answer.text()).as(c[0]).contains(c[1]);
        }
        assertThat(stored().enabled()).as("the refused PUTs changed nothing").isTrue();
        assertThat(stored().mail()).isNull();
    }

    @Test
    void operationsToken_isForbidden() {
        String operations = api.store.createApiToken(api.tenant.id(), "sspr", ApiScope.OPERATIONS).plaintext();

        assertThat(api.send(HttpMethod.GET, SETTINGS, null, operations).status()).isEqualTo(403);
        assertThat(api.send(HttpMethod.PUT, SETTINGS, "{\"enabled\":true}", operations).status()).isEqualTo(403);
        assertThat(api.store.portal().settings(api.tenant.name()).map(PortalSettings::enabled)).isNotEqualTo(
                java.util.Optional.of(true));
    }

    @Test
    void outboxSetByTheCli_isShownButNotChangeableHere() {
        api.store.savePortalSettings(PortalSettings.defaults(api.tenant.id(), api.tenant.name(), false)
                .withMail(MailSettings.outbox(dataDir.resolve("outbox"), "demo@acme.example")));

        var answer = api.get(SETTINGS);

        assertThat(answer.json().get("mail").get("transport").asText()).isEqualTo("outbox");
        assertThat(put("{\"mailTransport\":\"global\"}").status()).isEqualTo(200);
        assertThat(stored().mail()).isNull();
    }

    @Test
    void hostname_isSetClearedAndBelongsToOneTenantOnly() {
        var answer = put("{\"hostname\":\"Password.Acme.Example\"}");

        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
        assertThat(answer.json().get("hostname").asText()).isEqualTo("password.acme.example");
        assertThat(api.store.portal().settingsByHostname("PASSWORD.acme.example:443").map(PortalSettings::tenantName))
                .contains("acme");

        var other = api.store.createTenant("other");
        var theirs = api.store.portal().settings("other").orElseThrow().withHostname("password.acme.example");
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> api.store.savePortalSettings(theirs)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no other tenant")
                .hasMessageNotContaining("acme\"").hasMessageNotContaining(api.tenant.id());
        String otherToken = api.store.createApiToken(other.id(), "admin").plaintext();
        var refused = api.send(HttpMethod.PUT, SETTINGS, "{\"hostname\":\"password.acme.example\"}", otherToken);
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.text()).contains("hostname").doesNotContain(api.tenant.id());
        assertThat(put("{\"hostname\":\"not a host\"}").status()).isEqualTo(400);

        assertThat(put("{\"hostname\":null}").status()).isEqualTo(200);
        assertThat(stored().hostname()).isNull();
        assertThat(api.store.portal().settingsByHostname("password.acme.example")).isEmpty();
    }
}
