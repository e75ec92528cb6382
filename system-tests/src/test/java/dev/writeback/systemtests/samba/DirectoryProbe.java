package dev.writeback.systemtests.samba;

import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.SimpleBindRequest;
import dev.writeback.systemtests.LdapAdmin;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Optional;
import java.util.UUID;

/**
 * Looks at the test domain from the outside, independently of the agent: binds as end users over LDAPS,
 * reads account state as Administrator, and creates or repairs test accounts.
 */
final class DirectoryProbe extends LdapAdmin {
    private final SambaEnv env;

    DirectoryProbe(SambaEnv env) throws LDAPException, GeneralSecurityException {
        super(env.path("CA_PEM"), env.get("LDAPS_URL"), env.get("ADMIN_DN"), env.secret("ADMIN_PASSWORD_FILE"));
        this.env = env;
    }

    /** Binds as {@code dn} on a new connection; empty when the bind worked, else the diagnostic. */
    Optional<String> bindFailure(String dn, String password) throws LDAPException {
        return bindFailure(new SimpleBindRequest(dn, password), (result, diagnostic) -> diagnostic);
    }

    /** Fails {@code count} binds with a wrong password (each one counts towards lockout). */
    void badBinds(String dn, int count) throws LDAPException {
        for (int i = 0; i < count; i++) {
            bindFailure(dn, "Wrong-Password-" + i);
        }
    }

    /** A large-integer attribute such as pwdLastSet, lockoutTime or badPwdCount; 0 when absent. */
    long number(String dn, String attribute) throws LDAPException {
        Long value = read(dn, attribute).getAttributeValueAsLong(attribute);
        return value == null ? 0 : value;
    }

    byte[] objectGuid(String dn) throws LDAPException {
        return read(dn, "objectGUID").getAttributeValueBytes("objectGUID");
    }

    /** Creates an enabled user with a random name in {@code parentDn}; extra attributes are added as given. */
    TestUser createUser(String parentDn, String password, Attribute... extra) throws LDAPException {
        return createUser(parentDn, "it-" + UUID.randomUUID().toString().substring(0, 8), password, extra);
    }

    /** Creates an enabled user named {@code sam} (also its CN) in {@code parentDn}. */
    TestUser createUser(String parentDn, String sam, String password, Attribute... extra) throws LDAPException {
        String upn = sam + "@" + env.get("DNS_DOMAIN");
        String dn = new DN("CN=" + sam + "," + parentDn).toString();
        var entry = new Entry(dn);
        entry.addAttribute("objectClass", "top", "person", "organizationalPerson", "user");
        entry.addAttribute("sAMAccountName", sam);
        entry.addAttribute("userPrincipalName", upn);
        entry.addAttribute("unicodePwd", unicodePwd(password));
        entry.addAttribute("userAccountControl", "512");
        for (Attribute attribute : extra) {
            entry.addAttribute(attribute);
        }
        add(entry);
        return new TestUser(dn, sam, upn, password);
    }

    /** Administrator reset; skips history and minimum age, so it restores any earlier password. */
    void resetPassword(String dn, String password) throws LDAPException {
        replace(dn, "unicodePwd", unicodePwd(password));
    }

    /** The DNS name of the PDC emulator: fSMORoleOwner of the domain, then its server object. */
    String pdcEmulatorHost() throws LDAPException {
        String ntdsSettings = value(env.get("BASE_DN"), "fSMORoleOwner");
        String server = new DN(ntdsSettings).getParentString();
        return value(server, "dNSHostName");
    }

    private static byte[] unicodePwd(String password) {
        return ('"' + password + '"').getBytes(StandardCharsets.UTF_16LE);
    }
}
