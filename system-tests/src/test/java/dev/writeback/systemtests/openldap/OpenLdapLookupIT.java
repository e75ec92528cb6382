package dev.writeback.systemtests.openldap;

import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.ldap.sdk.Attribute;
import dev.writeback.protocol.AccountProfile;
import dev.writeback.protocol.Anchor;
import dev.writeback.protocol.Outcome;
import dev.writeback.protocol.ResultCode;
import dev.writeback.protocol.Secret;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * LOOKUP against a real slapd with ppolicy: the typed id matched against the anchor attributes and mail, the
 * ppolicy state (lock, administrative lock, pwdReset), the protected filter, the contact attributes and the
 * password policy that applies; scopes and filter injection.
 */
class OpenLdapLookupIT {
    @RegisterExtension
    static final OpenLdapDirectory slapd = new OpenLdapDirectory();

    @Test
    void uidOrMail_answersOneProfile_whoseAnchorResetsTheEntry() throws Exception {
        LdapUser user = slapd.newUser(new Attribute("mobile", "+82 10 5555 0101"),
                new Attribute("telephoneNumber", "+82 2 555 0102"), new Attribute("displayName", "Lookup Person"));

        for (String typed : List.of(user.uid(), user.mail())) {
            Outcome outcome = slapd.directories().lookup(typed);
            assertThat(outcome.code()).as("%s %s", typed, outcome).isEqualTo(ResultCode.SUCCESS);
            AccountProfile profile = outcome.profile().orElseThrow();
            assertThat(profile.anchor().type()).isEqualTo(Anchor.Type.GUID);
            assertThat(profile.anchor().value()).isEqualTo(slapd.probe().value(user.dn(), "entryUUID"));
            assertThat(profile.displayName()).isEqualTo("Lookup Person");
            assertThat(profile.enabled()).isTrue();
            assertThat(profile.locked()).isFalse();
            assertThat(profile.mustChange()).isFalse();
            assertThat(profile.protectedAccount()).isFalse();
            assertThat(profile.mail()).containsExactly(user.mail());
            assertThat(profile.mobile()).containsExactly("+82 10 5555 0101");
            assertThat(profile.telephone()).containsExactly("+82 2 555 0102");
            assertThat(profile.policy().known()).isTrue();
            assertThat(profile.policy().minLength()).isEqualTo(Integer.parseInt(slapd.env().get("MIN_PASSWORD_LENGTH")));
            assertThat(profile.policy().history()).isEqualTo(Integer.parseInt(slapd.env().get("HISTORY_LENGTH")));
        }

        Anchor anchor = slapd.directories().lookup(user.uid()).profile().orElseThrow().anchor();
        Outcome reset = slapd.directories().reset(anchor, Secret.of("Looked-Up-Ldap-21"), true, false);
        assertThat(reset.code()).as("%s", reset).isEqualTo(ResultCode.SUCCESS);
        assertThat(slapd.probe().bindFailure(user.dn(), "Looked-Up-Ldap-21")).isEmpty();
    }

    @Test
    void lockedAdministrativelyLockedMustChangeAndProtected_areReported() throws Exception {
        LdapUser locked = slapd.newLockedUser();
        LdapUser disabled = slapd.newUser(new Attribute("pwdAccountLockedTime", "000001010000Z"));
        LdapUser mustChange = slapd.newUser(new Attribute("pwdReset", "TRUE"));
        LdapUser admin = slapd.newUser();
        slapd.probe().add(slapd.env().get("ADMINS_GROUP_DN"), "member", admin.dn());

        AccountProfile lockedProfile = slapd.directories().lookup(locked.uid()).profile().orElseThrow();
        AccountProfile disabledProfile = slapd.directories().lookup(disabled.uid()).profile().orElseThrow();
        AccountProfile mustChangeProfile = slapd.directories().lookup(mustChange.uid()).profile().orElseThrow();
        AccountProfile adminProfile = slapd.directories().lookup(admin.uid()).profile().orElseThrow();
        AccountProfile allowedAdmin = slapd.directories(config -> config.put("allowProtectedAccounts", true))
                .lookup(admin.uid()).profile().orElseThrow();

        assertThat(lockedProfile.locked()).isTrue();
        assertThat(lockedProfile.enabled()).isTrue();
        assertThat(disabledProfile.enabled()).isFalse();
        assertThat(mustChangeProfile.mustChange()).isTrue();
        assertThat(mustChangeProfile.locked()).isFalse();
        assertThat(adminProfile.protectedAccount()).isTrue();
        assertThat(allowedAdmin.protectedAccount()).isFalse();
    }

    @Test
    void outsideTheScopes_unknown_andFilterInjection_areUserNotFound() throws Exception {
        LdapUser outsider = slapd.newUserIn(slapd.env().get("PARTNERS_OU"));
        slapd.newUser();

        for (String typed : List.of(outsider.uid(), outsider.mail(), "nobody-at-all", "*", "*)(uid=*", "a*")) {
            Outcome outcome = slapd.directories().lookup(typed);
            assertThat(outcome.code()).as("%s %s", typed, outcome).isEqualTo(ResultCode.USER_NOT_FOUND);
            assertThat(outcome.profile()).isEmpty();
        }
    }

    @Test
    void matchAndContactAttributes_areConfigurable() throws Exception {
        LdapUser user = slapd.newUser(new Attribute("employeeNumber", "E-9001"), new Attribute("homePhone", "+82 31 555 0103"));
        var directories = slapd.directories(config -> config.put("lookup", new java.util.LinkedHashMap<>(java.util.Map.of(
                "match", List.of("employeeNumber"), "telephone", "homePhone"))));

        Outcome byNumber = directories.lookup("E-9001");
        Outcome byUid = directories.lookup(user.uid());

        assertThat(byNumber.code()).as("%s", byNumber).isEqualTo(ResultCode.SUCCESS);
        assertThat(byNumber.profile().orElseThrow().telephone()).containsExactly("+82 31 555 0103");
        assertThat(byUid.code()).as("uid is not matched now: %s", byUid).isEqualTo(ResultCode.USER_NOT_FOUND);
    }

    @Test
    void twoEntriesWithTheSameMail_areMultipleMatches() throws Exception {
        LdapUser first = slapd.newUser();
        slapd.newUserIn(slapd.env().get("CONTRACTORS_OU"), new Attribute("mail", first.mail()));

        Outcome outcome = slapd.directories().lookup(first.mail());

        assertThat(outcome.code()).as("%s", outcome).isEqualTo(ResultCode.MULTIPLE_MATCHES);
    }
}
