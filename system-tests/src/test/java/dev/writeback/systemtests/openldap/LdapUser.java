package dev.writeback.systemtests.openldap;

import static java.util.Objects.requireNonNull;

import dev.writeback.protocol.Anchor;

/**
 * An entry of the OpenLDAP test directory and its current password (test-only, so it may print).
 *
 * @param dn the distinguished name
 * @param uid the {@code uid} (the agent's {@code sam:} anchor by default)
 * @param mail the {@code mail} (the agent's {@code upn:} anchor by default)
 * @param password the password the entry was given
 */
record LdapUser(String dn, String uid, String mail, String password) {
    LdapUser {
        requireNonNull(dn, "dn");
        requireNonNull(uid, "uid");
        requireNonNull(mail, "mail");
        requireNonNull(password, "password");
    }

    Anchor dnAnchor() {
        return Anchor.parse("dn:" + dn);
    }

    Anchor uidAnchor() {
        return Anchor.parse("sam:" + uid);
    }

    Anchor mailAnchor() {
        return Anchor.parse("upn:" + mail);
    }
}
