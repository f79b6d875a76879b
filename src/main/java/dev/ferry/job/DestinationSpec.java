package dev.ferry.job;

import java.util.Objects;

/** The collection a job writes to; {@code database} already defaulted from the connection. */
public record DestinationSpec(String connection, String database, String collection) {
    public DestinationSpec {
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(collection, "collection");
    }

    public String describe() {
        return connection + "/" + database + "." + collection;
    }
}
