package dev.writeback.agent.embedded;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import dev.writeback.protocol.Secret;
import dev.writeback.protocol.files.OwnerOnly;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Arrays;

/** The agent's service account in the embedded directory: a generated password, kept in an owner-only file. */
final class ServiceAccount {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789-_.+!";
    private static final int LENGTH = 32;

    private ServiceAccount() {}

    /** Generates the password on first start, then sets it on the account so the file and the directory agree. */
    static void ensurePassword(InMemoryDirectoryServer server, String dn, Path file, Clock clock)
            throws IOException, LDAPException {
        if (!Files.exists(file)) {
            write(file, generate());
        }
        byte[] utf8 = Files.readAllBytes(file);
        try {
            int length = utf8.length;
            while (length > 0 && (utf8[length - 1] == '\n' || utf8[length - 1] == '\r')) {
                length--;
            }
            server.modify(dn,
                    new Modification(ModificationType.REPLACE, "userPassword", Arrays.copyOf(utf8, length)),
                    new Modification(ModificationType.REPLACE, "pwdLastSet", Long.toString(FileTime.of(clock.instant()))),
                    new Modification(ModificationType.REPLACE, "lockoutTime", "0"),
                    new Modification(ModificationType.REPLACE, "badPwdCount", "0"));
        } finally {
            Arrays.fill(utf8, (byte) 0);
        }
    }

    static Secret readPassword(Path file) throws IOException {
        byte[] utf8 = Files.readAllBytes(file);
        try {
            Secret secret = Secret.fromUtf8(utf8);
            char[] chars = secret.reveal();
            try {
                int length = chars.length;
                while (length > 0 && (chars[length - 1] == '\n' || chars[length - 1] == '\r')) {
                    length--;
                }
                if (length == chars.length) {
                    return secret;
                }
                secret.close();
                return Secret.of(Arrays.copyOf(chars, length));
            } finally {
                Arrays.fill(chars, '\0');
            }
        } finally {
            Arrays.fill(utf8, (byte) 0);
        }
    }

    private static char[] generate() {
        char[] password = new char[LENGTH];
        do {
            for (int i = 0; i < LENGTH; i++) {
                password[i] = ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length()));
            }
        } while (!AdPasswordRules.meetsComplexity(password, "svc-writeback", null));
        return password;
    }

    private static void write(Path file, char[] password) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        ByteBuffer utf8 = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
        try {
            Files.deleteIfExists(tmp);
            Files.createFile(tmp);
            OwnerOnly.restrict(tmp);
            byte[] bytes = Arrays.copyOfRange(utf8.array(), utf8.position(), utf8.limit());
            try {
                Files.write(tmp, bytes);
            } finally {
                Arrays.fill(bytes, (byte) 0);
            }
            OwnerOnly.moveAtomically(tmp, file);
        } finally {
            Arrays.fill(utf8.array(), (byte) 0);
            Arrays.fill(password, '\0');
        }
    }
}
