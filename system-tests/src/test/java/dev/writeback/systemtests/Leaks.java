package dev.writeback.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HexFormat;
import java.util.stream.Stream;

/** The "no secret in anything the system wrote" check: logs, audit answers and every file under a directory. */
public final class Leaks {
    private Leaks() {}

    /** Fails if any secret appears, as text or as UTF-8 hex, in {@code written} or in a file under {@code root}. */
    public static void assertNoSecrets(Collection<String> secrets, Path root, String... written) throws IOException {
        String everything = String.join("\n", written) + "\n" + filesUnder(root);
        for (String secret : secrets) {
            assertThat(everything).as("logs, audit and files must not contain a password").doesNotContain(secret);
            assertThat(everything).doesNotContain(HexFormat.of().formatHex(secret.getBytes(StandardCharsets.UTF_8)));
        }
    }

    /**
     * Fails if a mailed one-time code appears as a number of its own (digits on neither side) in {@code written} or
     * a file under {@code root}. Only as a number of its own: a short code occurs by chance inside longer numbers
     * such as millisecond timestamps, which would make a plain substring check fail now and then.
     */
    public static void assertNoCodes(Collection<String> codes, Path root, String... written) throws IOException {
        String everything = String.join("\n", written) + "\n" + filesUnder(root);
        for (String code : codes) {
            assertThat(java.util.regex.Pattern.compile("(?<![0-9])" + code + "(?![0-9])").matcher(everything).find())
                    .as("logs, audit and files must not contain a mailed code").isFalse();
        }
    }

    /** Fails if any of {@code values} appears, as raw bytes, in a file under {@code root} ({@code what} names them). */
    public static void assertNoBytes(Collection<byte[]> values, Path root, String what) throws IOException {
        String files = filesUnder(root);   // ISO-8859-1: one char per byte
        for (byte[] value : values) {
            assertThat(files.contains(new String(value, StandardCharsets.ISO_8859_1))).as(what + " in a file under " + root)
                    .isFalse();
        }
    }

    static String filesUnder(Path root) throws IOException {
        var sb = new StringBuilder();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                sb.append(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)).append('\n');
            }
        }
        return sb.toString();
    }
}
