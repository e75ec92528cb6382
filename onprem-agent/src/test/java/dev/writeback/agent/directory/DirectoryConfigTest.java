package dev.writeback.agent.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DirectoryConfigTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void yaml_fullActiveDirectoryEntry_deserializes() throws Exception {
        DirectoryConfig config = parse("""
                - name: corp
                  type: active-directory
                  urls: [ldaps://dc1.corp.example:636, ldaps://dc2.corp.example:636]
                  bindDn: CN=svc-writeback,OU=Service,DC=corp,DC=example
                  bindPasswordFile: /etc/writeback/bind.pw
                  trustFingerprint: "SHA256:%s"
                  baseDn: DC=corp,DC=example
                  scopes: ["OU=Staff,DC=corp,DC=example"]
                  connectTimeout: 5s
                  operationTimeout: PT10S
                  poolSize: 4
                """.formatted("AB:".repeat(31) + "CD")).get(0);
        config.validate(0);
        assertThat(config.urls()).hasSize(2);
        assertThat(config.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.operationTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.verifyHostname()).isTrue();
        assertThat(config.preferPdcEmulator()).isTrue();
        assertThat(config.effectiveScopes()).containsExactly("OU=Staff,DC=corp,DC=example");
    }

    @Test
    void validate_plainLdapWithoutStartTls_namesTheKey() throws Exception {
        DirectoryConfig config = parse("""
                - name: corp
                  type: active-directory
                  urls: [ldaps://dc2:636, ldap://dc1:389]
                  bindDn: CN=svc,DC=corp,DC=example
                  bindPasswordEnv: WRITEBACK_BIND_PASSWORD
                  baseDn: DC=corp,DC=example
                """).get(0);
        assertThatThrownBy(() -> config.validate(0)).isInstanceOf(DirectoryConfigException.class)
                .hasMessage("directories[0].urls[1]: ldap://dc1:389 (expected: ldaps:// or startTls: true)");
    }

    @Test
    void validate_plainLdapWithStartTls_isAccepted() throws Exception {
        parse("""
                - name: corp
                  type: ldap
                  urls: [ldap://ldap1:389]
                  startTls: true
                  bindDn: cn=writeback,dc=corp,dc=example
                  bindPasswordEnv: PW
                  baseDn: dc=corp,dc=example
                """).get(0).validate(0);
    }

    @Test
    void validate_missingPasswordSource_namesTheKey() throws Exception {
        DirectoryConfig config = parse("""
                - name: corp
                  type: active-directory
                  urls: [ldaps://dc1:636]
                  bindDn: CN=svc,DC=corp,DC=example
                  baseDn: DC=corp,DC=example
                """).get(0);
        assertThatThrownBy(() -> config.validate(3)).hasMessageStartingWith("directories[3].bindPasswordFile: (missing)");
    }

    @Test
    void validate_scopeOutsideBase_isRefused() throws Exception {
        DirectoryConfig config = parse("""
                - name: corp
                  type: active-directory
                  urls: [ldaps://dc1:636]
                  bindDn: CN=svc,DC=corp,DC=example
                  bindPasswordEnv: PW
                  baseDn: DC=corp,DC=example
                  scopes: [OU=Staff,DC=other,DC=example]
                """).get(0);
        assertThatThrownBy(() -> config.validate(0)).hasMessageStartingWith("directories[0].scopes[0]:");
    }

    @Test
    void validate_unquotedDnInFlowList_hintsAtQuoting() throws Exception {
        DirectoryConfig config = parse("""
                - name: corp
                  type: active-directory
                  urls: [ldaps://dc1:636]
                  bindDn: CN=svc,DC=corp,DC=example
                  bindPasswordEnv: PW
                  baseDn: DC=corp,DC=example
                  scopes: [OU=Staff,DC=corp,DC=example]
                """).get(0);
        assertThatThrownBy(() -> config.validate(0)).hasMessage("directories[0].scopes[0]: OU=Staff "
                + "(expected: inside baseDn DC=corp,DC=example; quote DNs inside [ ] in YAML)");
    }

    @Test
    void validate_unknownType_listsTheChoices() throws Exception {
        DirectoryConfig config = parse("""
                - name: corp
                  type: novell
                """).get(0);
        assertThatThrownBy(() -> config.validate(0))
                .hasMessage("directories[0].type: novell (expected: active-directory, ldap or embedded)");
    }

    @Test
    void validate_embeddedOnNonLoopback_isRefused() throws Exception {
        DirectoryConfig config = parse("""
                - name: demo
                  type: embedded
                  embedded:
                    host: 192.0.2.10
                """).get(0);
        assertThatThrownBy(() -> config.validate(0)).hasMessageStartingWith("directories[0].embedded.host: 192.0.2.10");
    }

    @Test
    void yaml_embeddedDefaults_fillBaseDn() throws Exception {
        DirectoryConfig config = parse("""
                - name: demo
                  type: embedded
                """).get(0);
        config.validate(0);
        assertThat(config.baseDn()).isEqualTo("DC=corp,DC=example");
        assertThat(config.embedded().ldapsPort()).isEqualTo(10636);
    }

    @Test
    void yaml_badDuration_isRefusedWithTheValue() {
        assertThatThrownBy(() -> parse("""
                - name: corp
                  type: embedded
                  connectTimeout: soon
                """)).hasMessageContaining("soon").hasMessageContaining("connectTimeout");
    }

    private static List<DirectoryConfig> parse(String yaml) throws Exception {
        return YAML.readValue(yaml, new TypeReference<List<DirectoryConfig>>() {});
    }
}
