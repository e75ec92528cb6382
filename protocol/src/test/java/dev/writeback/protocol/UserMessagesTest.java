package dev.writeback.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Locale;
import org.junit.jupiter.api.Test;

class UserMessagesTest {
    @Test
    void everyResultCodeAndPolicyReason_hasATextInEveryLanguage() {
        for (Locale locale : UserMessages.SUPPORTED) {
            for (ResultCode code : ResultCode.values()) {
                assertThat(UserMessages.result(code, locale, "IT")).as(locale + " " + code).isNotBlank()
                        .doesNotContain("{0}");
            }
            for (PolicyReason reason : PolicyReason.values()) {
                assertThat(UserMessages.policy(reason, locale, 8)).as(locale + " " + reason).isNotBlank()
                        .doesNotContain("{0}");
            }
        }
    }

    @Test
    void bothLanguages_haveTheSameKeys() {
        assertThat(UserMessages.keys(Locale.KOREAN)).isEqualTo(UserMessages.keys(Locale.ENGLISH));
    }

    @Test
    void koreanIsKorean_andAnUnknownLanguageIsEnglish() {
        assertThat(UserMessages.result(ResultCode.BUSY, Locale.KOREAN, null)).contains("1분");
        assertThat(UserMessages.result(ResultCode.BUSY, Locale.GERMAN, null))
                .isEqualTo(UserMessages.result(ResultCode.BUSY));
    }

    @Test
    void theContact_isTheTenantsOrTheDefault() {
        assertThat(UserMessages.result(ResultCode.AGENT_OFFLINE, Locale.ENGLISH, "the IT desk on 1234"))
                .endsWith("contact the IT desk on 1234.");
        assertThat(UserMessages.result(ResultCode.AGENT_OFFLINE)).endsWith("contact your help desk.");
        assertThat(UserMessages.result(ResultCode.AGENT_OFFLINE, Locale.KOREAN, " ")).contains("헬프데스크");
        assertThat(UserMessages.policy(PolicyReason.TOO_SHORT, Locale.ENGLISH, 12)).contains("at least 12 characters");
        assertThat(UserMessages.policy(PolicyReason.MIN_AGE, Locale.ENGLISH, null)).endsWith("contact your help desk.");
        assertThat(UserMessages.policy(PolicyReason.TOO_SHORT, Locale.KOREAN, null)).doesNotContain("{0}").contains("짧습니다");
    }

    @Test
    void theResultsThatMayHaveBeenApplied_sayso_andTheOthersSayNothingChanged() {
        for (ResultCode code : new ResultCode[] {ResultCode.TIMEOUT, ResultCode.OUTCOME_UNKNOWN}) {
            assertThat(UserMessages.result(code)).contains("may or may not have been applied");
        }
        for (ResultCode code : new ResultCode[] {ResultCode.AGENT_OFFLINE, ResultCode.BUSY, ResultCode.EXPIRED,
            ResultCode.DIRECTORY_UNAVAILABLE, ResultCode.REJECTED_MESSAGE}) {
            assertThat(UserMessages.result(code)).contains("nothing was changed");
        }
    }

    @Test
    void anUnknownKey_failsNamingIt() {
        assertThatThrownBy(() -> UserMessages.format(Locale.KOREAN, "result.NOPE"))
                .hasMessageContaining("result.NOPE").hasMessageContaining("user-messages_ko.properties");
    }
}
