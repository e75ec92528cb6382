package dev.writeback.relay;

import dev.writeback.portal.PortalSettings;
import dev.writeback.portal.mail.MailSettings;
import dev.writeback.protocol.Secret;
import dev.writeback.relay.store.Store;
import dev.writeback.relay.store.Tenant;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code relay portal ...}: a tenant's self-service portal settings (off until turned on). */
@Command(name = "portal", mixinStandardHelpOptions = true, description = "Show and change a tenant's SSPR portal settings.",
        subcommands = {PortalCommands.Show.class, PortalCommands.Set.class})
final class PortalCommands {
    // a group: without a subcommand picocli prints "Missing required subcommand" and the usage, exit code 2

    static Optional<PortalSettings> settings(Store store, String tenantId) {
        return store.tenant(tenantId).map(Tenant::name).flatMap(name -> store.portal().settings(name));
    }

    static void print(PrintWriter out, PortalSettings s) {
        out.println("tenant: " + s.tenantName() + " (" + s.tenantId() + ")");
        out.println("enabled: " + s.enabled());
        out.println("path: /sspr/" + s.tenantName() + "/");
        out.println("hostname: " + (s.hostname() == null ? "(none)" : s.hostname() + " (https://" + s.hostname()
                + "/ leads to this portal)"));
        out.println("allowUnlockWithoutReset: " + s.allowUnlockWithoutReset() + " (writeback setting)");
        out.println("contact: " + s.contact());
        out.println("baseUrl: " + (s.baseUrl() == null ? "(none: mail carries no link)" : s.baseUrl()));
        out.println("codeDigits: " + s.codeDigits());
        out.println("captchaBits: " + s.captchaBits());
        out.println("mail: " + (s.mail() == null ? "(none)" : s.mail()));
    }

    /** {@code relay portal show --tenant ID}. */
    @Command(name = "show", mixinStandardHelpOptions = true, description = "Print a tenant's portal settings.")
    static final class Show implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        RelayCommand.DataDir dataDir;

        @Option(names = "--tenant", required = true, paramLabel = "ID", description = "Tenant id.")
        String tenant;

