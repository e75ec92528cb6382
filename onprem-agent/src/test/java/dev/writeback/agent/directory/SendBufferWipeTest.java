package dev.writeback.agent.directory;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SendBufferWipeTest {
    @Test
    void sdkInternals_areFound() {
        assertThat(SendBufferWipe.available()).as("the LDAP SDK moved its send buffers: see SendBufferWipe").isTrue();
    }

    @Test
    void wipingStream_writesEverythingInOrder_andZeroesItsBufferOnFlush() throws Exception {
        var sink = new ByteArrayOutputStream();
        var out = new SendBufferWipe.WipingOutputStream(sink);
        byte[] secret = "\"Secret-Pass-1\"".getBytes(StandardCharsets.UTF_16LE);

        out.write(0x30);
        out.write(secret, 0, secret.length);
        assertThat(sink.size()).as("buffered until flush").isZero();
        out.flush();

        byte[] expected = new byte[secret.length + 1];
        expected[0] = 0x30;
        System.arraycopy(secret, 0, expected, 1, secret.length);
        assertThat(sink.toByteArray()).isEqualTo(expected);
        assertThat(buffer(out)).containsOnly((byte) 0);
    }

    @Test
    void wipingStream_largeWrite_passesThroughAfterWhatWasBuffered() throws Exception {
        var sink = new ByteArrayOutputStream();
        var out = new SendBufferWipe.WipingOutputStream(sink);
        byte[] large = new byte[10_000];
        large[9_999] = 7;

        out.write(1);
        out.write(large, 0, large.length);
        out.flush();

        assertThat(sink.size()).isEqualTo(10_001);
        assertThat(sink.toByteArray()[0]).isEqualTo((byte) 1);
        assertThat(sink.toByteArray()[10_000]).isEqualTo((byte) 7);
        assertThat(buffer(out)).containsOnly((byte) 0);
    }

    private static byte[] buffer(SendBufferWipe.WipingOutputStream out) throws Exception {
        Field f = SendBufferWipe.WipingOutputStream.class.getDeclaredField("buffer");
        f.setAccessible(true);
        return (byte[]) f.get(out);
    }
}
