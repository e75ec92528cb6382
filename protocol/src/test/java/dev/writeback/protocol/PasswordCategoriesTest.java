package dev.writeback.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PasswordCategoriesTest {
    private static int count(String password) {
        return PasswordCategories.count(password.toCharArray());
    }

    @Test
    void countsAdsFiveCategories() {
        assertThat(count("abc")).isEqualTo(1);
        assertThat(count("Abc1")).isEqualTo(3);
        assertThat(count("Abc1!")).isEqualTo(4);
        assertThat(count("Abc1! 가")).as("Hangul is a letter that is neither upper nor lower case").isEqualTo(5);
    }

    @Test
    void currencySymbols_countInNoCategory() {
        assertThat(count("abc€€€1")).as("AD refuses this as not complex").isEqualTo(2);
        assertThat(count("abc££1")).isEqualTo(2);
    }
}
