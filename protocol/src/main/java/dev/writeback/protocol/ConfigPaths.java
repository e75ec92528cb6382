package dev.writeback.protocol;

import java.nio.file.Path;

/**
 * The one rule for paths written in a configuration file ({@code agent.yaml}, {@code relay.yaml}, the agent's
 * {@code agent.json}): a relative path is resolved against the folder that holds that file, never against the
 * working directory (which is {@code /} under the shipped systemd units). Absolute paths are kept as written.
 */
public final class ConfigPaths {
    private ConfigPaths() {}

    /** The folder relative paths in {@code configFile} are resolved against: its absolute parent. */
    public static Path baseOf(Path configFile) {
        return configFile.toAbsolutePath().normalize().getParent();
    }

    /** {@code value} resolved against {@code base}; null when {@code value} is null. */
    public static Path resolve(Path base, String value) {
        return value == null ? null : base.resolve(value).normalize();
    }

    /**
     * {@code value} resolved against {@code base} as text; null and blank values are returned unchanged (blank means
     * "not set" for the keys that use this).
     */
    public static String resolveText(Path base, String value) {
        return value == null || value.isBlank() ? value : resolve(base, value).toString();
    }
}
