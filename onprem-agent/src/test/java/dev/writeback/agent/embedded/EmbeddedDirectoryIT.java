package dev.writeback.agent.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.unboundid.ldap.sdk.ExtendedResult;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.extensions.StartTLSExtendedRequest;
import com.unboundid.ldap.sdk.extensions.WhoAmIExtendedRequest;
import com.unboundid.ldap.sdk.extensions.WhoAmIExtendedResult;
import com.unboundid.util.ssl.SSLUtil;
import com.unboundid.util.ssl.TrustAllTrustManager;
import dev.writeback.protocol.Secret;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded directory's AD behaviour on the wire: TLS only, quoted unicodePwd, whoami, stable certificate. */
class EmbeddedDirectoryIT {
    private static final String ADA = "CN=Ada Lovelace,OU=Staff,DC=corp,DC=example";

    @TempDir
    Path stateDir;

    private EmbeddedDirectory directory;

    @BeforeEach
    void start() throws Exception {
        directory = EmbeddedDirectory.start(EmbeddedDirectoryConfig.defaults().withEphemeralPorts("data"), stateDir);
    }

    @AfterEach
    void stop() {
        directory.close();
    }

    @Test
    void bind_plainLdap_isRefused_startTlsWorks() throws Exception {
        try (var plain = new LDAPConnection("127.0.0.1", directory.ldapPort())) {
            assertThatThrownBy(() -> plain.bind(ADA, "Engine-1843")).isInstanceOfSatisfying(LDAPException.class,
                    e -> assertThat(e.getResultCode()).isEqualTo(ResultCode.STRONG_AUTH_REQUIRED));
            ExtendedResult tls = plain.processExtendedOperation(new StartTLSExtendedRequest(trustAll().createSSLContext()));
            assertThat(tls.getResultCode()).isEqualTo(ResultCode.SUCCESS);
            assertThat(plain.bind(ADA, "Engine-1843").getResultCode()).isEqualTo(ResultCode.SUCCESS);
        }
    }

    @Test
    void whoAmI_withUpnBind_namesTheUser() throws Exception {
        try (var conn = ldaps()) {
            conn.bind("ada@corp.example", "Engine-1843");
            var result = (WhoAmIExtendedResult) conn.processExtendedOperation(new WhoAmIExtendedRequest());
            assertThat(result.getAuthorizationID()).isEqualToIgnoringCase("dn:" + ADA);
        }
    }

    @Test
    void unicodePwd_unquoted_isRefusedLikeSamba() throws Exception {
        try (var conn = serviceConnection()) {
            var unquoted = new Modification(ModificationType.REPLACE, "unicodePwd",
                    "Plain-Text-99".getBytes(StandardCharsets.UTF_16LE));
            assertThatThrownBy(() -> conn.modify(ADA, unquoted)).isInstanceOfSatisfying(LDAPException.class, e -> {
                assertThat(e.getResultCode()).isEqualTo(ResultCode.UNWILLING_TO_PERFORM);
                assertThat(e.getDiagnosticMessage()).startsWith("00002035:");
            });
        }
    }

    @Test
    void unicodePwd_byOrdinaryUser_isAccessDenied() throws Exception {
        try (var conn = ldaps()) {
            conn.bind("CN=Grace Hopper,OU=Staff,DC=corp,DC=example", "Cobol-1959!");
            var reset = new Modification(ModificationType.REPLACE, "unicodePwd",
                    "\"Taken-Over-1\"".getBytes(StandardCharsets.UTF_16LE));
            assertThatThrownBy(() -> conn.modify(ADA, reset)).isInstanceOfSatisfying(LDAPException.class,
                    e -> assertThat(e.getResultCode()).isEqualTo(ResultCode.INSUFFICIENT_ACCESS_RIGHTS));
        }
    }

    @Test
    void search_anonymous_onlyRootDse() throws Exception {
        try (var conn = ldaps()) {
            assertThat(conn.getRootDSE().supportsControl("1.2.840.113556.1.4.2239")).isTrue();
            assertThat(conn.getRootDSE().getAttributeValue("defaultNamingContext")).isEqualTo("DC=corp,DC=example");
            assertThatThrownBy(() -> conn.getEntry(ADA)).isInstanceOfSatisfying(LDAPException.class,
                    e -> assertThat(e.getDiagnosticMessage()).startsWith("000004DC:"));
        }
    }

    @Test
    void restart_keepsCertificateAndServicePassword() throws Exception {
        String fingerprint = directory.certificateFingerprint();
        directory.close();
        directory = EmbeddedDirectory.start(EmbeddedDirectoryConfig.defaults().withEphemeralPorts("data"), stateDir);

        assertThat(directory.certificateFingerprint()).isEqualTo(fingerprint);
        try (var conn = serviceConnection()) {
            assertThat(conn.getEntry(ADA, "userPassword", "objectGUID").hasAttribute("userPassword")).isFalse();
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(directory.serviceAccountPasswordFile())))
                .isEqualTo("rw-------");
    }

    private LDAPConnection ldaps() throws Exception {
        return new LDAPConnection(trustAll().createSSLSocketFactory(), "127.0.0.1", directory.ldapsPort());
    }

    private LDAPConnection serviceConnection() throws Exception {
        LDAPConnection conn = ldaps();
        try (Secret password = directory.serviceAccountPassword()) {
            conn.bind(directory.serviceAccountDn(), new String(password.reveal()));
        }
        return conn;
    }

    private static SSLUtil trustAll() {
        return new SSLUtil(new TrustAllTrustManager());
    }
}
