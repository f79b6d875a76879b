package dev.ferry.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * One named connection of ferry.properties. {@code uri} is kept as written (it may hold a password);
 * use {@link #redactedUri()} for anything shown to a person.
 *
 * @param uriDeferred true when {@code uri} still holds its {@code ${env:}}/{@code ${file:}} placeholders
 *     because the command that loaded the configuration opens no connection and must not need the
 *     service's secrets (see {@link ConfigLoader#load(Path, java.util.function.Predicate)}); such a
 *     connection cannot be opened
 * @param tls the connection's own TLS context from {@code tlsCAFile}/{@code tlsCertificateKeyFile}; empty
 *     when it has none, or when the command does not open the connection
 */
public record ConnectionSettings(String name, String uri, String database, DriverPoolOptions options,
        boolean uriDeferred, Optional<TlsMaterial> tls) {

    public static final String EMBEDDED_SCHEME = "embedded:";

    public ConnectionSettings {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(tls, "tls");
    }

    /** A connection without TLS files of its own (a {@code tls=true} uri still uses the JVM's CAs). */
    public ConnectionSettings(String name, String uri, String database, DriverPoolOptions options,
            boolean uriDeferred) {
        this(name, uri, database, options, uriDeferred, Optional.empty());
    }

    /** A connection whose uri is resolved. */
    public ConnectionSettings(String name, String uri, String database, DriverPoolOptions options) {
        this(name, uri, database, options, false);
    }

    /** True for the built-in store ({@code embedded:} or {@code embedded:DIR}). */
    public boolean embedded() {
        return !uriDeferred && uri.startsWith(EMBEDDED_SCHEME);
    }

    /** The data directory of an {@code embedded:DIR} store; empty for the in-memory one. */
    public Optional<Path> embeddedDir() {
        if (!embedded()) {
            return Optional.empty();
        }
        String dir = uri.substring(EMBEDDED_SCHEME.length()).trim();
        return dir.isEmpty() ? Optional.empty() : Optional.of(Path.of(dir));
    }

    /**
     * The database used when a job names none: {@code connection.NAME.database}, else the database in
     * the connection string ({@code mongodb://host/DB}), else none.
     */
    public Optional<String> defaultDatabase() {
        if (database != null || embedded() || uriDeferred) {
            return Optional.ofNullable(database);
        }
        try {
            return Optional.ofNullable(new com.mongodb.ConnectionString(uri).getDatabase());
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // the loader rejects such a uri; settings built by hand may hold one
        }
    }

    public String redactedUri() {
        return uriDeferred ? "(not resolved by this command: " + uri + ")" : Redaction.uri(uri);
    }

    /** Never prints the password: records put every component into toString. */
    @Override
    public String toString() {
        return "ConnectionSettings[name=" + name + ", uri=" + redactedUri() + ", database=" + database
                + ", options=" + options + "]";
    }
}
