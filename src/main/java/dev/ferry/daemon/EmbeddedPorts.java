package dev.ferry.daemon;

import dev.ferry.config.ConnectionSettings;
import dev.ferry.config.FerrySettings;
import dev.ferry.embedded.EmbeddedStores;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.Properties;

/**
 * {@code state.dir/embedded.properties}: the loopback uri of each embedded store the daemon runs, so
 * that {@code ferry check-pool local} tests the very store the daemon serves (an embedded store on
 * disk can be open in one process only).
 */
public final class EmbeddedPorts {
    static final String FILE = "embedded.properties";

    private EmbeddedPorts() {
    }

    static void write(FerrySettings settings, EmbeddedStores stores) throws IOException {
        Properties props = new Properties();
        for (ConnectionSettings c : settings.connections().values()) {
            if (c.embedded()) {
                props.setProperty(c.name(), stores.uriFor(c));
            }
        }
        if (props.isEmpty()) {
            return;
        }
        Path file = settings.stateDir().resolve(FILE);
        Path tmp = settings.stateDir().resolve(FILE + ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            props.store(w, "loopback ports of the embedded stores of the running daemon");
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The running daemon's uri for an embedded connection, if the daemon runs. */
    public static Optional<String> read(FerrySettings settings, String connection) {
        if (InstanceLock.readPid(settings.stateDir()).isEmpty()) {
            return Optional.empty();
        }
        Properties props = new Properties();
        try (Reader r = Files.newBufferedReader(settings.stateDir().resolve(FILE), StandardCharsets.UTF_8)) {
            props.load(r);
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.ofNullable(props.getProperty(connection));
    }

    static void delete(FerrySettings settings) {
        try {
            Files.deleteIfExists(settings.stateDir().resolve(FILE));
        } catch (IOException e) {
            // harmless: read() ignores the file unless the pid in ferry.pid is alive
        }
    }
}
