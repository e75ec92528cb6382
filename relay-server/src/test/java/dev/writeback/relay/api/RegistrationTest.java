package dev.writeback.relay.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.writeback.protocol.crypto.KeyPairs;
import dev.writeback.protocol.crypto.PackageKey;
import dev.writeback.protocol.crypto.RsaOaep;
import dev.writeback.relay.store.AuditRecord;
import io.netty.handler.codec.http.HttpMethod;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistrationTest {
    private static final String REGISTER = "/agent/v1/register";
    private static KeyPair identity;
    private static KeyPair encryption;

    @TempDir
    Path dataDir;

    private ApiFixture api;

    @BeforeAll
    static void keys() {
        var random = new SecureRandom();
        identity = KeyPairs.newIdentityKeyPair(random);
        encryption = KeyPairs.newEncryptionKeyPair(random);
    }

    @BeforeEach
    void start() {
        api = new ApiFixture(dataDir);
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private static String body(String token, String name, byte[] identityKey, byte[] encryptionKey) {
        var json = JsonNodeFactory.instance.objectNode()
                .put("token", token)
                .put("name", name)
                .put("identityPublicKey", Base64.getEncoder().encodeToString(identityKey))
                .put("encryptionPublicKey", Base64.getEncoder().encodeToString(encryptionKey));
        return json.toString();
    }

    private static String body(String token) {
        return body(token, "dc-agent-1", identity.getPublic().getEncoded(), encryption.getPublic().getEncoded());
    }

    private ApiFixture.Answer register(String body) {
        return api.send(HttpMethod.POST, REGISTER, body, null);
    }

    private String registrationToken() {
        return api.store.createRegistrationToken(api.tenant.id()).plaintext();
    }

    @Test
    void register_returnsIdsAndAPackageKeyOnlyTheAgentCanUnwrap() {
        var answer = register(body(registrationToken()));

        assertThat(answer.status()).isEqualTo(200);
        var json = answer.json();
        assertThat(json.get("tenantId").asText()).isEqualTo(api.tenant.id());
        assertThat(json.get("keyVersion").asInt()).isEqualTo(1);
        assertThat(json.get("agentPath").asText()).isEqualTo("/agent/v1");
        assertThat(json.get("relayFingerprint").asText()).isEqualTo("SHA256:relay-fingerprint");
        String agentId = json.get("agentId").asText();
        var agent = api.store.agent(agentId).orElseThrow();
        assertThat(agent.tenantId()).isEqualTo(api.tenant.id());
        assertThat(agent.name()).isEqualTo("dc-agent-1");
        assertThat(agent.identityPublicKey()).isEqualTo(identity.getPublic().getEncoded());
        var stored = api.store.currentKey(agentId).orElseThrow();
        assertThat(stored.version()).isEqualTo(1);
        assertThat(stored.rsaPublicKey()).isEqualTo(encryption.getPublic().getEncoded());
        byte[] wrapped = Base64.getDecoder().decode(json.get("wrappedPackageKey").asText());
        try (PackageKey unwrapped = RsaOaep.unwrap(1, wrapped, encryption.getPrivate())) {
            assertThat(unwrapped.bytes()).isEqualTo(stored.packageKey());
        }
        assertThat(api.audit()).singleElement().satisfies(r -> {
            assertThat(r.operation()).isEqualTo("AGENT_REGISTERED");
            assertThat(r.agentId()).isEqualTo(agentId);
        });
        assertThat(api.registry.scrape()).contains("writeback_api_agents_registered_total 1.0");
        assertThat(api.logText()).contains("API-203");
    }

    @Test
    void register_tokenUsedTwice_isRefused() {
        String token = registrationToken();
        assertThat(register(body(token)).status()).isEqualTo(200);

        var again = register(body(token));

        assertThat(again.status()).isEqualTo(401);
        assertThat(api.store.agents(api.tenant.id())).hasSize(1);
    }

    @Test
    void register_unknownUsedOrExpiredToken_getTheSameAnswer() {
        String used = registrationToken();
        register(body(used));
        String expired = registrationToken();
        api.clock.advance(Duration.ofHours(2));

        var unknown = register(body("wb_reg_unknown"));
        var usedAnswer = register(body(used));
        var expiredAnswer = register(body(expired));

        assertThat(unknown.status()).isEqualTo(401);
        assertThat(usedAnswer.json()).isEqualTo(unknown.json());
        assertThat(expiredAnswer.json()).isEqualTo(unknown.json());
    }

    @Test
    void register_badKeys_areRejectedWithoutSpendingTheToken() {
        String token = registrationToken();
        byte[] rsa1024 = rsaPublicKey(1024);

        var swapped = register(body(token, "a", encryption.getPublic().getEncoded(), identity.getPublic().getEncoded()));
        var weak = register(body(token, "a", identity.getPublic().getEncoded(), rsa1024));
        var notBase64 = register("{\"token\":\"" + token + "\",\"name\":\"a\",\"identityPublicKey\":\"***\","
                + "\"encryptionPublicKey\":\"AA==\"}");

        assertThat(swapped.json().get("field").asText()).isEqualTo("identityPublicKey");
        assertThat(weak.json().get("field").asText()).isEqualTo("encryptionPublicKey");
        assertThat(weak.json().get("message").asText()).isEqualTo("encryptionPublicKey size: 1024 bits (expected: 2048, 3072 or 4096)");
        assertThat(notBase64.json().get("field").asText()).isEqualTo("identityPublicKey");
        assertThat(register(body(token)).status()).isEqualTo(200);
    }

    @Test
    void register_rsaKeyWithAHugeExponentOrAnOddSize_isRefused_withoutSpendingTheToken() throws Exception {
        String token = registrationToken();
        var modulus = ((java.security.interfaces.RSAPublicKey) java.security.KeyFactory.getInstance("RSA")
                .generatePublic(new java.security.spec.X509EncodedKeySpec(rsaPublicKey(3072)))).getModulus();
        var exponent = java.math.BigInteger.ONE.shiftLeft(3069).setBit(0);   // odd, 3070 bits: sealing 30x slower
        byte[] slow = java.security.KeyFactory.getInstance("RSA")
                .generatePublic(new java.security.spec.RSAPublicKeySpec(modulus, exponent)).getEncoded();

        var hugeExponent = register(body(token, "a", identity.getPublic().getEncoded(), slow));
        var oddSize = register(body(token, "a", identity.getPublic().getEncoded(), rsaPublicKey(2560)));

        assertThat(hugeExponent.status()).isEqualTo(400);
        assertThat(hugeExponent.json().get("field").asText()).isEqualTo("encryptionPublicKey");
        assertThat(hugeExponent.json().get("message").asText())
                .isEqualTo("encryptionPublicKey exponent: a 3070-bit number (expected: 65537)");
        assertThat(oddSize.json().get("message").asText())
                .isEqualTo("encryptionPublicKey size: 2560 bits (expected: 2048, 3072 or 4096)");
        assertThat(register(body(token)).status()).as("the token is still good").isEqualTo(200);
    }

    private static byte[] rsaPublicKey(int bits) {
        try {
            var gen = java.security.KeyPairGenerator.getInstance("RSA");
            gen.initialize(bits);
            return gen.generateKeyPair().getPublic().getEncoded();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void register_malformedBody_isRejectedNamingTheField() {
        assertThat(register("{\"name\":\"a\"}").json().get("field").asText()).isEqualTo("token");
        assertThat(register(body(registrationToken(), " ", new byte[] {1}, new byte[] {1})).json().get("field").asText())
                .isEqualTo("name");
        assertThat(register("{\"token\":\"t\",\"extra\":1}").json().get("field").asText()).isEqualTo("extra");
    }

    @Test
    void register_failedAttempts_areRateLimited_butAValidTokenIsAlwaysHonoured() {
        for (int i = 0; i < ApiHandler.FAILURE_BURST; i++) {
            assertThat(register(body("wb_reg_guess" + i)).status()).isEqualTo(401);
        }

        var limited = register(body("wb_reg_guess"));
        var valid = register(body(registrationToken()));

        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.headers().get("Retry-After")).isNotNull();
        assertThat(valid.status()).as("a valid token from a limited source").isEqualTo(200);
    }

    @Test
    void twentyConcurrentUsesOfOneToken_register_once_andDoNot429TheTenantsApiCalls() {
        String token = registrationToken();
        int ok = 0;
        for (int i = 0; i < 20; i++) {   // the fixture's executor runs each on the caller: the race is the store's
            ok += register(body(token)).status() == 200 ? 1 : 0;
        }

        assertThat(ok).as("single use").isEqualTo(1);
        assertThat(api.get("/api/v1/writeback/status").status()).as("own budget: registration failures cost the API nothing")
                .isEqualTo(200);
        assertThat(api.send(io.netty.handler.codec.http.HttpMethod.GET, "/api/v1/writeback/status", null, "wb_api_guess")
                .status()).as("the API budget is untouched: a wrong API token is a plain 401").isEqualTo(401);
    }

    @Test
    void register_tokenNeverLoggedOrAudited() {
        String token = registrationToken();
        register(body(token));
        register(body(token));

        assertThat(api.logText()).doesNotContain(token);
        assertThat(api.audit()).extracting(AuditRecord::toString).noneMatch(s -> s.contains(token));
        assertThat(ApiFixture.contains(api.databaseBytes(), token)).isFalse();
    }
}
