package dev.writeback.agent.hashsync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Samba source's reading of {@code samba-tool user syncpasswords} output, with a stand-in script that prints
 * what samba-tool prints (the real one runs in SambaHashSyncIT against a Samba DC).
 */
class SambaHashSourceTest {
    private static final String STAFF = "OU=Staff,DC=corp,DC=example";
    private static final String PREFIX = "Thu Dec  3 12:30:07 2026: pid[5978]: ";
    private static final byte[] ALICE_NT = HexFormat.of().parseHex("00112233445566778899aabbccddeeff");
    private static final byte[] BOB_NT = HexFormat.of().parseHex("ffeeddccbbaa99887766554433221100");
    private static final String ALICE_GUID = "6a96ca00-4539-448f-9a6f-efe02b9d10e3";
    private static final String BOB_GUID = "387d0345-0bdc-4d30-8319-f268946e4882";

    @TempDir
    Path dir;

    @Test
    void anchor_isTheObjectGuidBytesAsAdStoresThem() {
        // the first three fields little-endian, the last two as written
        byte[] raw = HexFormat.of().parseHex("00ca966a39458f449a6fefe02b9d10e3");
        assertThat(SambaHashSource.anchorOf(ALICE_GUID)).isEqualTo("guid:" + Base64.getEncoder().encodeToString(raw));
    }

    @Test
    void theFirstRead_initializesTheCache_andAnswersTheUsersInScope() throws Exception {
        var source = source(List.of(output(
                dirsync(ALICE_GUID, "CN=alice," + STAFF),
                passwords(ALICE_GUID, "CN=alice," + STAFF, "alice@corp.example", 134407745362611530L, 512, ALICE_NT),
                passwords(BOB_GUID, "CN=bob," + STAFF, "bob@corp.example", 0, 514, BOB_NT),
                passwords("14032f5b-b2f4-4f50-9649-2ae8a196af7f", "CN=out,CN=Users,DC=corp,DC=example", "out@corp.example",
                        1, 512, ALICE_NT))));

        Map<String, SourceUser> users = byUpn(source.users());

        assertThat(users).containsOnlyKeys("alice@corp.example", "bob@corp.example");
        SourceUser alice = users.get("alice@corp.example");
        assertThat(alice.anchor()).isEqualTo(SambaHashSource.anchorOf(ALICE_GUID));
        assertThat(alice.ntHash()).isEqualTo(ALICE_NT);
        assertThat(alice.stamp()).isEqualTo(134407745362611530L);
        assertThat(alice.mustChange()).isFalse();
        assertThat(alice.enabled()).isTrue();
        SourceUser bob = users.get("bob@corp.example");
        assertThat(bob.mustChange()).as("pwdLastSet 0").isTrue();
        assertThat(bob.enabled()).as("userAccountControl 514").isFalse();
        assertThat(Files.readString(dir.resolve("calls"))).startsWith("user syncpasswords --cache-ldb-initialize");
    }

    @Test
    void laterReads_applyTheChanges_toWhatWasRead() throws Exception {
        var source = source(List.of(
                output(passwords(ALICE_GUID, "CN=alice," + STAFF, "alice@corp.example", 1, 512, ALICE_NT),
                        passwords(BOB_GUID, "CN=bob," + STAFF, "bob@corp.example", 2, 512, BOB_NT)),
                output(deleted(BOB_GUID),
                        passwords(ALICE_GUID, "CN=alice," + STAFF, "alice@corp.example", 3, 512, BOB_NT))));
        source.users().forEach(SourceUser::wipe);

        Map<String, SourceUser> users = byUpn(source.users());

        assertThat(users).containsOnlyKeys("alice@corp.example");
        assertThat(users.get("alice@corp.example").stamp()).isEqualTo(3);
        assertThat(users.get("alice@corp.example").ntHash()).isEqualTo(BOB_NT);
        assertThat(Files.readAllLines(dir.resolve("calls"))).hasSize(3);   // one initialization, two reads
    }

    @Test
    void foldedLines_andBase64Values_areRead() throws Exception {
        String dn = "CN=Jos\u00e9," + STAFF;
        String ldif = PREFIX + "# Passwords[0] " + ALICE_GUID + " S-1-5-21-1-2-3-1106\n"
                + "dn:: " + b64(dn.getBytes(StandardCharsets.UTF_8)) + "\n"
                + "objectGUID: " + ALICE_GUID + "\n"
                + "userPrincipalName: jose-with-a-rather-long-name-that-samba-folds@cor\n"
                + " p.example\n"
                + "pwdLastSet: 7\n"
                + "userAccountControl: 512\n"
                + "unicodePwd:: " + b64(ALICE_NT) + "\n\n";
        var source = source(List.of(ldif));

        SourceUser jose = source.users().get(0);

        assertThat(jose.upn()).isEqualTo("jose-with-a-rather-long-name-that-samba-folds@corp.example");
        assertThat(jose.ntHash()).isEqualTo(ALICE_NT);
    }

