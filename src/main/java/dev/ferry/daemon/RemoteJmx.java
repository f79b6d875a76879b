package dev.ferry.daemon;

import dev.ferry.config.ConfigException;
import dev.ferry.config.FerrySettings;
import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.rmi.NoSuchObjectException;
import java.rmi.registry.LocateRegistry;
import java.rmi.registry.Registry;
import java.rmi.server.RMIClientSocketFactory;
import java.rmi.server.RMIServerSocketFactory;
import java.rmi.server.UnicastRemoteObject;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import javax.management.MBeanServer;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXServiceURL;
import javax.management.remote.rmi.RMIConnectorServer;
import javax.management.remote.rmi.RMIJRMPServerImpl;
import javax.net.ssl.SSLServerSocketFactory;
import javax.rmi.ssl.SslRMIClientSocketFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remote JMX on {@code jmx.port} (registry and connector on that one port). Nothing listens unless
 * the port is set. Authentication is on when {@code CONF/jmxremote.password} exists (with
 * {@code CONF/jmxremote.access} for roles), TLS when {@code jmx.keyStore} is set, and {@code jmx.bind}
 * binds to one address; ferry warns about each one left out.
 */
final class RemoteJmx implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RemoteJmx.class);
    static final String PASSWORD_FILE = "jmxremote.password";
    static final String ACCESS_FILE = "jmxremote.access";

    private final FerrySettings settings;
    private final MBeanServer mbeanServer;
    private final Predicate<Path> readable;
    private Registry registry;
    private JMXConnectorServer connector;

    RemoteJmx(FerrySettings settings, MBeanServer mbeanServer) {
        this(settings, mbeanServer, Files::isReadable);
    }

    /** {@code readable} is replaceable because a test running as root can read every file. */
    RemoteJmx(FerrySettings settings, MBeanServer mbeanServer, Predicate<Path> readable) {
        this.settings = settings;
        this.mbeanServer = mbeanServer;
        this.readable = readable;
    }

    void start() throws IOException, ConfigException {
        if (settings.jmxPort().isEmpty() || mbeanServer == null) {
            return;
        }
        int port = settings.jmxPort().get();
        String bind = settings.jmxBind().orElse("");
        SSLServerSocketFactory tlsSockets = tlsServerSockets();
        boolean tls = tlsSockets != null;
        Path password = settings.confDir().resolve(PASSWORD_FILE);
        Path access = settings.confDir().resolve(ACCESS_FILE);
        boolean authentication = requireReadableIfPresent(password);
        requireReadableIfPresent(access);

        BoundServerSocketFactory serverSockets = new BoundServerSocketFactory(bind, tlsSockets);
        RMIClientSocketFactory clientSockets = tls ? new SslRMIClientSocketFactory() : null;
        Map<String, Object> env = new HashMap<>();
        env.put(RMIConnectorServer.RMI_SERVER_SOCKET_FACTORY_ATTRIBUTE, serverSockets);
        if (clientSockets != null) {
            env.put(RMIConnectorServer.RMI_CLIENT_SOCKET_FACTORY_ATTRIBUTE, clientSockets);
            env.put("com.sun.jndi.rmi.factory.socket", clientSockets);
        }
        if (authentication) {
            env.put("jmx.remote.x.password.file", password.toString());
            if (Files.exists(access)) {
                env.put("jmx.remote.x.access.file", access.toString());
            }
        }
        registry = LocateRegistry.createRegistry(port, clientSockets, serverSockets);
        String host = bind.isEmpty() ? "localhost" : bind;
        // The connector's stub is bound into our own registry object, in process: a bind through JNDI
        // would connect to the port over TLS and fail on a certificate this JVM does not trust.
        RMIJRMPServerImpl server = new RMIJRMPServerImpl(port, clientSockets, serverSockets, env);
        connector = new RMIConnectorServer(new JMXServiceURL("service:jmx:rmi://" + host + ":" + port), env, server,
                mbeanServer);
        connector.start();
        try {
            registry.bind("jmxrmi", server.toStub());
        } catch (java.rmi.AlreadyBoundException e) {
            throw new IOException("jmx: the registry on port " + port + " already holds jmxrmi", e);
        }
        log.info("jmx: remote JMX listening on {}:{} (authentication {}, TLS {})",
                bind.isEmpty() ? "every address" : bind, port, authentication ? "on" : "OFF",
                tls ? "on" : "OFF");
        if (!authentication) {
            log.warn("jmx: remote JMX on port {} has NO authentication: anyone who reaches the port can reset pools "
                    + "and cancel jobs; create {} (see docs/operations.md, Remote JMX security)", port, password);
        }
        if (!tls) {
            log.warn("jmx: remote JMX on port {} is not encrypted; set jmx.keyStore and jmx.keyStorePassword "
                    + "(see docs/operations.md, Remote JMX security)", port);
        }
        if (bind.isEmpty()) {
            log.warn("jmx: remote JMX listens on every address; set jmx.bind=ADDRESS to bind one");
        }
    }

    /**
     * Fails closed: a password or access file that exists but that ferry cannot read must not turn
     * authentication off (or give every authenticated user write access) while the operator believes
     * it is on. A link to a missing file, or a file whose existence cannot be told, counts as present.
     *
     * @return whether the file is there (and readable)
     */
    private boolean requireReadableIfPresent(Path file) throws ConfigException {
        if (Files.notExists(file, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        if (!readable.test(file)) {
            throw new ConfigException("jmx.port", file + ": cannot read it as user " + System.getProperty("user.name")
                    + ", so remote JMX on port " + settings.jmxPort().orElseThrow() + " is not opened (it would run "
                    + "without the protection the file asks for): make it readable by user ferry, e.g. chown ferry "
                    + file + " && chmod 0600 " + file + ", or remove it (docs/operations.md, Remote JMX security)");
        }
        return true;
    }

    @Override
    public void close() {
        try {
            if (connector != null) {
                connector.stop();
            }
        } catch (IOException e) {
            log.warn("jmx: stopping the remote connector: {}", e.toString());
        }
        try {
            if (registry != null) {
                UnicastRemoteObject.unexportObject(registry, true);
            }
        } catch (NoSuchObjectException e) {
            // never exported or already gone
        }
    }

    /** TLS server sockets from {@code jmx.keyStore}, or null for plain ones. */
    private SSLServerSocketFactory tlsServerSockets() throws ConfigException {
        if (settings.jmxKeyStore().isEmpty()) {
            if (System.getProperty("javax.net.ssl.keyStore") != null) {
                log.warn("jmx: -Djavax.net.ssl.keyStore no longer turns remote JMX to TLS; set jmx.keyStore and "
                        + "jmx.keyStorePassword in ferry.properties");
            }
            return null;
        }
        Path file = settings.jmxKeyStore().get();
        char[] password = settings.jmxKeyStorePassword().orElse("").toCharArray();
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password);
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context.getServerSocketFactory();
        } catch (IOException | GeneralSecurityException e) {
            // the message of a wrong password names no secret; the exception class says what kind of failure
            throw new ConfigException("jmx.keyStore", settings.confDir().resolve("ferry.properties") + ": jmx.keyStore: "
                    + "cannot load the PKCS12 key store " + file + " (" + e.getClass().getSimpleName() + ": "
                    + e.getMessage() + "); check the file and jmx.keyStorePassword");
        }
    }

    /**
     * Server sockets on one address (or all), plain or TLS. Equality matters: RMI shares one port
     * between registry and connector only for equal factories.
     */
    private static final class BoundServerSocketFactory implements RMIServerSocketFactory {
        private final String bind;
        private final SSLServerSocketFactory tls;

        BoundServerSocketFactory(String bind, SSLServerSocketFactory tls) {
            this.bind = bind;
            this.tls = tls;
        }

        @Override
        public ServerSocket createServerSocket(int port) throws IOException {
            InetAddress address = bind.isEmpty() ? null : InetAddress.getByName(bind);
            if (tls != null) {
                return tls.createServerSocket(port, 50, address);
            }
            return new ServerSocket(port, 50, address);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof BoundServerSocketFactory other && other.bind.equals(bind) && other.tls == tls;
        }

        @Override
        public int hashCode() {
            return Objects.hash(bind, tls);
        }
    }
}
