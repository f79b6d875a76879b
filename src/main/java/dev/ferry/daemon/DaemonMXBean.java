package dev.ferry.daemon;

import dev.ferry.jmx.Description;
import dev.ferry.sync.OperationResult;

/** {@code dev.ferry:type=Daemon} (docs/monitoring.md, "JMX: watching and steering ferry"): the process and its configuration. */
@Description("The ferry process and its configuration. Notifications: ferry.config.reloaded, ferry.config.rejected")
public interface DaemonMXBean {
    @Description("ferry's version")
    String getVersion();

    @Description("reloads that applied the configuration file since the daemon started")
    long getReloads();

    @Description("reloads refused since the daemon started because the file was invalid (nothing changed by them)")
    long getReloadsRefused();

    @Description("when the daemon started (ISO-8601, UTC)")
    String getStartedAt();

    @Description("the configuration file the daemon reads, also on reload")
    String getConfigFile();

    @Description("when the configuration was last read (start or reload), ISO-8601 UTC")
    String getConfigLoadedAt();

    @Description("what the last reload did, or why it was refused; empty before the first reload")
    String getLastReload();

    /** Re-reads ferry.properties and applies it (SIGHUP and ferry ctl reload do the same). */
    @Description("re-read ferry.properties and apply it without a restart: connections added, removed or changed, "
            + "workers, chunk and retry settings for the jobs claimed from now on; an invalid file changes nothing")
    OperationResult reload();
}
