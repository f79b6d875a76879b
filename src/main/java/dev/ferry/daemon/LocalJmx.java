package dev.ferry.daemon;

import java.io.IOException;
import java.io.Serializable;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.rmi.server.RMIClientSocketFactory;
import java.rmi.server.RMIServerSocketFactory;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
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
    public static final String USER = "ferry";

    private final StateDir state;
    private final MBeanServer mbeanServer;
    private JMXConnectorServer connector;

    LocalJmx(StateDir state, MBeanServer mbeanServer) {
        this.state = state;
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
        state.writeJmxEndpoint(new StateDir.JmxEndpoint(connector.getAddress().toString(), token));
        log.debug("jmx: local connector ready for ferry ctl");
    }

    @Override
    public void close() {
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