    @Test
    void aFullRead_startsFromAFreshCache() throws Exception {
        var source = source(List.of(
                output(passwords(ALICE_GUID, "CN=alice," + STAFF, "alice@corp.example", 1, 512, ALICE_NT)),
                output(passwords(BOB_GUID, "CN=bob," + STAFF, "bob@corp.example", 2, 512, BOB_NT))));
        source.users();

        assertThat(byUpn(source.users(true))).containsOnlyKeys("bob@corp.example");   // what the fresh cache returned
        assertThat(Files.readAllLines(dir.resolve("calls")).stream().filter(l -> l.contains("--cache-ldb-initialize")))
                .hasSize(2);
    }

    @Test
    void aFailingSambaTool_isAnErrorNamingItsExitAndMessage_withoutAnyHash() throws Exception {
        Path script = script("""
                echo "ERROR(ldb): Failed to connect to 'ldapi:///var/lib/samba/private/ldap_priv/ldapi'" >&2
                exit 255
                """);
        var source = new SambaHashSource(new SambaHashSource.Settings(List.of("sh", script.toString()), null,
                dir.resolve("cache/sync.ldb"), List.of(STAFF), Duration.ofSeconds(30)));

        assertThatThrownBy(source::users).isInstanceOf(IOException.class)
                .hasMessageContaining("exited with 255")
                .hasMessageContaining("Failed to connect to 'ldapi:");
    }

    @Test
    void aMissingSambaTool_saysWhatWasExpected() {
        var source = new SambaHashSource(new SambaHashSource.Settings(List.of(dir.resolve("no-samba-tool").toString()),
                null, dir.resolve("cache/sync.ldb"), List.of(STAFF), Duration.ofSeconds(30)));

        assertThatThrownBy(source::users).isInstanceOf(IOException.class)
                .hasMessageContaining("samba-tool not started")
                .hasMessageContaining("expected: the agent on a Samba DC");
    }

    @Test
    void aHangingSambaTool_isStoppedAfterItsTimeout() throws Exception {
        Path script = script("exec sleep 60\n");
        var source = new SambaHashSource(new SambaHashSource.Settings(List.of("sh", script.toString()), null,
                dir.resolve("cache/sync.ldb"), List.of(STAFF), Duration.ofMillis(300)));

        assertThatThrownBy(source::users).isInstanceOf(IOException.class).hasMessageContaining("exited with");
    }

    /** A source whose samba-tool prints {@code outputs} in turn, one per {@code --no-wait} run. */
    private SambaHashSource source(List<String> outputs) throws IOException {
        for (int i = 0; i < outputs.size(); i++) {
            Files.writeString(dir.resolve("out" + i), outputs.get(i));
        }
        Files.writeString(dir.resolve("next"), "0");
        Path script = script("""
                echo "$*" >> "%1$s/calls"
                case "$*" in
                  *--cache-ldb-initialize*) echo "Initialized cache_ldb"; exit 0 ;;
                esac
                n=$(cat "%1$s/next"); echo $((n + 1)) > "%1$s/next"
                cat "%1$s/out$n"
                """.formatted(dir));
        return new SambaHashSource(new SambaHashSource.Settings(List.of("sh", script.toString()), null,
                dir.resolve("cache/sync.ldb"), List.of(STAFF), Duration.ofSeconds(30)));
    }

    private Path script(String body) throws IOException {
        Path script = dir.resolve("samba-tool-" + System.nanoTime() + ".sh");
        Files.writeString(script, body);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }

    private static String output(String... blocks) {
        return PREFIX + "Using cache_ldb[/x]\n" + PREFIX + "Getting changes\n" + String.join("", blocks)
                + PREFIX + "dirsync_loop(): results 0\n";
    }

    /** The DirSync entry samba-tool logs before each user (secrets redacted). */
    private static String dirsync(String guid, String dn) {
        return PREFIX + "# Dirsync[0] " + guid + " S-1-5-21-1-2-3-1106\n"
                + "dn: <GUID=" + guid + ">;<SID=S-1-5-21-1-2-3-1106>;" + dn + "\n"
                + "objectGUID: " + guid + "\n"
                + "# unicodePwd::: REDACTED SECRET ATTRIBUTE\n\n";
    }

    private static String passwords(String guid, String dn, String upn, long pwdLastSet, int uac, byte[] nt) {
        return PREFIX + "# Passwords[0] " + guid + " S-1-5-21-1-2-3-1106\n"
                + "dn: " + dn + "\n"
                + "objectGUID: " + guid + "\n"
                + "userPrincipalName: " + upn + "\n"
                + "pwdLastSet: " + pwdLastSet + "\n"
                + "userAccountControl: " + uac + "\n"
                + "unicodePwd:: " + b64(nt) + "\n\n";
    }

    private static String deleted(String guid) {
        return PREFIX + "# Passwords[0] " + guid + " S-1-5-21-1-2-3-1107\n"
                + "dn: CN=bob\\0ADEL:" + guid + ",CN=Deleted Objects,DC=corp,DC=example\n"
                + "objectGUID: " + guid + "\n"
                + "isDeleted: TRUE\n\n";
    }

    private static String b64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    private static Map<String, SourceUser> byUpn(List<SourceUser> users) {
        return users.stream().collect(Collectors.toMap(SourceUser::upn, Function.identity()));
    }
}
