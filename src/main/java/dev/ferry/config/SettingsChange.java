package dev.ferry.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a reload would change (docs/operations.md, "Reloading the configuration"): the global keys whose value
 * differs, split into those a running daemon applies and those that {@link ConfigKeys#RESTART_ONLY need a restart},
 * and the connections added, removed or changed (uri, database, pool options, TLS files' contents).
 */
public record SettingsChange(List<String> applied, List<String> needRestart, List<String> connectionsAdded,
        List<String> connectionsRemoved, List<String> connectionsChanged) {

    public SettingsChange {
        applied = List.copyOf(applied);
        needRestart = List.copyOf(needRestart);
        connectionsAdded = List.copyOf(connectionsAdded);
        connectionsRemoved = List.copyOf(connectionsRemoved);
        connectionsChanged = List.copyOf(connectionsChanged);
    }

    public static SettingsChange between(FerrySettings before, FerrySettings after) {
        List<String> applied = new ArrayList<>();
        List<String> needRestart = new ArrayList<>();
        for (Key<?> key : ConfigKeys.GLOBAL) {
            if (!Objects.equals(before.get(key), after.get(key))) {
                (ConfigKeys.RESTART_ONLY.contains(key) ? needRestart : applied).add(key.name());
            }
        }
        Map<String, ConnectionSettings> old = before.connections();
        Map<String, ConnectionSettings> now = after.connections();
        List<String> added = now.keySet().stream().filter(n -> !old.containsKey(n)).toList();
        List<String> removed = old.keySet().stream().filter(n -> !now.containsKey(n)).toList();
        List<String> changed = now.keySet().stream()
                .filter(n -> old.containsKey(n) && !old.get(n).equals(now.get(n))).toList();
        return new SettingsChange(applied, needRestart, added, removed, changed);
    }

    public boolean isEmpty() {
        return applied.isEmpty() && needRestart.isEmpty() && connectionsAdded.isEmpty() && connectionsRemoved.isEmpty()
                && connectionsChanged.isEmpty();
    }

    /** One line for the journal and {@code ferry ctl reload}: keys and connection names, never a value. */
    public String describe() {
        if (isEmpty()) {
            return "nothing changed";
        }
        List<String> parts = new ArrayList<>();
        if (!applied.isEmpty()) {
            parts.add("applied " + String.join(", ", applied));
        }
        if (!connectionsAdded.isEmpty()) {
            parts.add("connection(s) added: " + String.join(", ", connectionsAdded));
        }
        if (!connectionsChanged.isEmpty()) {
            parts.add("connection(s) changed: " + String.join(", ", connectionsChanged)
                    + " (new work uses a new client, work in flight finishes on the old one)");
        }
        if (!connectionsRemoved.isEmpty()) {
            parts.add("connection(s) removed: " + String.join(", ", connectionsRemoved));
        }
        if (!needRestart.isEmpty()) {
            parts.add(String.join(", ", needRestart) + ": needs a restart (systemctl restart ferry); the old value "
                    + "stays in use until then");
        }
        return String.join("; ", parts);
    }
}
