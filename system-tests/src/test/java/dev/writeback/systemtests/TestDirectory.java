package dev.writeback.systemtests;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.writeback.agent.directory.Directories;
import dev.writeback.agent.directory.DirectoryConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real directory server started by a script under {@code system-tests/} (Samba AD, OpenLDAP) as a JUnit
 * extension: reads the env file the script wrote (path from a system property), skips every test saying why when
 * there is none — or fails it under {@code CI=true} unless the suite's skip variable is set — opens the agent's
 * directory layer against the server (configured through YAML as in {@code agent.yaml}), and undoes after each
 * test what the test registered with {@link #afterTest}.
 *
 * @param <E> the env file's view
 * @param <P> the probe that looks at the directory from outside
 */
public abstract class TestDirectory<E, P extends AutoCloseable>
        implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, AfterAllCallback {
    private static final ObjectMapper YAML = new YAMLMapper();

    private final String property;
    private final String defaultPath;
    private final String skipVariable;
    private final String missing;
    private final Cleanups cleanups = new Cleanups();
    private Path file;
    private E env;
    private P probe;
    private Path stateDir;

    /**
     * @param property the system property naming the env file, e.g. {@code samba.env}
     * @param defaultPath the env file when the property is not set, relative to the module
     * @param skipVariable the environment variable that lets CI skip the suite, e.g. {@code WRITEBACK_SKIP_SAMBA}
     * @param missing what is missing and how to start it, for the skip message
     */
    protected TestDirectory(String property, String defaultPath, String skipVariable, String missing) {
        this.property = property;
        this.defaultPath = defaultPath;
        this.skipVariable = skipVariable;
        this.missing = missing;
    }

    /** Reads the env file. */
    protected abstract E load(Path file) throws Exception;

    /** Opens the probe once the env file is read. */
    protected abstract P openProbe(E env) throws Exception;

    /** The agent's configuration of this directory with the suite's defaults, as a mutable YAML-shaped map. */
    protected abstract Map<String, Object> defaultConfig();

    @Override
    public final void beforeAll(ExtensionContext context) throws Exception {
        String configured = System.getProperty(property);
        file = Path.of(configured == null ? defaultPath : configured);
        if (!Files.isRegularFile(file)) {
            return;   // each test is skipped (or failed under CI) in beforeEach, so the reports show each one
        }
        env = load(file);
        probe = openProbe(env);
        stateDir = Files.createTempDirectory("directory-it-state");
    }

    @Override
    public final void beforeEach(ExtensionContext context) {
        if (env == null) {
            String why = missing + ": " + file + " does not exist";
            if ("true".equalsIgnoreCase(System.getenv("CI")) && System.getenv(skipVariable) == null) {
                Assertions.fail("CI=true needs this suite (set " + skipVariable + "=1 to skip it): " + why);
            }
            Assumptions.abort(why);
        }
    }

    @Override
    public final void afterEach(ExtensionContext context) throws Exception {
        cleanups.runAll();
    }

    @Override
    public final void afterAll(ExtensionContext context) throws Exception {
        if (probe != null) {
            probe.close();
        }
        Cleanups.deleteTree(stateDir);
    }

    /** The env file, null when no server runs (the tests are then skipped). */
    public final E env() {
        return env;
    }

    public final P probe() {
        return probe;
    }

    /** Runs {@code undo} after the current test, whether it passed or not (last registered runs first). */
    public final void afterTest(AutoCloseable undo) {
        cleanups.push(undo);
    }

    /** The agent's directory layer with the default configuration, closed after the test. */
    public final Directories directories() throws Exception {
        return directories(config -> { });
    }

    /** The agent's directory layer with the default configuration changed by {@code customize}, closed after the test. */
    public final Directories directories(Consumer<Map<String, Object>> customize) throws Exception {
        Map<String, Object> config = defaultConfig();
        customize.accept(config);
        DirectoryConfig directory = YAML.readValue(YAML.writeValueAsString(config), DirectoryConfig.class);
        Directories directories = Directories.open(List.of(directory), stateDir);
        afterTest(directories);
        return directories;
    }

    /** The default configuration as the {@code directories:} block of an {@code agent.yaml}, indented by two spaces. */
    public final String agentYaml() throws Exception {
        String yaml = YAML.writeValueAsString(List.of(defaultConfig())).replaceFirst("^---\\n", "");
        return yaml.lines().map(line -> "  " + line).collect(Collectors.joining("\n", "", "\n"));
    }
}
