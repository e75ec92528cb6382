package dev.writeback.protocol.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.writeback.protocol.ErrorCode;
import dev.writeback.protocol.ProtocolException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.RSAPrivateKeySpec;
import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import org.junit.jupiter.api.Test;

class NativeRsaTest {
    private static final OAEPParameterSpec OAEP_SHA256 =
            new OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT);

    @Test
    void provider_onLinuxX86WithTheJarPresent_isTheNativeOne() {
        assumeTrue(System.getProperty("os.name").toLowerCase().contains("linux")
                && System.getProperty("os.arch").matches("amd64|x86_64"), "the test jar carries linux-x86_64 natives only");
        assertThat(NativeRsa.provider()).isPresent();
        assertThat(RsaOaep.privateKeyProvider()).startsWith("AmazonCorrettoCryptoProvider");
    }

    @Test
    void decrypt_opensWhatTheJdkSealed_andTheJdkOpensWhatWasSealed() throws Exception {
        byte[] plaintext = "p\u00e4ssw\u00f6rd \uD83D\uDD11 block".getBytes(StandardCharsets.UTF_8);
        byte[] byJdk = jdk(Cipher.ENCRYPT_MODE, TestKeys.RSA.getPublic()).doFinal(plaintext);
        assertThat(RsaOaep.decrypt(TestKeys.RSA.getPrivate(), byJdk)).isEqualTo(plaintext);

        byte[] byRsaOaep = RsaOaep.encrypt(TestKeys.RSA.getPublic(), plaintext, TestKeys.RANDOM);
        assertThat(jdk(Cipher.DECRYPT_MODE, TestKeys.RSA.getPrivate()).doFinal(byRsaOaep)).isEqualTo(plaintext);
    }

    @Test
    void decrypt_tamperedBlockOrOtherKey_isBadTagOnEitherProvider() {
        byte[] sealed = RsaOaep.encrypt(TestKeys.RSA.getPublic(), new byte[32], TestKeys.RANDOM);
        byte[] tampered = sealed.clone();
        tampered[tampered.length / 2] ^= 0x01;
        assertThatThrownBy(() -> RsaOaep.decrypt(TestKeys.RSA.getPrivate(), tampered))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_TAG));
        assertThatThrownBy(() -> RsaOaep.decrypt(TestKeys.OTHER_RSA.getPrivate(), sealed))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_TAG));
    }

    @Test
    void decrypt_privateKeyWithoutCrtParameters_stillOpens() throws Exception {
        RSAPrivateCrtKey crt = (RSAPrivateCrtKey) TestKeys.RSA.getPrivate();
        PrivateKey plain = KeyFactory.getInstance("RSA")
                .generatePrivate(new RSAPrivateKeySpec(crt.getModulus(), crt.getPrivateExponent()));
        byte[] sealed = RsaOaep.encrypt(TestKeys.RSA.getPublic(), BigInteger.TEN.toByteArray(), TestKeys.RANDOM);
        assertThat(RsaOaep.decrypt(plain, sealed)).isEqualTo(BigInteger.TEN.toByteArray());
    }

    @Test
    void nativeKey_isTranslatedOncePerKey() throws Exception {
        assumeTrue(NativeRsa.provider().isPresent(), "no native provider on this platform");
        var provider = NativeRsa.provider().get();
        PrivateKey first = NativeRsa.nativeKey(provider, TestKeys.RSA.getPrivate());
        assertThat(NativeRsa.nativeKey(provider, TestKeys.RSA.getPrivate())).isSameAs(first);
        assertThat(NativeRsa.nativeKey(provider, TestKeys.OTHER_RSA.getPrivate())).isNotSameAs(first);
        assertThat(first).isInstanceOf(RSAPrivateCrtKey.class);
        assertThat(((RSAPrivateCrtKey) first).getModulus()).isEqualTo(((RSAPrivateCrtKey) TestKeys.RSA.getPrivate()).getModulus());
    }

    @Test
    void select_jdk_turnsTheNativeProviderOff() {
        assertThat(NativeRsa.select("jdk")).isEmpty();
        assertThat(NativeRsa.select(" JDK ")).isEmpty();
    }

    @Test
    void select_unknownSetting_namesThePropertyAndTheChoices() {
        assertThatThrownBy(() -> NativeRsa.select("openssl"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("writeback.crypto.provider: openssl (expected: auto or jdk)");
    }

    private static Cipher jdk(int mode, java.security.Key key) throws Exception {
        Cipher c = Cipher.getInstance("RSA/ECB/OAEPPadding", "SunJCE");
        c.init(mode, key, OAEP_SHA256);
        return c;
    }
}
