package dev.ferry.job;

import dev.ferry.config.ConnectionSettings;
import dev.ferry.config.FerrySettings;

/** Resolves the connection and database a job names against ferry.properties. */
final class Connections {
    private final FerrySettings settings;

    Connections(FerrySettings settings) {
        this.settings = settings;
    }

    /** The connection named by {@code connection} of the given object; jobs never carry uris themselves. */
    ConnectionSettings require(Fields fields) throws JobRejectedException {
        String field = fields.path("connection");
        String name = fields.requiredString("connection", "a string naming a connection of ferry.properties");
        return settings.connection(name).orElseThrow(() -> JobRejectedException.unknownConnection(field,
                "no connection named " + Text.quote(name) + " in ferry.properties ("
                        + (settings.connections().isEmpty()
                                ? "none is configured"
                                : "configured: " + String.join(", ", settings.connections().keySet()))
                        + ")"));
    }

    /** {@code database} of the given object, else the connection's default database. */
    String database(Fields fields, ConnectionSettings connection) throws JobRejectedException {
        String field = fields.path("database");
        String database = fields.optionalString("database", "a string naming a database").orElse(null);
        if (database == null && connection.uriDeferred()) {
            // The uri (and so its database) is a secret this command may not read: the daemon, which
            // parses the job again with the uri resolved, checks it when it runs the job.
            return "(default of connection " + connection.name() + ")";
        }
        if (database == null) {
            database = connection.defaultDatabase().orElseThrow(() -> JobRejectedException.invalid(field,
                    "missing, and connection " + Text.quote(connection.name()) + " has no default database (give "
                            + field + " or set connection." + connection.name() + ".database)"));
        }
        MongoNames.database(field, database);
        return database;
    }
}
