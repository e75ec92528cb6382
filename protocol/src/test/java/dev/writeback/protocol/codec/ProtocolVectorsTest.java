package dev.writeback.protocol.codec;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.writeback.protocol.ErrorCode;
import dev.writeback.protocol.FrameType;
import dev.writeback.protocol.Message;
import dev.writeback.protocol.Outcome;
import dev.writeback.protocol.PolicyReason;
import dev.writeback.protocol.RequestId;
import dev.writeback.protocol.ResultCode;
import dev.writeback.protocol.crypto.Envelope;
import dev.writeback.protocol.crypto.EnvelopeContext;
import dev.writeback.protocol.crypto.PackageKey;
import dev.writeback.protocol.crypto.Sealing;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Keeps docs/protocol.md honest: every frame vector decodes to the fields the document lists and re-encodes to
 * the same bytes, the envelope vectors are real AES-GCM that {@link Envelope} opens, and the code tables match the
 * enums.
 */
class ProtocolVectorsTest {
    private static final Set<String> ENVELOPE_VECTORS = Set.of("AUTH signed payload", "AAD", "RESULT plaintext", "SEALED_RESULT",
            "LOOKUP request plaintext", "LOOKUP result plaintext");
    private static final Pattern FIELD = Pattern.compile("^- ([A-Za-z0-9_.\\[\\]]+): (.*)$");
    private static final Pattern PATH_PART = Pattern.compile("(\\w+)(?:\\[(\\d+)])?");

    private static final String DOC = read(docPath());
    private static final Map<String, Vector> VECTORS = parseVectors(DOC);

    /** One {@code ### Vector:} section: its listed fields and its bytes. */
    record Vector(String name, Map<String, String> fields, byte[] bytes) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Vector> frameVectors() {
        return VECTORS.values().stream().filter(v -> !ENVELOPE_VECTORS.contains(v.name()));
    }

    @Test
    void doc_hasAFrameVectorForEveryFrameType_andTheEnvelopeVectors() {
        Set<String> types = frameVectors().map(v -> v.fields().get("type")).collect(Collectors.toSet());
        assertThat(types).containsExactlyInAnyOrderElementsOf(
                Stream.of(FrameType.values()).map(Enum::name).collect(Collectors.toList()));
        assertThat(VECTORS).containsKeys(ENVELOPE_VECTORS.toArray(String[]::new));
    }

    @ParameterizedTest
    @MethodSource("frameVectors")
    void frameVector_decodesToTheListedFields(Vector vector) {
        Message message = decode(vector.bytes());
        vector.fields().forEach((path, expected) ->
                assertThat(render(resolve(message, path))).as("%s: %s", vector.name(), path).isEqualTo(expected));
    }

    @ParameterizedTest
    @MethodSource("frameVectors")
    void frameVector_listsEveryField(Vector vector) {
        Message message = decode(vector.bytes());
        for (RecordComponent c : message.getClass().getRecordComponents()) {
            assertThat(vector.fields().keySet()).as("%s lists %s", vector.name(), c.getName())
                    .anyMatch(k -> k.equals(c.getName()) || k.startsWith(c.getName() + ".") || k.startsWith(c.getName() + "["));
        }
    }

    @ParameterizedTest
    @MethodSource("frameVectors")
    void frameVector_reencodesToTheSameBytes(Vector vector) {
        ByteBuf out = MessageCodec.encode(Unpooled.buffer().alloc(), decode(vector.bytes()));
        try {
            assertThat(HexFormat.of().formatHex(ByteBufUtil.getBytes(out))).isEqualTo(HexFormat.of().formatHex(vector.bytes()));
        } finally {
            out.release();
        }
    }

    @Test
    void signedPayloadVector_isWhatAuthSigns() {
        var v = VECTORS.get("AUTH signed payload");
        byte[] payload = Message.Auth.signedPayload(hex(v.fields().get("nonce")), text(v, "agentId"), text(v, "relayHost"),
                Long.parseLong(v.fields().get("timestampMillis")));
        assertThat(HexFormat.of().formatHex(payload)).isEqualTo(HexFormat.of().formatHex(v.bytes()));
    }