        @Override
        public Integer call() {
            try (Store store = dataDir.open(spec)) {
                Optional<PortalSettings> s = settings(store, tenant);
                if (s.isEmpty()) {
                    spec.commandLine().getErr().println("--tenant: " + tenant + " (expected: an existing tenant id; see `relay tenant list`)");
                    return 2;
                }
                print(spec.commandLine().getOut(), s.get());
                return 0;
            }
        }
    }

    /** {@code relay portal set --tenant ID ...}: changes only the settings named. */
    @Command(name = "set", mixinStandardHelpOptions = true, description = "Change a tenant's portal settings; others stay.")
    static final class Set implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        RelayCommand.DataDir dataDir;

        @Option(names = "--tenant", required = true, paramLabel = "ID", description = "Tenant id.")
        String tenant;

        @Option(names = "--enabled", paramLabel = "true|false", arity = "1", description = "Turn the portal on or off.")
        Boolean enabled;

        @Option(names = "--contact", paramLabel = "TEXT", description = "Whom users are told to contact.")
        String contact;

        @Option(names = "--base-url", paramLabel = "URL", description = "The portal's public https:// URL (links in mail).")
        URI baseUrl;

        @Option(names = "--hostname", paramLabel = "NAME", description = "This tenant's own portal hostname, e.g. "
                + "password.corp.example (its DNS name must point at the relay, and the relay's certificate name it: "
                + "your own certificate, or publicHostnames for the self-signed one); \"none\" removes it.")
        String hostname;

        @Option(names = "--code-digits", paramLabel = "N", description = "Length of the emailed code, 6 to 8.")
        Integer codeDigits;

        @Option(names = "--captcha-bits", paramLabel = "N", description = "Proof-of-work difficulty, 0 to 24 (0 = off).")
        Integer captchaBits;

        @Option(names = "--mail", paramLabel = "smtp|outbox|global", description = "Mail transport of this tenant.")
        String mail;

        @Option(names = "--mail-from", paramLabel = "ADDRESS", description = "Sender address.")
        String from;

        @Option(names = "--outbox", paramLabel = "DIR", description = "Folder of .eml files (--mail outbox; demo only).")
        Path outbox;

        @Option(names = "--smtp-host", paramLabel = "HOST", description = "SMTP server.")
        String smtpHost;

        @Option(names = "--smtp-port", paramLabel = "N", defaultValue = "587", description = "SMTP port (default ${DEFAULT-VALUE}).")
        int smtpPort;

        @Option(names = "--smtp-security", paramLabel = "starttls|tls|none", defaultValue = "starttls",
                description = "SMTP protection (default ${DEFAULT-VALUE}).")
        String smtpSecurity;

        @Option(names = "--smtp-user", paramLabel = "NAME", description = "SMTP user name.")
        String smtpUser;

        @Option(names = "--smtp-password-file", paramLabel = "FILE", description = "File holding the SMTP password.")
        Path smtpPasswordFile;

        @Override
        public Integer call() throws Exception {
            PrintWriter err = spec.commandLine().getErr();
            try (Store store = dataDir.open(spec)) {
                Optional<PortalSettings> current = settings(store, tenant);
                if (current.isEmpty()) {
                    err.println("--tenant: " + tenant + " (expected: an existing tenant id; see `relay tenant list`)");
                    return 2;
                }
                PortalSettings s = current.get();
                PortalSettings next;
                try {
                    next = new PortalSettings(s.tenantId(), s.tenantName(), enabled != null ? enabled : s.enabled(),
                            s.allowUnlockWithoutReset(), contact != null ? contact : s.contact(),
                            baseUrl != null ? baseUrl : s.baseUrl(), codeDigits != null ? codeDigits : s.codeDigits(),
                            captchaBits != null ? captchaBits : s.captchaBits(), mail == null ? s.mail() : mailSettings(),
                            hostname == null ? s.hostname() : "none".equalsIgnoreCase(hostname) ? null : hostname);
                } catch (IllegalArgumentException e) {
                    err.println(e.getMessage());
                    return 2;
                }
                try {
                    store.savePortalSettings(next);
                } catch (IllegalArgumentException e) {
                    err.println("--" + e.getMessage());
                    return 2;
                }
                print(spec.commandLine().getOut(), next);
                return 0;
            }
        }

        private MailSettings mailSettings() throws java.io.IOException {
            String sender = from != null ? from : "";
            switch (mail) {
                case "global":
                    return null;
                case "outbox":
                    if (outbox == null) {
                        throw new IllegalArgumentException("--outbox: (none) (expected: a folder with --mail outbox)");
                    }
                    return MailSettings.outbox(outbox.toAbsolutePath(), sender);
                case "smtp":
                    Secret password = null;
                    if (smtpPasswordFile != null) {
                        byte[] bytes = Files.readAllBytes(smtpPasswordFile);
                        password = Secret.fromUtf8(java.util.Arrays.copyOf(bytes, trimmedLength(bytes)));
                        java.util.Arrays.fill(bytes, (byte) 0);
                    }
                    MailSettings.Security security;
                    try {
                        security = MailSettings.Security.valueOf(smtpSecurity.toUpperCase(java.util.Locale.ROOT));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("--smtp-security: " + smtpSecurity + " (expected: starttls, tls or none)");
                    }
                    return MailSettings.smtp(smtpHost, smtpPort, security, smtpUser, password, sender);
                default:
                    throw new IllegalArgumentException("--mail: " + mail + " (expected: smtp, outbox or global)");
            }
        }

        private static int trimmedLength(byte[] bytes) {
            int n = bytes.length;
            while (n > 0 && (bytes[n - 1] == '\n' || bytes[n - 1] == '\r')) {
                n--;
            }
            return n;
        }
    }
}
