package dev.writeback.protocol.files;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import java.io.IOException;
import dev.writeback.protocol.Durations;
import java.time.Duration;

/** Reads durations written as {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h} or ISO-8601 ({@code PT5S}). */
public final class DurationText extends StdScalarDeserializer<Duration> {
    private static final long serialVersionUID = 1L;

    public DurationText() {
        super(Duration.class);
    }

    @Override
    public Duration deserialize(JsonParser parser, DeserializationContext context) throws IOException {
        String text = parser.getValueAsString();
        try {
            return parse(text);
        } catch (IllegalArgumentException e) {
            return (Duration) context.handleWeirdStringValue(Duration.class, text, e.getMessage());
        }
    }

    /** Parses a duration as agent.yaml and relay.yaml write it. */
    public static Duration parse(String text) {
        return Durations.parse(text == null ? "" : text);
    }
}