    @Test
    void aadVector_followsTheDocumentedLayout() {
        var v = VECTORS.get("AAD");
        ByteBuf aad = Unpooled.buffer();
        aad.writeByte(1).writeByte(FrameType.valueOf(v.fields().get("type")).wireValue())
                .writeBytes(RequestId.parse(v.fields().get("requestId")).toBytes());
        writeString(aad, text(v, "tenantId"));
        writeString(aad, text(v, "agentId"));
        aad.writeInt(Integer.parseInt(v.fields().get("keyVersion")));
        assertThat(ByteBufUtil.getBytes(aad)).isEqualTo(v.bytes());
        aad.release();
    }

    @Test
    void sealedResultVector_isAesGcmOfThePlaintextVector() throws Exception {
        var sealed = VECTORS.get("SEALED_RESULT");
        byte[] nonce = hex(sealed.fields().get("nonce"));
        var cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(hex(sealed.fields().get("packageKey")), "AES"),
                new GCMParameterSpec(Envelope.TAG_BYTES * 8, nonce));
        cipher.updateAAD(VECTORS.get("AAD").bytes());
        byte[] ciphertext = cipher.doFinal(VECTORS.get("RESULT plaintext").bytes());
        ByteBuf expected = Unpooled.buffer().writeInt(Integer.parseInt(sealed.fields().get("keyVersion")))
                .writeBytes(nonce).writeBytes(ciphertext);
        assertThat(sealed.bytes()).isEqualTo(ByteBufUtil.getBytes(expected));
        expected.release();
    }

    @Test
    void sealedResultVector_opensWithEnvelopeAndSealing_toTheListedOutcome() {
        var sealed = VECTORS.get("SEALED_RESULT");
        var aad = VECTORS.get("AAD");
        var context = new EnvelopeContext(FrameType.valueOf(aad.fields().get("type")),
                RequestId.parse(aad.fields().get("requestId")), text(aad, "tenantId"), text(aad, "agentId"));
        try (var key = PackageKey.of(Integer.parseInt(sealed.fields().get("keyVersion")), hex(sealed.fields().get("packageKey")))) {
            assertThat(Envelope.open(key, context, sealed.bytes())).isEqualTo(VECTORS.get("RESULT plaintext").bytes());
            Outcome outcome = Sealing.openResult(sealed.bytes(), context, key);
            VECTORS.get("RESULT plaintext").fields().forEach((path, expected) ->
                    assertThat(render(resolve(outcome, path))).as(path).isEqualTo(expected));
        }
    }

    @Test
    void lookupResultVector_opensToTheListedProfile() throws Exception {
        var sealed = VECTORS.get("SEALED_RESULT");
        var aad = VECTORS.get("AAD");
        byte[] nonce = hex(sealed.fields().get("nonce"));
        var cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(hex(sealed.fields().get("packageKey")), "AES"),
                new GCMParameterSpec(Envelope.TAG_BYTES * 8, nonce));
        cipher.updateAAD(aad.bytes());
        ByteBuf envelope = Unpooled.buffer().writeInt(Integer.parseInt(sealed.fields().get("keyVersion"))).writeBytes(nonce)
                .writeBytes(cipher.doFinal(VECTORS.get("LOOKUP result plaintext").bytes()));
        var context = new EnvelopeContext(FrameType.RESULT, RequestId.parse(aad.fields().get("requestId")),
                text(aad, "tenantId"), text(aad, "agentId"));
        try (var key = PackageKey.of(Integer.parseInt(sealed.fields().get("keyVersion")), hex(sealed.fields().get("packageKey")))) {
            Outcome outcome = Sealing.openResult(ByteBufUtil.getBytes(envelope), context, key);
            assertThat(outcome.profile()).isPresent();
            VECTORS.get("LOOKUP result plaintext").fields().forEach((path, expected) ->
                    assertThat(render(resolve(outcome, path))).as(path).isEqualTo(expected));
        } finally {
            envelope.release();
        }
    }

    @Test
    void lookupRequestVector_isWhatSealingWrites() throws Exception {
        var v = VECTORS.get("LOOKUP request plaintext");
        var request = dev.writeback.protocol.PasswordRequest.lookup("ada@corp.example",
                java.time.Instant.parse(v.fields().get("issuedAt")), java.time.Instant.parse(v.fields().get("expiresAt")));
        v.fields().forEach((path, expected) -> assertThat(render(resolve(request, path))).as(path).isEqualTo(expected));
        var context = new EnvelopeContext(FrameType.REQUEST, RequestId.parse(VECTORS.get("AAD").fields().get("requestId")),
                "tenant-1", "agent-7f3c");
        var rsa = java.security.KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        try (var key = PackageKey.of(1, hex(VECTORS.get("SEALED_RESULT").fields().get("packageKey")))) {
            byte[] sealed = Sealing.sealRequest(request, key, rsa.generateKeyPair().getPublic(), context,
                    new java.security.SecureRandom());
            assertThat(HexFormat.of().formatHex(Envelope.open(key, context, sealed))).isEqualTo(HexFormat.of().formatHex(v.bytes()));
        }
    }

    @Test
    void resultFrameVector_carriesTheSealedResultVector() {
        var result = (Message.Result) decode(VECTORS.get("RESULT").bytes());
        assertThat(result.sealed()).isEqualTo(VECTORS.get("SEALED_RESULT").bytes());
        assertThat(result.requestId()).hasToString(VECTORS.get("AAD").fields().get("requestId"));
    }

    @Test
    void frameTypeTable_matchesFrameType() {
        assertThat(table("### Frame types", 2)).isEqualTo(wireValues(FrameType.values(), FrameType::wireValue));
    }

    @Test
    void errorCodeTable_matchesErrorCode() {
        assertThat(table("### Error codes", 2)).isEqualTo(wireValues(ErrorCode.values(), ErrorCode::wireValue));
    }

    @Test
    void resultCodeTable_matchesResultCodeAndHttpStatus() {
        Map<String, String> documented = new LinkedHashMap<>();
        for (List<String> row : rows("### Result codes")) {
            for (int i = 0; i + 2 < row.size() && !row.get(i).isEmpty(); i += 3) {
                documented.put(row.get(i + 1), row.get(i) + " " + row.get(i + 2));
            }
        }
        Map<String, String> actual = new LinkedHashMap<>();
        for (ResultCode code : ResultCode.values()) {
            actual.put(code.name(), code.wireValue() + " " + code.httpStatus());
        }
        assertThat(documented).containsExactlyInAnyOrderEntriesOf(actual);
    }

    @Test
    void policyReasonTable_matchesPolicyReason() {
        assertThat(table("### Policy reasons", 2)).isEqualTo(wireValues(PolicyReason.values(), PolicyReason::wireValue));
    }

    private static Message decode(byte[] bytes) {
        ByteBuf in = Unpooled.wrappedBuffer(bytes);
        try {
            return MessageCodec.decode(in);
        } finally {
            in.release();
        }
    }

    /** Follows {@code a.b[0].c}, with {@code length} of byte arrays and {@code size} of lists. */
    private static Object resolve(Object root, String path) {
        Object current = root;
        for (String part : path.split("\\.")) {
            Matcher m = PATH_PART.matcher(part);
            assertThat(m.matches()).as("field path %s", path).isTrue();
            String name = m.group(1);
            if (current instanceof java.util.Optional<?> optional) {
                current = optional.orElseThrow();
            }
            if (current instanceof byte[] b && name.equals("length")) {
                current = b.length;
            } else if (current instanceof List<?> list && name.equals("size")) {
                current = list.size();
            } else {
                current = accessor(current, name);
            }
            if (m.group(2) != null) {
                current = ((List<?>) current).get(Integer.parseInt(m.group(2)));
            }
        }
        return current;
    }

    private static Object accessor(Object target, String name) {
        try {
            return target.getClass().getMethod(name).invoke(target);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(target.getClass().getSimpleName() + " has no field " + name, e);
        }
    }

    private static String render(Object value) {
        if (value instanceof byte[] b) {
            return HexFormat.of().formatHex(b);
        }
        if (value instanceof String s) {
            return "\"" + s + "\"";
        }
        if (value instanceof java.util.Optional<?> o) {
            return render(o.orElse(null));
        }
        if (value instanceof Enum<?> e) {
            return e.name();
        }
        return String.valueOf(value);
    }

    private static String text(Vector v, String field) {
        String quoted = v.fields().get(field);
        assertThat(quoted).as("%s: %s", v.name(), field).startsWith("\"").endsWith("\"");
        return quoted.substring(1, quoted.length() - 1);
    }

    private static void writeString(ByteBuf out, String s) {
        byte[] b = s.getBytes(UTF_8);
        out.writeShort(b.length).writeBytes(b);
    }

    private static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex);
    }

    private static <E extends Enum<E>> Map<String, String> wireValues(E[] values, java.util.function.ToIntFunction<E> wire) {
        Map<String, String> map = new LinkedHashMap<>();
        for (E e : values) {
            map.put(e.name(), String.valueOf(wire.applyAsInt(e)));
        }
        return map;
    }

    /** A table under {@code heading} as name → value, from its first column (value) and column {@code nameColumn}. */
    private static Map<String, String> table(String heading, int nameColumn) {
        Map<String, String> map = new LinkedHashMap<>();
        for (List<String> row : rows(heading)) {
            map.put(row.get(nameColumn - 1), row.get(0));
        }
        return map;
    }

    /** The body rows of the first table after {@code heading} whose first cell is a number. */
    private static List<List<String>> rows(String heading) {
        int start = DOC.indexOf("\n" + heading + "\n");
        assertThat(start).as("heading %s", heading).isNotNegative();
        var rows = new ArrayList<List<String>>();
        boolean inTable = false;
        for (String line : DOC.substring(start + heading.length() + 2).split("\n")) {
            if (line.startsWith("|")) {
                inTable = true;
                List<String> cells = Stream.of(line.substring(1, line.length() - 1).split("\\|")).map(String::strip)
                        .collect(Collectors.toList());
                if (cells.get(0).matches("\\d+")) {
                    rows.add(cells);
                }
            } else if (inTable) {
                break;
            }
        }
        assertThat(rows).as("rows under %s", heading).isNotEmpty();
        return rows;
    }

    private static Map<String, Vector> parseVectors(String doc) {
        Map<String, Vector> vectors = new LinkedHashMap<>();
        String name = null;
        Map<String, String> fields = new LinkedHashMap<>();
        StringBuilder hex = null;
        for (String line : doc.split("\n")) {
            if (line.startsWith("#")) {
                name = line.startsWith("### Vector: ") ? line.substring("### Vector: ".length()).strip() : null;
                fields = new LinkedHashMap<>();
            } else if (name != null && line.equals("```hex")) {
                hex = new StringBuilder();
            } else if (hex != null && line.equals("```")) {
                assertThat(vectors).as("duplicate vector %s", name).doesNotContainKey(name);
                vectors.put(name, new Vector(name, fields, HexFormat.of().parseHex(hex)));
                hex = null;
                name = null;
            } else if (hex != null) {
                int comment = line.indexOf('#');
                hex.append((comment < 0 ? line : line.substring(0, comment)).replaceAll("\\s", ""));
            } else if (name != null) {
                Matcher m = FIELD.matcher(line);
                if (m.matches()) {
                    fields.put(m.group(1), m.group(2).strip());
                }
            }
        }
        assertThat(vectors).as("vectors in docs/protocol.md").hasSizeGreaterThan(FrameType.values().length);
        return vectors;
    }

    private static Path docPath() {
        for (Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("docs").resolve("protocol.md");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError("docs/protocol.md: not found above " + System.getProperty("user.dir"));
    }

    private static String read(Path path) {
        try {
            return Files.readString(path, UTF_8).replace("\r\n", "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
