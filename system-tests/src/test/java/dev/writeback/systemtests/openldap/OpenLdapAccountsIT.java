package dev.writeback.systemtests.openldap;

import static dev.writeback.systemtests.openldap.OpenLdapDirectory.INITIAL_PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.ldap.sdk.Attribute;
import dev.writeback.agent.directory.Directories;
import dev.writeback.protocol.Anchor;
import dev.writeback.protocol.Outcome;
import dev.writeback.protocol.ResultCode;
import dev.writeback.protocol.Secret;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Which entry an anchor names (dn, uid, mail, entryUUID; configurable attributes), scopes, protected accounts, health. */
class OpenLdapAccountsIT {
    @RegisterExtension
    static final OpenLdapDirectory slapd = new OpenLdapDirectory();

    @Test
    void everyAnchorType_findsTheEntry() throws Exception {
        LdapUser user = slapd.newUser();
        UUID entryUuid = UUID.fromString(slapd.probe().value(user.dn(), "entryUUID"));
        byte[] raw = ByteBuffer.allocate(16).putLong(entryUuid.getMostSignificantBits())
                .putLong(entryUuid.getLeastSignificantBits()).array();
        Directories directories = slapd.directories();
        List<Anchor> anchors = List.of(user.dnAnchor(), user.uidAnchor(), user.mailAnchor(),
                Anchor.parse("guid:" + entryUuid), Anchor.parse("guid:" + Base64.getEncoder().encodeToString(raw)));

        for (int i = 0; i < anchors.size(); i++) {
            String password = "Anchor-Pass-" + (10 + i);
            Outcome outcome = directories.reset(anchors.get(i), Secret.of(password), true, false);
            assertThat(outcome.code()).as("%s %s", anchors.get(i), outcome).isEqualTo(ResultCode.SUCCESS);
            assertThat(slapd.probe().bindFailure(user.dn(), password)).as("%s", anchors.get(i)).isEmpty();
        }
    }

    @Test
    void anchorAttributes_areConfigurable() throws Exception {
        LdapUser user = slapd.newUser(new Attribute("employeeNumber", "E-4711"));
        Directories directories = slapd.directories(config -> {
            OpenLdapDirectory.ldapBlock(config).put("samAttribute", "employeeNumber");
            OpenLdapDirectory.ldapBlock(config).put("upnAttribute", "cn");
        });

        Outcome byNumber = directories.reset(Anchor.parse("sam:E-4711"), Secret.of("Number-Pass-12"), true, false);
        Outcome byCn = directories.reset(Anchor.parse("upn:" + user.uid()), Secret.of("Common-Pass-13"), true, false);
        Outcome byUid = directories.reset(user.uidAnchor(), Secret.of("Uid-Pass-14"), true, false);

        assertThat(byNumber.code()).as("%s", byNumber).isEqualTo(ResultCode.SUCCESS);
        assertThat(byCn.code()).as("%s", byCn).isEqualTo(ResultCode.SUCCESS);
        assertThat(byUid.code()).as("uid is not searched now: %s", byUid).isEqualTo(ResultCode.USER_NOT_FOUND);
        assertThat(slapd.probe().bindFailure(user.dn(), "Common-Pass-13")).isEmpty();
    }

    @Test
    void twoEntriesWithTheSameMail_areMultipleMatches() throws Exception {
        LdapUser first = slapd.newUser();
        slapd.newUserIn(slapd.env().get("CONTRACTORS_OU"), new Attribute("mail", first.mail()));

        Outcome outcome = slapd.directories().reset(first.mailAnchor(), Secret.of("Twice-Pass-15"), true, false);

        assertThat(outcome.code()).as("%s", outcome).isEqualTo(ResultCode.MULTIPLE_MATCHES);
        assertThat(slapd.probe().bindFailure(first.dn(), INITIAL_PASSWORD)).isEmpty();
    }

    @Test
    void entryInTheSecondScope_isFound() throws Exception {
        LdapUser contractor = slapd.newUserIn(slapd.env().get("CONTRACTORS_OU"));

        Outcome outcome = slapd.directories().reset(contractor.mailAnchor(), Secret.of("Second-Scope-16"), true, false);

        assertThat(outcome.code()).as("%s", outcome).isEqualTo(ResultCode.SUCCESS);
        assertThat(slapd.probe().bindFailure(contractor.dn(), "Second-Scope-16")).isEmpty();
    }

