package dev.writeback.agent.directory;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** The kinds of directory the agent writes to, by the name agent.yaml's {@code type} gives them. */
public enum DirectoryType {
    /** Active Directory or Samba AD: {@code unicodePwd}, {@code lockoutTime}, AD's error codes. */
    ACTIVE_DIRECTORY("active-directory"),
    /** Any other LDAP directory, e.g. OpenLDAP: the password modify extended operation. */
    LDAP("ldap"),
    /** The directory built into the agent, for trials and tests. */
    EMBEDDED("embedded");

    private final String configName;

    DirectoryType(String configName) {
        this.configName = configName;
    }

    /** The name in agent.yaml, in heartbeats and in metrics. */
    public String configName() {
        return configName;
    }

    /** The type named {@code text} (case and surrounding blanks ignored); empty for any other text. */
    public static Optional<DirectoryType> of(String text) {
        String name = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(t -> t.configName.equals(name)).findFirst();
    }

    /** Every name, for error messages: {@code active-directory, ldap or embedded}. */
    public static String expected() {
        var names = Arrays.stream(values()).map(DirectoryType::configName).toList();
        return names.subList(0, names.size() - 1).stream().collect(Collectors.joining(", ")) + " or " + names.get(names.size() - 1);
    }

    @Override
    public String toString() {
        return configName;
    }
}
