package dev.writeback.agent.embedded;

import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.schema.Schema;

/**
 * The standard schema plus the Active Directory attributes and classes the agent touches. Binary attributes
 * are octet strings with {@code octetStringMatch}, so a GUID filter matches exactly one entry (a schema-less
 * server would compare them as case-insensitive strings).
 */
final class AdSchema {
    private static final String OCTETS = "EQUALITY octetStringMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.40";
    private static final String INTEGER = "EQUALITY integerMatch ORDERING integerOrderingMatch "
            + "SYNTAX 1.3.6.1.4.1.1466.115.121.1.27";
    private static final String TEXT = "EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch "
            + "SYNTAX 1.3.6.1.4.1.1466.115.121.1.15";
    private static final String DN = "EQUALITY distinguishedNameMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.12";

    /** Attribute holding salted hashes of previous passwords; 32473 is the documentation enterprise number. */
    static final String HISTORY_ATTRIBUTE = "writebackPwdHistory";
    /**
     * The NT hash (MD4 of the UTF-16LE password) of the current password, kept as AD keeps it in {@code unicodePwd}
     * so password hash sync has a source; hidden from every LDAP read like the password itself.
     */
    static final String NT_HASH_ATTRIBUTE = "writebackNtHash";

    private AdSchema() {}

    static Schema create() throws LDAPException {
        var entry = new Entry("cn=schema");
        entry.addAttribute("objectClass", "top", "ldapSubentry", "subschema");
        entry.addAttribute("attributeTypes",
                type("1.2.840.113556.1.4.2", "objectGUID", OCTETS + " SINGLE-VALUE"),
                type("1.2.840.113556.1.4.90", "unicodePwd", OCTETS),
                type("1.2.840.113556.1.4.1360", "mS-DS-ConsistencyGuid", OCTETS + " SINGLE-VALUE"),
                type("1.2.840.113556.1.4.221", "sAMAccountName", TEXT + " SINGLE-VALUE"),
                type("1.2.840.113556.1.4.656", "userPrincipalName", TEXT + " SINGLE-VALUE"),
                type("1.2.840.113556.1.4.8", "userAccountControl", INTEGER + " SINGLE-VALUE"),
                type("1.2.840.113556.1.4.150", "adminCount", INTEGER + " SINGLE-VALUE"),
                type("1.2.840.113556.1.4.96", "pwdLastSet", INTEGER + " SINGLE-VALUE"),
                type("1.2.840.113556.1.4.662", "lockoutTime", INTEGER + " SINGLE-VALUE"),
                type("1.2.840.113556.1.4.12", "badPwdCount", INTEGER + " SINGLE-VALUE"),
                type("1.2.840.113556.1.4.1460", "msDS-User-Account-Control-Computed", INTEGER + " SINGLE-VALUE"),
                type("1.2.840.113556.1.4.78", "minPwdLength", INTEGER + " SINGLE-VALUE"),
                type("1.2.840.113556.1.4.93", "pwdProperties", INTEGER + " SINGLE-VALUE"),
                type("1.2.840.113556.1.4.95", "pwdHistoryLength", INTEGER + " SINGLE-VALUE"),
                type("1.2.840.113556.1.4.77", "minPwdAge", INTEGER + " SINGLE-VALUE"),
                type("1.2.840.113556.1.4.74", "maxPwdAge", INTEGER + " SINGLE-VALUE"),
                type("1.2.840.113556.1.4.73", "lockoutThreshold", INTEGER + " SINGLE-VALUE"),
                type("1.2.840.113556.1.4.60", "lockoutDuration", INTEGER + " SINGLE-VALUE"),
                type("1.2.840.113556.1.4.369", "fSMORoleOwner", DN + " SINGLE-VALUE"),
                type("1.2.840.113556.1.4.619", "dNSHostName", TEXT + " SINGLE-VALUE"),
                type("1.2.840.113556.1.4.651", "otherMailbox", TEXT),
                type("1.3.6.1.4.1.32473.1.1", HISTORY_ATTRIBUTE, "EQUALITY caseExactMatch "
                        + "SYNTAX 1.3.6.1.4.1.1466.115.121.1.15"),
                type("1.3.6.1.4.1.32473.1.2", NT_HASH_ATTRIBUTE, OCTETS + " SINGLE-VALUE"));
        entry.addAttribute("objectClasses",
                "( 1.2.840.113556.1.5.9 NAME 'user' SUP organizationalPerson STRUCTURAL MAY ( sAMAccountName $ "
                        + "userPrincipalName $ userAccountControl $ adminCount $ pwdLastSet $ lockoutTime $ "
                        + "badPwdCount $ objectGUID $ unicodePwd $ mS-DS-ConsistencyGuid $ displayName $ "
                        + "givenName $ mail $ otherMailbox $ mobile $ " + HISTORY_ATTRIBUTE + " $ " + NT_HASH_ATTRIBUTE + " ) )",
                "( 1.2.840.113556.1.3.30 NAME 'computer' SUP user STRUCTURAL MAY ( dNSHostName ) )",
                "( 1.2.840.113556.1.5.67 NAME 'domainDNS' SUP domain STRUCTURAL MAY ( objectGUID $ minPwdLength $ "
                        + "pwdProperties $ pwdHistoryLength $ minPwdAge $ maxPwdAge $ lockoutThreshold $ "
                        + "lockoutDuration $ fSMORoleOwner ) )",
                "( 1.2.840.113556.1.3.23 NAME 'container' SUP top STRUCTURAL MUST cn MAY ( objectGUID ) )",
                "( 1.2.840.113556.1.5.17 NAME 'server' SUP top STRUCTURAL MUST cn MAY ( dNSHostName $ objectGUID ) )",
                "( 1.2.840.113556.1.5.7000.47 NAME 'nTDSDSA' SUP top STRUCTURAL MUST cn MAY ( objectGUID ) )");
        return Schema.mergeSchemas(Schema.getDefaultStandardSchema(), new Schema(entry));
    }

    private static String type(String oid, String name, String rest) {
        return "( " + oid + " NAME '" + name + "' " + rest + " )";
    }
}
