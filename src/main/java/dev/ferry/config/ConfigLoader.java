package dev.ferry.config;

import com.mongodb.ConnectionString;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.stream.Collectors;
import java.util.regex.Pattern;

/**
 * Reads {@code ferry.properties} (docs/configuration.md, "Configuration") into {@link FerrySettings}. Every problem is a
 * {@link ConfigException} naming the file, line, key and value, so that {@code ferry} can exit 2 with
 * one line an operator can act on.
 */
public final class ConfigLoader {
    public static final String FILE_NAME = "ferry.properties";

    private static final Pattern CONNECTION_KEY = Pattern.compile("connection\\.([^.]+)\\.(.+)");
    private static final Pattern CONNECTION_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private final Function<String, String> env;

    /** Uses the process environment for {@code ${env:NAME}}. */
    public ConfigLoader() {
        this(System::getenv);
    }

    public ConfigLoader(Function<String, String> env) {
        this.env = env;
    }

    /** Loads {@code DIR/ferry.properties} with every connection's uri resolved (what the daemon needs). */
    public FerrySettings load(Path confDir) throws ConfigException {
        return load(confDir, name -> true);
    }

    /**
     * Loads {@code DIR/ferry.properties}, resolving the {@code ${env:}}/{@code ${file:}} placeholders of
     * {@code connection.NAME.uri} only for the connections {@code resolveUri} accepts. The others keep
     * their uri as written and are marked {@link ConnectionSettings#uriDeferred()}: a command that opens
     * no connection ({@code status}, {@code ctl}, {@code submit}) must not need the secrets that only the
     * service can read (docs/operations.md, "Secrets").
     */
    public FerrySettings load(Path confDir, Predicate<String> resolveUri) throws ConfigException {
        Path file = confDir.resolve(FILE_NAME);
        List<String> lines = read(file);
        return new Parser(file.toString(), lines, properties(file, lines), confDir, resolveUri).parse();
    }

    /**
     * Only where a running daemon is to be found: the {@link ConfigKeys#RESTART_ONLY} keys ({@code state.dir},
     * {@code jmx.*}), every other key ignored, whatever its value. {@code ferry ctl reload} uses it when the whole
     * file does not load, so that the daemon itself reports what is wrong (docs/operations.md, "Reloading the
     * configuration").
     */
    public FerrySettings loadDaemonLocation(Path confDir) throws ConfigException {
        Path file = confDir.resolve(FILE_NAME);
        List<String> lines = read(file);
        Properties all = properties(file, lines);
        Properties location = new Properties();
        for (Key<?> key : ConfigKeys.RESTART_ONLY) {
            String value = all.getProperty(key.name());
            if (value != null) {
                location.setProperty(key.name(), value);
            }
        }
        return new Parser(file.toString(), lines, location, confDir, name -> false).parse();
    }

