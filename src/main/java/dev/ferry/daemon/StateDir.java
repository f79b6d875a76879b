package dev.ferry.daemon;

import dev.ferry.files.DurableFile;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The files of {@code state.dir} through which the running daemon and the one-shot commands
 * ({@code ctl}, {@code status}, {@code check-pool}) find each other. Every one of them is read and
 * written here and nowhere else:
 * <ul>
 *   <li>{@code ferry.lock}: the OS lock that makes one daemon per state directory ({@link InstanceLock});
 *   <li>{@code ferry.pid}: the daemon's pid; the other files count only while that process lives;
 *   <li>{@code jmx.local}: URL and token of the loopback JMX connector (mode 0640: group ferry);
 *   <li>{@code embedded.properties}: the loopback uri of each embedded store the daemon serves, so that
 *       {@code check-pool} tests the very store (an H2 store can be open in one process only).
 * </ul>
 * Writes are atomic and durable ({@link DurableFile}): a reader never sees half a file.
 */
public final class StateDir {
    public static final String PID_FILE = "ferry.pid";
    static final String LOCK_FILE = "ferry.lock";
    static final String JMX_FILE = "jmx.local";
    static final String EMBEDDED_FILE = "embedded.properties";

    private final Path dir;

    public StateDir(Path dir) {
        this.dir = dir;
    }

    public Path path() {
        return dir;
    }

    public Path pidFile() {
        return dir.resolve(PID_FILE);
    }

    Path lockFile() {
        return dir.resolve(LOCK_FILE);
    }

    /** The pid in {@code ferry.pid} if that process is alive. */
    public Optional<Long> livePid() {
        try {
            long pid = Long.parseLong(Files.readString(pidFile(), StandardCharsets.US_ASCII).trim());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).map(h -> pid);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    void writePid(long pid) throws IOException {
        DurableFile.write(pidFile(), (pid + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    /** Where and how {@code ferry ctl} connects to the local JMX connector. */
    public record JmxEndpoint(String url, String token) {
        /** Never prints the token. */
        @Override
        public String toString() {
            return "JmxEndpoint[url=" + url + "]";
        }
    }

    /** The local connector of the daemon running on this state dir, if it runs. */
    public Optional<JmxEndpoint> jmxEndpoint() throws IOException {
        if (livePid().isEmpty()) {
            return Optional.empty();
        }
        Optional<Properties> props = read(JMX_FILE);
        return props.map(p -> new JmxEndpoint(p.getProperty("url"), p.getProperty("token")));
    }

    /** Mode 0640 whatever the umask: the token lets its reader steer the daemon. */
    void writeJmxEndpoint(JmxEndpoint endpoint) throws IOException {
        Properties props = new Properties();
        props.setProperty("url", endpoint.url());
        props.setProperty("token", endpoint.token());
        DurableFile.write(dir.resolve(JMX_FILE),
                text(props, "local JMX connector of the running ferry; readable by the ferry group only"),
                PosixFilePermissions.fromString("rw-r-----"));
    }

    /** The running daemon's loopback uri for an embedded connection, if the daemon runs. */
    public Optional<String> embeddedUri(String connection) {
        if (livePid().isEmpty()) {
            return Optional.empty();
        }
        try {
            return read(EMBEDDED_FILE).map(p -> p.getProperty(connection));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    void writeEmbeddedUris(Map<String, String> uriByConnection) throws IOException {
        if (uriByConnection.isEmpty()) {
            Files.deleteIfExists(dir.resolve(EMBEDDED_FILE)); // a reload may have removed the last one
            return;
        }
        Properties props = new Properties();
        props.putAll(uriByConnection);
        DurableFile.write(dir.resolve(EMBEDDED_FILE),
                text(props, "loopback ports of the embedded stores of the running daemon"));
    }

    /** Removes what only a running daemon may publish; harmless if it stays (readers check the pid). */
    void deletePublished() {
        for (String name : new String[] {JMX_FILE, EMBEDDED_FILE}) {
            try {
                Files.deleteIfExists(dir.resolve(name));
            } catch (IOException e) {
                // readers ignore these files unless the pid in ferry.pid is alive
            }
        }
    }

    private Optional<Properties> read(String name) throws IOException {
        Properties props = new Properties();
        try (Reader r = new StringReader(Files.readString(dir.resolve(name), StandardCharsets.UTF_8))) {
            props.load(r);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        return Optional.of(props);
    }

    private static byte[] text(Properties props, String comment) throws IOException {
        StringWriter w = new StringWriter();
        props.store(w, comment);
        return w.toString().getBytes(StandardCharsets.UTF_8);
    }
}
