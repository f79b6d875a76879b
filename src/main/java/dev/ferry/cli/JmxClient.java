package dev.ferry.cli;

import com.sun.tools.attach.VirtualMachine;
import dev.ferry.config.FerrySettings;
import dev.ferry.daemon.StateDir;
import dev.ferry.daemon.LocalJmx;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import javax.management.MBeanServerConnection;
import javax.management.remote.JMXConnectionNotification;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * Finds the running daemon of a configuration and connects to its MBean server: through its local
 * connector ({@code state.dir/jmx.local}), else the JDK's Attach API (local management agent), else
 * {@code jmx.port}.
 */
final class JmxClient implements AutoCloseable {
    private final JMXConnector connector;
    private final long pid;

    private JmxClient(JMXConnector connector, long pid) {
        this.connector = connector;
        this.pid = pid;
    }

    /** Empty when no daemon runs for this state dir. */
    static Optional<JmxClient> connect(FerrySettings settings, Map<String, String> env) throws IOException {
        StateDir state = new StateDir(settings.stateDir());
        Optional<Long> pid = state.livePid();
        if (pid.isEmpty()) {
            return Optional.empty();
        }
        Optional<StateDir.JmxEndpoint> local = readable(state);
        if (local.isPresent()) {
            Map<String, Object> auth = Map.of(JMXConnector.CREDENTIALS,
                    new String[] {LocalJmx.USER, local.get().token()});
            return Optional.of(new JmxClient(JMXConnectorFactory.connect(new JMXServiceURL(local.get().url()), auth),
                    pid.get()));
        }
        try {
            return Optional.of(new JmxClient(JMXConnectorFactory.connect(new JMXServiceURL(attach(pid.get()))), pid.get()));
        } catch (IOException e) {
            if (settings.jmxPort().isEmpty()) {
                throw new IOException("cannot attach to ferry (pid " + pid.get() + "): " + e.getMessage()
                        + "; run ferry ctl as the user that runs the daemon", e);
            }
        }
        JMXServiceURL url = new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + settings.jmxPort().get()
                + "/jmxrmi");
        Map<String, Object> credentials = Map.of();
        String user = env.get("FERRY_JMX_USER");
        if (user != null) {
            credentials = Map.of(JMXConnector.CREDENTIALS, new String[] {user, env.getOrDefault("FERRY_JMX_PASSWORD", "")});
        }
        return Optional.of(new JmxClient(JMXConnectorFactory.connect(url, credentials), pid.get()));
    }

    private static Optional<StateDir.JmxEndpoint> readable(StateDir state) {
        try {
            return state.jmxEndpoint();
        } catch (IOException e) {
            // not in the ferry group: the JDK's attach mechanism may still work for the daemon's own user
            return Optional.empty();
        }
    }

    private static String attach(long pid) throws IOException {
        try {
            VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
            try {
                return vm.startLocalManagementAgent();
            } finally {
                vm.detach();
            }
        } catch (com.sun.tools.attach.AttachNotSupportedException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    MBeanServerConnection connection() throws IOException {
        return connector.getMBeanServerConnection();
    }

    /** Runs {@code gone} once the connection closes or fails (the daemon stopped). */
    void onConnectionLost(Runnable gone) {
        connector.addConnectionNotificationListener((notification, handback) -> {
            String type = notification.getType();
            if (type.equals(JMXConnectionNotification.CLOSED) || type.equals(JMXConnectionNotification.FAILED)) {
                gone.run();
            }
        }, null, null);
    }

    long pid() {
        return pid;
    }

    @Override
    public void close() throws IOException {
        connector.close();
    }
}