    private static List<String> read(Path file) throws ConfigException {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": configuration file not found (set --conf DIR or FERRY_CONF)");
        } catch (AccessDeniedException e) {
            throw new ConfigException(file + ": cannot read configuration: permission denied for user "
                    + System.getProperty("user.name") + " (the file and its directory must be readable by group "
                    + "ferry: see docs/operations.md, Running under systemd)");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read configuration: " + e);
        }
    }

    /** The properties of the lines just read: one read of the file, so that lines and values agree. */
    private static Properties properties(Path file, List<String> lines) throws ConfigException {
        Properties props = new Properties();
        try {
            props.load(new java.io.StringReader(String.join("\n", lines)));
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException(file + ": cannot read configuration: " + e);
        }
        return props;
    }

    /** Builds settings from properties that did not come from a file (tests, tools). */
    public FerrySettings fromProperties(Properties props, Path confDir) throws ConfigException {
        return new Parser("<properties>", List.of(), props, confDir, name -> true).parse();
    }

    private final class Parser {
        private final String source;
        private final List<String> lines;
        private final Properties props;
        private final Path confDir;
        private final Predicate<String> resolveUri;
        private final Placeholders placeholders = new Placeholders(env);
        /** Connections whose uri keeps its placeholders unresolved, on purpose. */
        private final Set<String> deferredUris = new TreeSet<>();
        private final List<String> tlsPasswords = new ArrayList<>();

        Parser(String source, List<String> lines, Properties props, Path confDir, Predicate<String> resolveUri) {
            this.source = source;
            this.lines = lines;
            this.props = props;
            this.confDir = confDir;
            this.resolveUri = resolveUri;
        }

        FerrySettings parse() throws ConfigException {
            Map<String, Map<String, String>> byConnection = new LinkedHashMap<>();
            for (String key : new TreeSet<>(props.stringPropertyNames())) {
                Matcher m = CONNECTION_KEY.matcher(key);
                if (m.matches()) {
                    String option = m.group(2);
                    if (ConfigKeys.connectionOption(option).isEmpty()) {
                        throw error(key, "unknown connection option '" + option + "' (allowed: "
                                + ConfigKeys.CONNECTION.stream().map(Key::name).collect(Collectors.joining(", ")) + ")");
                    }
                    if (!CONNECTION_NAME.matcher(m.group(1)).matches()) {
                        throw error(key, "connection name '" + m.group(1) + "' must match [A-Za-z0-9_-]{1,64}");
                    }
                    boolean secret = option.equals(ConfigKeys.URI.name())
                            || option.equals(ConfigKeys.TLS_CERT_KEY_PASSWORD.name());
                    boolean deferred = secret && !resolveUri.test(m.group(1)) && props.getProperty(key).contains("${");
                    if (deferred && option.equals(ConfigKeys.URI.name())) {
                        deferredUris.add(m.group(1));
                    }
                    byConnection.computeIfAbsent(m.group(1), n -> new LinkedHashMap<>())
                            .put(option, deferred ? props.getProperty(key) : value(key));
                } else if (ConfigKeys.global(key).isEmpty()) {
                    throw error(key, "unknown key (see the configuration reference in docs/configuration.md)");
                }
            }
            Map<Key<?>, Object> values = new LinkedHashMap<>();
            for (Key<?> key : ConfigKeys.GLOBAL) {
                values.put(key, parse(key.name(), key, props.containsKey(key.name())
                        ? Optional.of(value(key.name())) : Optional.empty()));
            }
            Duration initialBackoff = (Duration) values.get(ConfigKeys.RETRY_INITIAL_BACKOFF);
            Duration maxBackoff = (Duration) values.get(ConfigKeys.RETRY_MAX_BACKOFF);
            if (initialBackoff.compareTo(maxBackoff) > 0) {
                throw error(ConfigKeys.RETRY_INITIAL_BACKOFF.name(), "must not exceed retry.maxBackoffMillis ("
                        + maxBackoff.toMillis() + "), was '" + initialBackoff.toMillis() + "'");
            }
            if (values.get(ConfigKeys.JMX_KEY_STORE) instanceof Optional<?> store && store.isPresent()
                    && ((Optional<?>) values.get(ConfigKeys.JMX_KEY_STORE_PASSWORD)).isEmpty()) {
                throw error(ConfigKeys.JMX_KEY_STORE_PASSWORD.name(), "missing: jmx.keyStore is set and needs its "
                        + "password (write it as ${file:PATH})");
            }
            Map<String, ConnectionSettings> connections = new LinkedHashMap<>();
            for (Map.Entry<String, Map<String, String>> e : byConnection.entrySet()) {
                connections.put(e.getKey(), connection(e.getKey(), e.getValue()));
            }
            if (values.get(ConfigKeys.CLUSTER_CONNECTION) instanceof Optional<?> cluster && cluster.isPresent()) {
                ConnectionSettings store = connections.get((String) cluster.get());
                if (store == null) {
                    throw error(ConfigKeys.CLUSTER_CONNECTION.name(), "names no configured connection, was '"
                            + cluster.get() + "' (configured: " + String.join(", ", connections.keySet()) + ")");
                }
                if (!store.uriDeferred() && store.defaultDatabase().isEmpty()) {
                    throw error(ConfigKeys.CLUSTER_CONNECTION.name(), "connection '" + cluster.get() + "' names no "
                            + "database for the cluster's collections: set connection." + cluster.get() + ".database");
                }
            }
            return new FerrySettings(confDir, values, connections, tlsPasswords);
        }

        private <T> T parse(String fullKey, Key<T> key, Optional<String> value) throws ConfigException {
            try {
                return key.parse(value);
            } catch (IllegalArgumentException e) {
                throw error(fullKey, e.getMessage());
            }
        }

        private ConnectionSettings connection(String name, Map<String, String> values) throws ConfigException {
            String prefix = "connection." + name + ".";
            String uri = values.get(ConfigKeys.URI.name());
            if (uri == null || uri.isBlank()) {
                throw error(prefix + "uri", "connection '" + name + "' has no uri (a mongodb:// string, "
                        + "embedded: or embedded:DIR)", lineOf(prefix));
            }
            boolean deferred = deferredUris.contains(name);
            uri = uri.trim();
            if (!deferred && !uri.startsWith(ConnectionSettings.EMBEDDED_SCHEME)) {
                try {
                    new ConnectionString(uri);
                } catch (IllegalArgumentException e) {
                    // URLDecoder quotes the bad escape, which may be a piece of the password
                    String reason = String.valueOf(e.getMessage()).startsWith("URLDecoder")
                            ? "invalid %-escape in the user name or password (write special characters as %XX)"
                            : withoutUserInfo(e.getMessage(), uri);
                    throw error(prefix + "uri", "not a valid MongoDB connection string '" + withoutUserInfo(uri, uri)
                            + "': " + reason);
                }
            }
            String database = parse(prefix + "database", ConfigKeys.DATABASE,
                    Optional.ofNullable(values.get("database"))).orElse(null);
            int maxPoolSize = option(prefix, values, ConfigKeys.MAX_POOL_SIZE);
            int minPoolSize = option(prefix, values, ConfigKeys.MIN_POOL_SIZE);
            try {
                DriverPoolOptions options = new DriverPoolOptions(maxPoolSize, minPoolSize,
                        option(prefix, values, ConfigKeys.MAX_IDLE_TIME_MS),
                        option(prefix, values, ConfigKeys.SERVER_SELECTION_TIMEOUT_MS),
                        option(prefix, values, ConfigKeys.SOCKET_TIMEOUT_MS),
                        option(prefix, values, ConfigKeys.CONNECT_TIMEOUT_MS),
                        option(prefix, values, ConfigKeys.RETRY_WRITES),
                        option(prefix, values, ConfigKeys.RETRY_READS));
                return new ConnectionSettings(name, uri, database, options, deferred, tls(name, prefix, values));
            } catch (IllegalArgumentException e) {
                String option = e.getMessage().split(" ", 2)[0];
                throw error(prefix + option, e.getMessage());
            }
        }

        /** Built only for a connection the command opens: its files may be readable by the service alone. */
        private Optional<TlsMaterial> tls(String name, String prefix, Map<String, String> values)
                throws ConfigException {
            Optional<Path> ca = option(prefix, values, ConfigKeys.TLS_CA_FILE);
            Optional<Path> certKey = option(prefix, values, ConfigKeys.TLS_CERT_KEY_FILE);
            Optional<String> password = option(prefix, values, ConfigKeys.TLS_CERT_KEY_PASSWORD);
            password.filter(p -> resolveUri.test(name)).ifPresent(tlsPasswords::add);
            if (password.isPresent() && certKey.isEmpty()) {
                throw error(prefix + ConfigKeys.TLS_CERT_KEY_PASSWORD.name(), "set, but "
                        + prefix + ConfigKeys.TLS_CERT_KEY_FILE.name() + " is not");
            }
            if ((ca.isEmpty() && certKey.isEmpty()) || !resolveUri.test(name)) {
                return Optional.empty();
            }
            try {
                return Optional.of(TlsMaterial.load(prefix, ca, certKey, password));
            } catch (TlsMaterial.TlsFileException e) {
                throw error(e.key(), e.getMessage());
            }
        }

        private <T> T option(String prefix, Map<String, String> values, Key<T> key) throws ConfigException {
            return parse(prefix + key.name(), key, Optional.ofNullable(values.get(key.name())));
        }

        private String value(String key) throws ConfigException {
            String raw = props.getProperty(key);
            try {
                return placeholders.expand(raw);
            } catch (IllegalArgumentException e) {
                throw error(key, e.getMessage() + credentialHint(key, e.getMessage()));
            }
        }

        /** How to give a one-shot command the credential that systemd hands only to the service. */
        private String credentialHint(String key, String problem) {
            if (!key.startsWith("connection.") || !problem.contains("CREDENTIALS_DIRECTORY")) {
                return "";
            }
            return "; systemd sets it for the service only (LoadCredential=): to run this command outside the service, "
                    + "set CREDENTIALS_DIRECTORY to the directory holding the credential files, as a user who may "
                    + "read them, e.g. sudo CREDENTIALS_DIRECTORY=" + confDir.toAbsolutePath().resolve("credentials")
                    + " ferry ... (docs/operations.md, Secrets)";
        }

        private ConfigException error(String key, String message) {
            return error(key, message, lineOfKey(key));
        }

        private ConfigException error(String key, String message, int line) {
            String where = line > 0 ? source + ":" + line : source;
            return new ConfigException(key, where + ": " + key + ": " + message);
        }

        /**
         * Line (1-based) of the <em>last</em> line that sets {@code key}, 0 if none: with a key written
         * twice, {@link Properties} keeps the last value, so that is the line whose value an error quotes.
         */
        private int lineOfKey(String key) {
            int found = 0;
            for (int i = 0; i < lines.size(); i++) {
                String l = lines.get(i).stripLeading();
                if (isKeyLine(l, key)) {
                    String rest = l.substring(key.length());
                    if (rest.isEmpty() || "=: \t".indexOf(rest.charAt(0)) >= 0) {
                        found = i + 1;
                    }
                }
            }
            return found;
        }

        /** Line (1-based) of the first key starting with {@code prefix}; 0 if none. */
        private int lineOf(String prefix) {
            for (int i = 0; i < lines.size(); i++) {
                if (isKeyLine(lines.get(i).stripLeading(), prefix)) {
                    return i + 1;
                }
            }
            return 0;
        }

        private static boolean isKeyLine(String line, String keyOrPrefix) {
            return !line.startsWith("#") && !line.startsWith("!") && line.startsWith(keyOrPrefix);
        }
    }

    /**
     * {@code text} with the user:password part of {@code uri} hidden, also where {@link Redaction#uri}
     * does not recognise the uri: a mistyped scheme ({@code mongodb//}) or a password with a space is
     * exactly what makes a connection string invalid.
     */
    private static String withoutUserInfo(String text, String uri) {
        String out = Redaction.uri(text);
        Optional<String> userInfo = Redaction.userInfo(uri);
        return out == null || userInfo.isEmpty() ? out : out.replace(userInfo.get(), "****");
    }
}
