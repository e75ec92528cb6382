package dev.writeback.systemtests.samba;

import static java.util.Objects.requireNonNull;

import dev.writeback.protocol.Anchor;

/**
 * An account in the Samba test domain and its current password (test-only, so it may print).
 *
 * @param dn the distinguished name
 * @param sam the sAMAccountName
 * @param upn the userPrincipalName
 * @param password the password the account was given
 */
record TestUser(String dn, String sam, String upn, String password) {
    TestUser {
        requireNonNull(dn, "dn");
        requireNonNull(sam, "sam");
        requireNonNull(upn, "upn");
        requireNonNull(password, "password");
    }

    Anchor upnAnchor() {
        return Anchor.parse("upn:" + upn);
    }

    Anchor samAnchor() {
        return Anchor.parse("sam:" + sam);
    }

    Anchor dnAnchor() {
        return Anchor.parse("dn:" + dn);
    }
}