    /** ou=partners is under the base DN and readable by the service account, but in no scope. */
    @Test
    void entryOutsideTheScopes_isUserNotFound_forEveryAnchor() throws Exception {
        LdapUser outsider = slapd.newUserIn(slapd.env().get("PARTNERS_OU"));
        String entryUuid = slapd.probe().value(outsider.dn(), "entryUUID");
        Directories directories = slapd.directories();

        for (Anchor anchor : List.of(outsider.dnAnchor(), outsider.uidAnchor(), outsider.mailAnchor(),
                Anchor.parse("guid:" + entryUuid), Anchor.parse("sam:nobody-here"))) {
            Outcome outcome = directories.reset(anchor, Secret.of("Outside-Pass-17"), true, false);
            assertThat(outcome.code()).as("%s %s", anchor, outcome).isEqualTo(ResultCode.USER_NOT_FOUND);
        }
        assertThat(slapd.probe().bindFailure(outsider.dn(), INITIAL_PASSWORD)).isEmpty();
    }

    @Test
    void memberOfTheAdminsGroup_isProtected_unlessAllowed() throws Exception {
        LdapUser admin = slapd.newUser();
        String group = slapd.env().get("ADMINS_GROUP_DN");
        slapd.probe().add(group, "member", admin.dn());
        slapd.afterTest(() -> slapd.probe().remove(admin.dn(), "pwdAccountLockedTime"));
        LdapUser padmin = slapd.account("padmin");
        slapd.restoreAfterTest(padmin);

        Outcome refused = slapd.directories().reset(admin.uidAnchor(), Secret.of("Admin-Pass-18"), true, false);
        Outcome provisioned = slapd.directories().unlock(padmin.uidAnchor());
        Outcome allowed = slapd.directories(config -> config.put("allowProtectedAccounts", true))
                .reset(admin.uidAnchor(), Secret.of("Admin-Pass-18"), true, false);

        assertThat(refused.code()).as("%s", refused).isEqualTo(ResultCode.PROTECTED_ACCOUNT);
        assertThat(refused.adminDiagnostic()).contains("protectedFilter");
        assertThat(provisioned.code()).as("%s", provisioned).isEqualTo(ResultCode.PROTECTED_ACCOUNT);
        assertThat(allowed.code()).as("%s", allowed).isEqualTo(ResultCode.SUCCESS);
        assertThat(slapd.probe().bindFailure(admin.dn(), "Admin-Pass-18")).isEmpty();
    }

    /** ldap:// with StartTLS for the service account's pool and for the user's own bind of a change. */
    @Test
    void startTls_resetAndChange() throws Exception {
        LdapUser user = slapd.newUser();
        Directories directories = slapd.directories(config -> {
            config.put("urls", List.of(slapd.env().get("STARTTLS_URL")));
            config.put("startTls", true);
        });

        Outcome change = directories.change(user.uidAnchor(), Secret.of(INITIAL_PASSWORD), Secret.of("Upgraded-Pass-19"));
        Outcome reset = directories.reset(user.uidAnchor(), Secret.of("Upgraded-Pass-20"), true, false);

        assertThat(change.code()).as("%s", change).isEqualTo(ResultCode.SUCCESS);
        assertThat(reset.code()).as("%s", reset).isEqualTo(ResultCode.SUCCESS);
        assertThat(reset.server()).endsWith(":" + slapd.env().get("STARTTLS_URL").replaceAll(".*:", ""));
        assertThat(slapd.probe().bindFailure(user.dn(), "Upgraded-Pass-20")).isEmpty();
    }

    @Test
    void health_reportsTheDefaultPasswordPolicy() throws Exception {
        Directories directories = slapd.directories();

        assertThat(directories.health()).singleElement().satisfies(health -> {
            assertThat(health.reachable()).isTrue();
            assertThat(health.type()).isEqualTo("ldap");
            assertThat(health.problem()).isEmpty();
            assertThat(health.passwordPolicy()).contains("minLength=" + slapd.env().get("MIN_PASSWORD_LENGTH"),
                    "history=" + slapd.env().get("HISTORY_LENGTH"), "lockoutAfter=" + slapd.env().get("MAX_FAILURE"),
                    "mustChange=true", "safeModify=false");
        });
    }

    @Test
    void health_saysWhenThePolicyCannotBeRead() throws Exception {
        Directories directories = slapd.directories(config -> OpenLdapDirectory.ldapBlock(config)
                .put("defaultPolicyDn", "cn=missing," + slapd.env().get("BASE_DN")));

        assertThat(directories.health()).singleElement().satisfies(health -> {
            assertThat(health.reachable()).isTrue();
            assertThat(health.passwordPolicy()).isEmpty();
            assertThat(health.problem()).contains("cn=missing");
        });
    }
}
