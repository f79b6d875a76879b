package dev.ferry.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * One named connection of ferry.properties. {@code uri} is kept as written (it may hold a password);
 * use {@link #redactedUri()} for anything shown to a person.
 */
public record ConnectionSettings(String name, String uri, String database, PoolOptions options) {

    public static final String EMBEDDED_SCHEME = "embedded:";

    public ConnectionSettings {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(options, "options");
    }

    /** True for the built-in store ({@code embedded:} or {@code embedded:DIR}). */
    public boolean embedded() {
        return uri.startsWith(EMBEDDED_SCHEME);
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
        if (database != null || embedded()) {
            return Optional.ofNullable(database);
        }
        try {
            return Optional.ofNullable(new com.mongodb.ConnectionString(uri).getDatabase());
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // the loader rejects such a uri; settings built by hand may hold one
        }
    }

    public String redactedUri() {
        return Redaction.uri(uri);
    }

    /** Never prints the password: records put every component into toString. */
    @Override
    public String toString() {
        return "ConnectionSettings[name=" + name + ", uri=" + redactedUri() + ", database=" + database
                + ", options=" + options + "]";
    }
}
