package dev.ferry.testing;

import dev.ferry.daemon.LocalJmx;
import dev.ferry.daemon.StateDir;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import javax.management.JMException;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/** A JMX connection to a {@link FerryProcess}, through the endpoint it writes to {@code state.dir/jmx.local}. */
public final class FerryJmx implements AutoCloseable {
    private final JMXConnector connector;
    private final MBeanServerConnection connection;

    private FerryJmx(JMXConnector connector) throws IOException {
        this.connector = connector;
        this.connection = connector.getMBeanServerConnection();
    }

    public static FerryJmx connect(Path stateDir) {
        try {
            StateDir.JmxEndpoint endpoint = new StateDir(stateDir).jmxEndpoint()
                    .orElseThrow(() -> new AssertionError("no jmx.local in " + stateDir));
            return new FerryJmx(JMXConnectorFactory.connect(new JMXServiceURL(endpoint.url()),
                    Map.of(JMXConnector.CREDENTIALS, new String[] {LocalJmx.USER, endpoint.token()})));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Object attribute(ObjectName bean, String name) {
        try {
            return connection.getAttribute(bean, name);
        } catch (JMException | IOException e) {
            throw new IllegalStateException("cannot read " + bean + " " + name + ": " + e, e);
        }
    }

    public boolean exists(ObjectName bean) {
        try {
            return connection.isRegistered(bean);
        } catch (IOException e) {
            return false;
        }
    }

    public Object invoke(ObjectName bean, String operation, String... arguments) {
        String[] signature = new String[arguments.length];
        java.util.Arrays.fill(signature, String.class.getName());
        try {
            return connection.invoke(bean, operation, arguments, signature);
        } catch (JMException | IOException e) {
            throw new IllegalStateException("cannot invoke " + bean + " " + operation + ": " + e, e);
        }
    }

    @Override
    public void close() {
        try {
            connector.close();
        } catch (IOException e) {
            // the daemon may be gone already
        }
    }
}
