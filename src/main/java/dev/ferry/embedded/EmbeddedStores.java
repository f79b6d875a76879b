package dev.ferry.embedded;

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.ferry.config.ConnectionSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in MongoDB-wire-compatible store behind {@code embedded:} connections: an in-process
 * server on a loopback port, in memory ({@code embedded:}) or kept on disk ({@code embedded:DIR}).
 * Connections with the same uri share one store. Started on first use, stopped by {@link #close()}.
 */
public final class EmbeddedStores implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedStores.class);
    static final String STORE_FILE = "ferry-store.mv";

    private final Map<String, MongoServer> servers = new LinkedHashMap<>();
    private boolean closed;

    /** The {@code mongodb://127.0.0.1:PORT} uri of the connection's store, starting it if needed. */
    public synchronized String uriFor(ConnectionSettings connection) {
        if (connection.uriDeferred()) {
            throw new IllegalStateException(connection.name() + ": uri not resolved by this command");
        }
        if (!connection.embedded()) {
            return connection.uri();
        }
        if (closed) {
            throw new IllegalStateException(connection.name() + ": embedded store is shut down");
        }
        MongoServer server = servers.computeIfAbsent(connection.uri(), uri -> start(connection));
        InetSocketAddress address = server.getLocalAddress();
        return "mongodb://127.0.0.1:" + address.getPort();
    }

    private static MongoServer start(ConnectionSettings connection) {
        Optional<Path> dir = connection.embeddedDir();
        MongoBackend backend;
        if (dir.isPresent()) {
            try {
                Files.createDirectories(dir.get());
            } catch (IOException e) {
                throw new UncheckedIOException(connection.name() + ": cannot create embedded store directory "
                        + dir.get(), e);
            }
            backend = new H2Backend(dir.get().resolve(STORE_FILE).toString());
        } else {
            backend = new MemoryBackend();
        }
        MongoServer server = new MongoServer(backend);
        // change streams for follow jobs; every write is also kept in local.oplog.rs for the store's lifetime
        server.enableOplog();
        server.bind("127.0.0.1", 0);
        log.info("{}: embedded store {} listening on 127.0.0.1:{}", connection.name(),
                dir.map(Path::toString).orElse("(in memory)"), server.getLocalAddress().getPort());
        return server;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Map.Entry<String, MongoServer> e : servers.entrySet()) {
            try {
                e.getValue().shutdown();
            } catch (RuntimeException ex) {
                log.warn("{}: embedded store did not shut down cleanly: {}", e.getKey(), ex.toString());
            }
        }
        servers.clear();
    }
}
