package dev.ferry.daemon;

import dev.ferry.jmx.Events;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.management.ObjectName;

/**
 * The notifications of {@code dev.ferry:type=Daemon}: {@value #RELOADED} and {@value #REJECTED}, each with user data
 * {@code {file, message}} (strings).
 */
final class ConfigNotifications extends Events {
    static final String RELOADED = "ferry.config.reloaded";
    static final String REJECTED = "ferry.config.rejected";

    ConfigNotifications(ObjectName source, Clock clock) {
        super(source, clock, "ferry.config.event", fields(),
                info(RELOADED, "a reload (SIGHUP, ferry ctl reload, Daemon.reload) applied the configuration file; the "
                        + "message says what changed and which keys need a restart"),
                info(REJECTED, "a reload found the configuration file invalid: nothing changed, the daemon runs on with "
                        + "the configuration it had; the message names file, line and key"));
    }

    private static Map<String, String> fields() {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("file", "the configuration file");
        fields.put("message", "what changed, or what is wrong (file:line: key: reason)");
        return fields;
    }

    void reloaded(String file, String message) {
        send(RELOADED, "reloaded " + file + ": " + message, Map.of("file", file, "message", message));
    }

    void rejected(String file, String message) {
        send(REJECTED, "reload refused, nothing changed: " + message, Map.of("file", file, "message", message));
    }
}
