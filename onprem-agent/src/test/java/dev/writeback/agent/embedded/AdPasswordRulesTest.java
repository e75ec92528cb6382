package dev.writeback.agent.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AdPasswordRulesTest {
    @Test
    void meetsComplexity_threeCategories_passes() {
        assertThat(AdPasswordRules.meetsComplexity("Engine-1843".toCharArray(), "ada", "Ada Lovelace")).isTrue();
    }

    @Test
    void meetsComplexity_twoCategories_fails() {
        assertThat(AdPasswordRules.meetsComplexity("engine1843".toCharArray(), "ada", null)).isFalse();
    }

    @Test
    void meetsComplexity_containsNames_fails() {
        assertThat(AdPasswordRules.meetsComplexity("xADAx-1234".toCharArray(), "ada", null)).isFalse();
        assertThat(AdPasswordRules.meetsComplexity("Lovelace-99".toCharArray(), "ada", "Ada Lovelace")).isFalse();
    }
}
