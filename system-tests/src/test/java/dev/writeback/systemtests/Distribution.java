package dev.writeback.systemtests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The built distributions ({@code relay-server/target/relay}, {@code onprem-agent/target/agent}, made by
 * {@code package}) run as real processes, with their output in a file, so tests can kill them with SIGKILL.
 */
final class Distribution {
    private Distribution() {}

    static Path relayLauncher() {
        return launcher("relay-server/target/relay/bin/relay");
    }

    static Path agentLauncher() {
        return launcher("onprem-agent/target/agent/bin/agent");
    }

    private static Path launcher(String relative) {
        Path root = Path.of(System.getProperty("user.dir"));
        Path p = (Files.exists(root.resolve(relative)) ? root : root.getParent()).resolve(relative);
        if (!Files.isExecutable(p)) {
            throw new AssertionError(p + " not found: build the distributions first (./mvnw -o -pl relay-server,onprem-agent -am package -DskipTests)");
        }
        return p;
    }

    /** Runs a command to completion and returns its output. */
    static String run(Duration timeout, String... command) throws IOException, InterruptedException {
        var p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError(String.join(" ", command) + " did not finish within " + timeout);
            }
            String out = new String(p.getInputStream().readAllBytes());
            if (p.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " exited " + p.exitValue() + ": " + out);
            }
            return out;
        } finally {
            p.destroyForcibly();
        }
    }

    /** A started process whose output goes to a log file. */
    static final class Running implements AutoCloseable {
        final Process process;
        final Path log;

        private Running(Process process, Path log) {
            this.process = process;
            this.log = log;
        }

        static Running start(Path log, String... command) throws IOException {
            var args = new ArrayList<>(List.of(command));
            var pb = new ProcessBuilder(args).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().put("JAVA_OPTS", "-Xmx256m -XX:TieredStopAtLevel=1");
            return new Running(pb.start(), log);
        }

        String output() {
            try {
                return Files.exists(log) ? Files.readString(log) : "";
            } catch (IOException e) {
                return e.toString();
            }
        }

        void awaitOutput(String what, Duration timeout) {
            Await.until(what + " in " + log.getFileName(), timeout, () -> output().contains(what) || !process.isAlive());
            if (!output().contains(what)) {
                throw new AssertionError(log.getFileName() + " ended without " + what + ":\n" + output());
            }
        }

        /** SIGKILL: no shutdown hook, no GOAWAY, no flushing. */
        void kill() throws InterruptedException {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }

        @Override
        public void close() throws InterruptedException {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(15, TimeUnit.SECONDS)) {
                    kill();
                }
            }
        }
    }
}
