package dev.ferry.testing;

import dev.ferry.config.ConfigException;
import dev.ferry.config.ConfigLoader;
import dev.ferry.config.FerrySettings;
import dev.ferry.daemon.Daemon;
import java.time.Clock;
import java.util.Map;
import javax.management.MBeanServer;

/** A ferry daemon inside the test JVM, started from a {@link FerryConf}. */
public final class DaemonFixture implements AutoCloseable {
    private final FerrySettings settings;
    private final MBeanServer mbeanServer;
    private Daemon daemon;

    /** @param mbeanServer where its MXBeans go, or null for none */
    public DaemonFixture(FerryConf conf, MBeanServer mbeanServer) {
        try {
            this.settings = new ConfigLoader(Map.<String, String>of()::get).load(conf.write());
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        this.mbeanServer = mbeanServer;
    }

    public DaemonFixture start() {
        try {
            daemon = Daemon.start(settings, mbeanServer, Clock.systemUTC());
        } catch (Exception e) {
            throw new IllegalStateException("daemon did not start: " + e, e);
        }
        return this;
    }

    public Daemon daemon() {
        return daemon;
    }

    public FerrySettings settings() {
        return settings;
    }

    /** A graceful stop, as on SIGTERM. */
    public void stop() {
        if (daemon != null) {
            daemon.close();
            daemon = null;
        }
    }

    @Override
    public void close() {
        stop();
    }
}
