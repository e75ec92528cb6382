package dev.writeback.systemtests.samba;

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
 * LOOKUP against Samba AD: a typed UPN, sAMAccountName or mail finds one user in the scopes, with the state a
 * portal decides on (enabled, locked, must change, protected), its contact attributes and the domain policy.
 */
class SambaLookupIT {
    @RegisterExtension
    static final SambaDomain samba = new SambaDomain();

    @Test
    void upnSamOrMail_answerTheSameProfile_whoseAnchorResetsTheAccount() throws Exception {
        String mail = "lookup-" + System.nanoTime() + "@mail.writeback.test";
        TestUser user = samba.newUser(new Attribute("mail", mail), new Attribute("mobile", "+82 10 5555 0201"),
                new Attribute("otherMailbox", "private-" + mail), new Attribute("displayName", "Samba Lookup"));
        byte[] guid = samba.probe().objectGuid(user.dn());

        for (String typed : List.of(user.upn(), user.sam(), mail)) {
            Outcome outcome = samba.directories().lookup(typed);
            assertThat(outcome.code()).as("%s %s", typed, outcome).isEqualTo(ResultCode.SUCCESS);
            AccountProfile profile = outcome.profile().orElseThrow();
            assertThat(profile.anchor()).isEqualTo(Anchor.parse("guid:" + Guids.base64(guid)));
            assertThat(profile.displayName()).isEqualTo("Samba Lookup");
            assertThat(profile.enabled()).isTrue();
            assertThat(profile.locked()).isFalse();
            assertThat(profile.protectedAccount()).isFalse();
            assertThat(profile.mail()).containsExactly(mail);
            assertThat(profile.otherMailbox()).containsExactly("private-" + mail);
            assertThat(profile.mobile()).containsExactly("+82 10 5555 0201");
            assertThat(profile.policy().known()).isTrue();
            assertThat(profile.policy().minLength()).isEqualTo(Integer.parseInt(samba.env().get("MIN_PASSWORD_LENGTH")));
            assertThat(profile.policy().history()).isEqualTo(Integer.parseInt(samba.env().get("HISTORY_LENGTH")));
            assertThat(profile.policy().complexity()).isTrue();
        }

        Anchor anchor = samba.directories().lookup(user.sam()).profile().orElseThrow().anchor();
        Outcome reset = samba.directories().reset(anchor, Secret.of("Looked-Up-Samba-31"), true, false);
        assertThat(reset.code()).as("%s", reset).isEqualTo(ResultCode.SUCCESS);
        assertThat(samba.probe().bindFailure(user.dn(), "Looked-Up-Samba-31")).isEmpty();
    }

    @Test
    void lockedDisabledProtectedAndMustChange_areReported() throws Exception {
        TestUser locked = samba.newUser();
        samba.probe().badBinds(locked.dn(), Integer.parseInt(samba.env().get("LOCKOUT_THRESHOLD")));
        TestUser mustChange = samba.newUser();
        assertThat(samba.directories().reset(mustChange.samAnchor(), Secret.of("Must-Change-Samba-32"), false, true)
                .code()).isEqualTo(ResultCode.SUCCESS);

        AccountProfile lockedProfile = samba.directories().lookup(locked.sam()).profile().orElseThrow();
        AccountProfile disabled = samba.directories().lookup(samba.env().account("dave").sam()).profile().orElseThrow();
        AccountProfile admin = samba.directories().lookup(samba.env().account("padmin").upn()).profile().orElseThrow();
        AccountProfile mustChangeProfile = samba.directories().lookup(mustChange.upn()).profile().orElseThrow();

        assertThat(lockedProfile.locked()).isTrue();
        assertThat(disabled.enabled()).isFalse();
        assertThat(admin.protectedAccount()).isTrue();
        assertThat(mustChangeProfile.mustChange()).isTrue();
        assertThat(mustChangeProfile.locked()).isFalse();
    }

    @Test
    void outsideTheScopes_unknown_andFilterInjection_areUserNotFound() throws Exception {
        TestUser outsider = samba.env().account("outsider");

        for (String typed : List.of(outsider.upn(), outsider.sam(), "nobody-at-all", "*", "*)(sAMAccountName=*", "a*")) {
            Outcome outcome = samba.directories().lookup(typed);
            assertThat(outcome.code()).as("%s %s", typed, outcome).isEqualTo(ResultCode.USER_NOT_FOUND);
            assertThat(outcome.profile()).isEmpty();
        }
    }
}
