package dev.ferry.pool;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.event.ConnectionPoolListener;
import com.mongodb.event.ServerMonitorListener;
import dev.ferry.config.ConnectionSettings;
import dev.ferry.config.DriverPoolOptions;
import java.util.concurrent.TimeUnit;

/** Opens the MongoClient of one generation. Replaceable so that tests can count or break clients. */
@FunctionalInterface
public interface ClientFactory {

    /**
     * @param uri       the connection string to use (an {@code embedded:} uri already resolved to its port)
     * @param listeners receives the driver's pool and monitor events; must be registered on the client
     */
    <L extends ConnectionPoolListener & ServerMonitorListener> MongoClient create(
            ConnectionSettings connection, String uri, L listeners);

    /**
     * The driver with the pool options of the original fix (docs/configuration.md, "Configuration reference");
     * {@code connection.NAME.*} values win over the uri's, and a connection's own TLS context (its PEM
     * files) turns TLS on whatever the uri says.
     */
    static ClientFactory standard() {
        return new ClientFactory() {
            @Override
            public <L extends ConnectionPoolListener & ServerMonitorListener> MongoClient create(
                    ConnectionSettings connection, String uri, L listeners) {
                DriverPoolOptions o = connection.options();
                MongoClientSettings settings = MongoClientSettings.builder()
                        .applyConnectionString(new ConnectionString(uri))
                        .applicationName("ferry/" + connection.name())
                        .applyToConnectionPoolSettings(b -> b
                                .maxSize(o.maxPoolSize())
                                .minSize(o.minPoolSize())
                                .maxConnectionIdleTime(o.maxIdleTimeMS(), TimeUnit.MILLISECONDS)
                                .addConnectionPoolListener(listeners))
                        .applyToClusterSettings(b -> b
                                .serverSelectionTimeout(o.serverSelectionTimeoutMS(), TimeUnit.MILLISECONDS))
                        .applyToSocketSettings(b -> b
                                .connectTimeout((int) o.connectTimeoutMS(), TimeUnit.MILLISECONDS)
                                .readTimeout((int) o.socketTimeoutMS(), TimeUnit.MILLISECONDS))
                        .applyToServerSettings(b -> b.addServerMonitorListener(listeners))
                        .applyToSslSettings(b -> connection.tls().ifPresent(tls -> b.enabled(true).context(tls.context())))
                        .retryWrites(o.retryWrites())
                        .retryReads(o.retryReads())
                        .build();
                return MongoClients.create(settings);
            }
        };
    }
}
