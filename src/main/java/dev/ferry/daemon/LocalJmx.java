package dev.ferry.daemon;

import dev.ferry.config.FerrySettings;
import dev.ferry.files.DurableFile;
import java.io.IOException;
import java.io.Reader;
import java.io.Serializable;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.net.Socket;
import java.rmi.server.RMIClientSocketFactory;
import java.rmi.server.RMIServerSocketFactory;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import javax.management.MBeanServer;
import javax.management.remote.JMXAuthenticator;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXConnectorServerFactory;
import javax.management.remote.JMXPrincipal;
import javax.management.remote.JMXServiceURL;
import javax.management.remote.rmi.RMIConnectorServer;
import javax.security.auth.Subject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The management door for {@code ferry ctl} and {@code ferry status} on this host: a JMX connector
 * on a loopback ephemeral port, guarded by a random token. URL and token go to
 * {@code state.dir/jmx.local} (mode 0640), so exactly the users who may read the state directory —
 * the ferry group — can manage the daemon, also under systemd, where PrivateTmp and a separate user
 * rule out the JDK's attach mechanism.
 */
public final class LocalJmx implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalJmx.class);
    static final String FILE = "jmx.local";
    public static final String USER = "ferry";

    /** Where and how to connect. */
    public record Endpoint(String url, String token) {
    }

    private final Path file;
    private final MBeanServer mbeanServer;
    private JMXConnectorServer connector;

    LocalJmx(FerrySettings settings, MBeanServer mbeanServer) {
        this.file = settings.stateDir().resolve(FILE);
        this.mbeanServer = mbeanServer;
    }

    void start() throws IOException {
        if (mbeanServer == null) {
            return;
        }
        byte[] secret = new byte[24];
        new SecureRandom().nextBytes(secret);
        String token = HexFormat.of().formatHex(secret);
        JMXAuthenticator authenticator = credentials -> {
            if (credentials instanceof String[] pair && pair.length == 2 && USER.equals(pair[0])
                    && token.equals(pair[1])) {
                return new Subject(true, java.util.Set.of(new JMXPrincipal(USER)), java.util.Set.of(), java.util.Set.of());
            }
            throw new SecurityException("bad credentials for the local ferry JMX connector");
        };
        Map<String, Object> env = Map.of(
                RMIConnectorServer.RMI_SERVER_SOCKET_FACTORY_ATTRIBUTE, new LoopbackServerSockets(),
                RMIConnectorServer.RMI_CLIENT_SOCKET_FACTORY_ATTRIBUTE, new LoopbackClientSockets(),
                JMXConnectorServer.AUTHENTICATOR, authenticator);
        // no registry: the connector's stub travels inside the URL itself
        connector = JMXConnectorServerFactory.newJMXConnectorServer(
                new JMXServiceURL("service:jmx:rmi://127.0.0.1"), env, mbeanServer);
        connector.start();
        Properties props = new Properties();
        props.setProperty("url", connector.getAddress().toString());
        props.setProperty("token", token);
        StringWriter text = new StringWriter();
        props.store(text, "local JMX connector of the running ferry; readable by the ferry group only");
        DurableFile.write(file, text.toString().getBytes(StandardCharsets.UTF_8),
                PosixFilePermissions.fromString("rw-r-----"));
        log.debug("jmx: local connector ready for ferry ctl");
    }

    /** The endpoint of the daemon running on this state dir, if any. */
    public static Optional<Endpoint> read(Path stateDir) throws IOException {
        if (InstanceLock.readPid(stateDir).isEmpty() || !Files.exists(stateDir.resolve(FILE))) {
            return Optional.empty();
        }
        Properties props = new Properties();
        try (Reader r = Files.newBufferedReader(stateDir.resolve(FILE), StandardCharsets.UTF_8)) {
            props.load(r);
        }
        return Optional.of(new Endpoint(props.getProperty("url"), props.getProperty("token")));
    }

    @Override
    public void close() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.debug("jmx: cannot delete {}: {}", file, e.toString());
        }
        if (connector != null) {
            try {
                connector.stop();
            } catch (IOException e) {
                log.warn("jmx: stopping the local connector: {}", e.toString());
            }
        }
    }

    /**
     * Travels inside the stub to {@code ferry ctl}: connects to the loopback address whatever host the
     * stub names. RMI writes {@code InetAddress.getLocalHost()} into a stub, which on Debian is
     * 127.0.1.1 (or a LAN address) while this connector listens on 127.0.0.1 only; setting
     * {@code java.rmi.server.hostname} instead would also change what remote JMX advertises.
     */
    record LoopbackClientSockets() implements RMIClientSocketFactory, Serializable {
        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return new Socket(InetAddress.getLoopbackAddress(), port);
        }
    }

    private record LoopbackServerSockets() implements RMIServerSocketFactory, Serializable {
        @Override
        public ServerSocket createServerSocket(int port) throws IOException {
            return new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
        }
    }
}
