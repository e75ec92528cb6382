package dev.writeback.systemtests.samba;

import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.ldap.sdk.Attribute;
import dev.writeback.protocol.Anchor;
import dev.writeback.protocol.Outcome;
import dev.writeback.protocol.ResultCode;
import dev.writeback.protocol.Secret;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Finding the account for a cloud anchor, within the configured scopes, against Samba AD. */
class SambaAnchorIT {
    private static final String NEW_PASSWORD = "Anchor-Pass-31";

    @RegisterExtension
    static final SambaDomain samba = new SambaDomain();

    @ParameterizedTest
    @ValueSource(strings = {"upn", "sam", "dn", "guid-base64", "guid-uuid"})
    void reset_findsTheAccountByEachAnchorType(String form) throws Exception {
        TestUser user = samba.newUser();
        samba.newUser();   // a neighbour that must stay untouched

        Outcome outcome = samba.directories().reset(anchor(form, user), Secret.of(NEW_PASSWORD), true, false);

        assertThat(outcome.code()).as("%s", outcome).isEqualTo(ResultCode.SUCCESS);
        assertThat(samba.probe().bindFailure(user.dn(), NEW_PASSWORD)).isEmpty();
    }

    @Test
    void guid_matchesConsistencyGuidBeforeObjectGuid() throws Exception {
        TestUser original = samba.newUser();
        byte[] guid = samba.probe().objectGuid(original.dn());
        // A migrated account carries the original's objectGUID as its mS-DS-ConsistencyGuid.
        TestUser migrated = samba.newUser(new Attribute("mS-DS-ConsistencyGuid", guid));
        Anchor anchor = Anchor.parse("guid:" + Guids.base64(guid));

        Outcome outcome = samba.directories().reset(anchor, Secret.of(NEW_PASSWORD), true, false);

        assertThat(outcome.code()).as("%s", outcome).isEqualTo(ResultCode.SUCCESS);
        assertThat(samba.probe().bindFailure(migrated.dn(), NEW_PASSWORD)).isEmpty();
        assertThat(samba.probe().bindFailure(original.dn(), SambaDomain.INITIAL_PASSWORD)).isEmpty();
    }

    @Test
    void guid_findsProvisionedConsistencyGuid_asBase64AndAsUuidText() throws Exception {
        UUID consistencyGuid = UUID.fromString(samba.env().get("ALICE_CONSISTENCY_GUID"));
        var directories = samba.directories();

        Outcome byBase64 = directories.unlock(Anchor.parse("guid:" + Guids.base64(Guids.toRaw(consistencyGuid))));
        Outcome byText = directories.unlock(Anchor.parse("guid:" + consistencyGuid));

        assertThat(byBase64.code()).as("%s", byBase64).isEqualTo(ResultCode.SUCCESS);
        assertThat(byText.code()).as("%s", byText).isEqualTo(ResultCode.SUCCESS);
    }

    @Test
    void upn_findsAccountInSecondScope() throws Exception {
        Outcome outcome = samba.directories().unlock(samba.env().account("carol").upnAnchor());

        assertThat(outcome.code()).as("%s", outcome).isEqualTo(ResultCode.SUCCESS);
    }

    @Test
    void dn_outsideConfiguredScopes_isUserNotFound() throws Exception {
        TestUser outsider = samba.env().account("outsider");
        var directories = samba.directories();

        assertThat(directories.unlock(outsider.dnAnchor()).code()).isEqualTo(ResultCode.USER_NOT_FOUND);
        assertThat(directories.unlock(outsider.upnAnchor()).code()).isEqualTo(ResultCode.USER_NOT_FOUND);
        assertThat(directories.unlock(samba.env().account("alice").dnAnchor()).code()).isEqualTo(ResultCode.SUCCESS);
    }

    @Test
    void unknownAccount_isUserNotFound() throws Exception {
        var directories = samba.directories();

        for (String anchor : List.of("upn:nobody@writeback.test", "guid:" + UUID.randomUUID(),
                "dn:CN=nobody," + samba.env().get("STAFF_OU"))) {
            assertThat(directories.unlock(Anchor.parse(anchor)).code()).as(anchor).isEqualTo(ResultCode.USER_NOT_FOUND);
        }
    }

    private static Anchor anchor(String form, TestUser user) throws Exception {
        return switch (form) {
            case "upn" -> user.upnAnchor();
            case "sam" -> user.samAnchor();
            case "dn" -> user.dnAnchor();
            case "guid-base64" -> Anchor.parse("guid:" + Guids.base64(samba.probe().objectGuid(user.dn())));
            case "guid-uuid" -> Anchor.parse("guid:" + Guids.toUuid(samba.probe().objectGuid(user.dn())));
            default -> throw new IllegalArgumentException("anchor form: " + form);
        };
    }
}
