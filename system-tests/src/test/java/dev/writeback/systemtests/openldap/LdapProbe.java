package dev.writeback.systemtests.openldap;

import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.BindResult;
import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPResult;
import com.unboundid.ldap.sdk.SimpleBindRequest;
import com.unboundid.ldap.sdk.experimental.DraftBeheraLDAPPasswordPolicy10RequestControl;
import com.unboundid.ldap.sdk.experimental.DraftBeheraLDAPPasswordPolicy10ResponseControl;
import dev.writeback.systemtests.EnvFile;
import dev.writeback.systemtests.LdapAdmin;
import java.security.GeneralSecurityException;
import java.util.Optional;
import java.util.UUID;

/**
 * Looks at the OpenLDAP test directory from the outside, independently of the agent: binds as end users over
 * LDAPS with the password policy control, reads the ppolicy state ({@code pwdAccountLockedTime}, {@code pwdReset},
 * {@code pwdHistory}) as the rootdn, and creates or repairs test entries.
 */
final class LdapProbe extends LdapAdmin {
    private final EnvFile env;

    LdapProbe(EnvFile env) throws LDAPException, GeneralSecurityException {
        super(env.path("CA_PEM"), env.get("LDAPS_URL"), env.get("ROOT_DN"), env.secret("ROOT_PASSWORD_FILE"));
        this.env = env;
    }

    /**
     * Binds as {@code dn} on a new connection; empty when the bind worked, else the result code, the diagnostic
     * and the ppolicy error (e.g. {@code invalidCredentials ... ppolicy=ACCOUNT_LOCKED}).
     */
    Optional<String> bindFailure(String dn, String password) throws LDAPException {
        return bindFailure(new SimpleBindRequest(dn, password, new DraftBeheraLDAPPasswordPolicy10RequestControl()),
                (result, diagnostic) -> diagnostic + " ppolicy=" + policyError(result));
    }

    /** The ppolicy error a successful bind reports ({@code CHANGE_AFTER_RESET} after a forced reset), else "none". */
    String policyOnBind(String dn, String password) throws LDAPException {
        try (LDAPConnection connection = connect()) {
            BindResult result = connection.bind(new SimpleBindRequest(dn, password,
                    new DraftBeheraLDAPPasswordPolicy10RequestControl()));
            return policyError(result);
        }
    }

    void badBinds(String dn, int count) throws LDAPException {
        for (int i = 0; i < count; i++) {
            bindFailure(dn, "Wrong-Password-" + i);
        }
    }

    private static String policyError(LDAPResult result) {
        try {
            var control = DraftBeheraLDAPPasswordPolicy10ResponseControl.get(result);
            return control == null || control.getErrorType() == null ? "none" : control.getErrorType().name();
        } catch (LDAPException e) {
            return "undecodable (" + e.getMessage() + ")";
        }
    }

    /** Creates an {@code inetOrgPerson} named {@code it-<random>} in {@code parentDn}, through the overlays. */
    LdapUser createUser(String parentDn, String password, Attribute... extra) throws LDAPException {
        String uid = "it-" + UUID.randomUUID().toString().substring(0, 8);
        String mail = uid + "@writeback.test";
        String dn = new DN("uid=" + uid + "," + parentDn).toString();
        var entry = new Entry(dn);
        entry.addAttribute("objectClass", "inetOrgPerson");
        entry.addAttribute("uid", uid);
        entry.addAttribute("cn", uid);
        entry.addAttribute("sn", "Test");
        entry.addAttribute("mail", mail);
        entry.addAttribute("userPassword", password);
        for (Attribute attribute : extra) {
            entry.addAttribute(attribute);
        }
        add(entry);
        return new LdapUser(dn, uid, mail, password);
    }

    /** The rootdn sets the password: no policy applies, so it restores any earlier password. */
    void setPassword(String dn, String password) throws LDAPException {
        replace(dn, "userPassword", password);
    }

    /** Removes an attribute; nothing happens when it is absent. */
    void remove(String dn, String attribute) throws LDAPException {
        replace(dn, attribute);
    }

    String env(String key) {
        return env.get(key);
    }
}
